/* SPDX-License-Identifier: ISC */
/*
 * adit's supervisor: the destinations, the local listeners they share,
 * the signals and the exit status. Without Reconnect it runs one
 * destination and ends with its connection, as ssh. In Reconnect mode
 * each destination is kept up on its own: a transient failure (network,
 * server down, keepalive timeout) is retried after an exponential backoff
 * with jitter, at once on SIGHUP; a permanent one (host key, authentication,
 * configuration) gives that destination up, and the process ends with
 * CLIENT_EXIT_PERMANENT once every destination has.
 */
#include "fwd/client_int.h"
#include "fwd/client_fork.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/rand.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

/* The backoff doubles at most this many times (2^16 x the floor is
 * beyond any sensible cap, and the shift stays defined). */
#define CLIENT_BACKOFF_MAX_SHIFT 16u
/* A connection up this long (ms) was steady: when it drops, the next
 * attempt starts at once, and the quick retries below start over. */
#define CLIENT_STEADY_MS 1000u
/* After that, a failed attempt (a server still restarting) or a drop of a
 * connection that was not steady (a server that lets us in and throws us
 * out) waits this many ms, doubled each time, CLIENT_QUICK_RETRIES times;
 * then the backoff. A restarted sshd listens again within ~100 ms. */
#define CLIENT_QUICK_MS 25u
#define CLIENT_QUICK_RETRIES 4u

void
client_set_state(struct client *c, enum client_state st, const char *why)
{
    if (c->state != st) {
        c->state = st;
        c->since = (int64_t)time(NULL);
    }
    if (why != NULL && why != c->last_error) {
        snprintf(c->last_error, sizeof(c->last_error), "%s", why);
    }
    client_notify(c->sup);
}

/*
 * The wait before attempt number k + 1 after a failure: floor x 2^k,
 * capped, then a uniformly random point in its upper half, so that many
 * clients cut off together do not come back together.
 */
static uint64_t
client_backoff_ms(const struct client_config *cfg, unsigned k)
{
    uint64_t lo = cfg->reconnect_backoff_min > 0
                      ? (uint64_t)cfg->reconnect_backoff_min * 1000u
                      : (uint64_t)CLIENT_BACKOFF_MIN_DEFAULT * 1000u;
    uint64_t hi = cfg->reconnect_backoff_max > 0
                      ? (uint64_t)cfg->reconnect_backoff_max * 1000u
                      : (uint64_t)CLIENT_BACKOFF_MAX_DEFAULT * 1000u;
    uint64_t d;

    if (k > CLIENT_BACKOFF_MAX_SHIFT) {
        k = CLIENT_BACKOFF_MAX_SHIFT;
    }
    d = lo << k;
    if (d > hi) {
        d = hi > lo ? hi : lo;
    }
    return d - rand_uniform((uint32_t)(d / 2u + 1u));
}

/*
 * The wait before the next attempt after a failure: the quick retries
 * first, each a random point in the upper half of its span as the
 * backoff's, so many clients cut off together spread out.
 */
static uint64_t
client_retry_ms(struct client *c)
{
    uint64_t d;

    if (c->quick >= CLIENT_QUICK_RETRIES) {
        return client_backoff_ms(c->cfg, c->failures++);
    }
    d = (uint64_t)CLIENT_QUICK_MS << c->quick++;
    return d - rand_uniform((uint32_t)(d / 2u + 1u));
}

/* ---- the shared local listeners ---- */

/* The first destination that is up, in priority order. */
static struct io_conn *
client_sup_pick(void *ctx)
{
    struct client_sup *sup = ctx;
    size_t i;

    for (i = 0; i < sup->n; i++) {
        struct client *c = sup->d[i];

        if (c->state == CLIENT_UP && c->ic != NULL && !c->stopping &&
            !io_conn_is_ending(c->ic)) {
            return c->ic;
        }
    }
    if (sup->reconnect) {
        log_error("no destination is up: a forwarded connection is "
                  "turned away");
    }
    return NULL;
}

/* -g and StreamLocalBindUnlink for fwd_local_start. */
static unsigned
client_local_flags(const struct client_config *cfg)
{
    return (cfg->gateway_ports == 1 ? FWD_LOCAL_GATEWAY_PORTS : 0) |
           (cfg->stream_local_bind_unlink == 1 ? FWD_LOCAL_BIND_UNLINK : 0);
}

/*
 * Listen for every -L and -D, once, when the first destination is up, as
 * ssh's ssh_init_forwarding (which keeps both in one list; fwd_local
 * hands a -D listener's clients to fwd_dynamic): each failure has printed
 * its own reason; then, with ExitOnForwardFailure, any failure ends the
 * connection (false) -- everything, in Reconnect mode --, and otherwise
 * "Could not request local forwarding." is said only when none could be
 * set up.
 */
bool
client_sup_start_local(struct client_sup *sup, struct client *c)
{
    const struct client_config *cfg = sup->cfg;
    size_t n_local = cfg->n_local_fwds;
    size_t n = n_local + cfg->n_dynamic_fwds, i, ok = 0;
    const struct fwdspec *spec;

    if (sup->fwds_started) {
        return true;
    }
    sup->fwds_started = true;
    for (i = 0; i < n && sup->n_fwds < CLIENT_MAX_FWDS; i++) {
        spec =
            i < n_local ? &cfg->local_fwds[i] : &cfg->dynamic_fwds[i - n_local];
        if (fwd_local_start(&sup->fwds[sup->n_fwds], sup->loop, spec,
                            client_local_flags(cfg), &sup->pick) == 0) {
            sup->fwd_specs[sup->n_fwds++] = spec;
            ok++;
        }
    }
    if (ok == n) {
        return true;
    }
    if (cfg->exit_on_forward_failure == 1) {
        log_plain("Could not request local forwarding.\r\n");
        if (sup->reconnect) {
            client_sup_stop(sup, CLIENT_EXIT_FAIL);
        } else {
            client_forward_failed(c);
        }
        return false;
    }
    if (ok == 0) {
        log_plain("Could not request local forwarding.\r\n");
    }
    return true;
}

/* ---- one destination's attempts ---- */

static const char *
client_name(const struct client *c)
{
    return c->t->orig_host != NULL ? c->t->orig_host : c->t->host;
}

void
client_sup_up(struct client_sup *sup, struct client *c)
{
    if (sup->reconnect) {
        log_error("connected to %s%s", client_name(c),
                  c->reconnects > 0 ? " again" : "");
    }
    c->failures = 0;
    c->rfwd_failures = 0;
    c->up_ms = uv_now(c->loop);
    c->rtt_ms = -1;
    c->logins++;
    client_set_state(c, CLIENT_UP, NULL);
    client_probe_start(c);
}

/* Start the attempt; a failure to even start counts as a failed one. */
static void
client_sup_attempt(struct client *c)
{
    int r;

    if ((r = client_attempt(c)) != 0) {
        if (!c->said) {
            log_error("connect to host %s port %u: %s", c->t->host,
                      (unsigned)c->t->port, err_str(r));
        }
        if (r == ERR_CONFIG) {
            c->permanent = true;
        }
        if (c->last_error[0] == '\0' || !c->permanent) {
            snprintf(c->last_error, sizeof(c->last_error), "%s", err_str(r));
        }
        c->exit_code = CLIENT_EXIT_FAIL;
        c->said = true;
        client_stop(c);
    }
}

static void
client_sup_backoff_done(uv_timer_t *t)
{
    struct client *c = t->data;

    if (c->sup->stopping) {
        return;
    }
    c->reconnects++;
    client_sup_attempt(c);
}

static bool
client_sup_all_failed(const struct client_sup *sup)
{
    size_t i;

    for (i = 0; i < sup->n; i++) {
        if (sup->d[i]->state != CLIENT_FAILED) {
            return false;
        }
    }
    return true;
}

void
client_sup_down(struct client_sup *sup, struct client *c)
{
    const char *why;
    uint64_t ms;
    size_t n;

    client_probe_stop(c);
    /* A -R retry belongs to the connection that is gone. */
    if (!sup->stopping) {
        uv_timer_stop(&c->rfwd_retry);
    }
    if (sup->stopping) {
        return;
    }
    if (!sup->reconnect) {
        client_sup_stop(sup, c->exit_code);
        return;
    }
    if (c->permanent) {
        client_set_state(c, CLIENT_FAILED, NULL);
        log_error("giving up on %s: %s", client_name(c), c->last_error);
        if (client_sup_all_failed(sup)) {
            client_sup_stop(sup, CLIENT_EXIT_PERMANENT);
        }
        return;
    }
    /* A steady connection that drops is tried again at once: a server
     * whose session died takes a new one at once, and a restarted one is
     * back within the quick retries. The backoff is for attempts that
     * fail, and for a connection that keeps dropping as soon as it is up. */
    if (c->hup) {
        ms = 0;
    } else if (c->state == CLIENT_UP &&
               uv_now(c->loop) - c->up_ms >= CLIENT_STEADY_MS) {
        c->quick = 0;
        ms = 0;
    } else {
        ms = client_retry_ms(c);
    }
    c->hup = false;
    client_set_state(c, CLIENT_RETRYING, NULL);
    why = c->last_error[0] != '\0' ? c->last_error : "connection lost";
    n = strlen(why);
    /* ssh's sentences end with a full stop; this line goes on. */
    if (n > 0 && why[n - 1] == '.') {
        n--;
    }
    log_error("%s: %.*s; reconnecting in %u.%u s", client_name(c), (int)n, why,
              (unsigned)(ms / 1000u), (unsigned)(ms % 1000u / 100u));
    uv_timer_start(&c->backoff, client_sup_backoff_done, ms, 0);
}

/* ---- refused -R forwards ---- */

static void
client_sup_rfwd_again(uv_timer_t *t)
{
    struct client *c = t->data;
    int r;

    if (c->sup->stopping || c->stopping || c->ic == NULL || c->rfwd == NULL) {
        return;
    }
    if ((r = fwd_remote_retry(c->rfwd, c->ic)) != 0) {
        log_error("%s: could not ask for remote forwarding again: %s",
                  client_name(c), err_str(r));
    }
}

void
client_sup_rfwd_refused(struct client_sup *sup, struct client *c)
{
    uint64_t ms;

    if (sup->stopping || uv_is_active((uv_handle_t *)&c->rfwd_retry)) {
        return;
    }
    ms = client_backoff_ms(c->cfg, c->rfwd_failures++);
    log_error("%s: remote forwarding refused; asking again in %u.%u s",
              client_name(c), (unsigned)(ms / 1000u),
              (unsigned)(ms % 1000u / 100u));
    uv_timer_start(&c->rfwd_retry, client_sup_rfwd_again, ms, 0);
}

/* ---- signals and the end ---- */

/* SIGHUP in Reconnect mode: every destination reconnects now, the ones
 * waiting out a backoff and the ones up (their path may be stale, e.g.
 * after the network changed), and a failed one is tried again. */
static void
client_sup_hup(struct client_sup *sup)
{
    size_t i;

    for (i = 0; i < sup->n; i++) {
        struct client *c = sup->d[i];

        c->failures = 0;
        if (c->state == CLIENT_RETRYING || c->state == CLIENT_FAILED) {
            uv_timer_start(&c->backoff, client_sup_backoff_done, 0, 0);
            continue;
        }
        log_error("%s: reconnecting on SIGHUP", client_name(c));
        c->hup = true;
        c->said = true;
        snprintf(c->last_error, sizeof(c->last_error), "SIGHUP");
        client_stop(c);
    }
}

static void
client_sup_signal(uv_signal_t *h, int signum)
{
    struct client_sup *sup = h->data;
    size_t i;

    log_debug("received signal %d", signum);
    if (sup->reconnect && signum == SIGHUP) {
        client_sup_hup(sup);
        return;
    }
    for (i = 0; i < sup->n; i++) {
        sup->d[i]->exit_code = CLIENT_EXIT_FAIL;
        sup->d[i]->said = true;
    }
    /* ssh ends with 255 on a signal; Reconnect mode is stopped this way
     * as its normal end (a service manager's stop), so 0. */
    client_sup_stop(sup, sup->reconnect ? 0 : CLIENT_EXIT_FAIL);
}

void
client_sup_stop_listening(struct client_sup *sup)
{
    size_t i;

    for (i = 0; i < sup->n_fwds; i++) {
        fwd_local_close(sup->fwds[i]);
    }
    sup->n_fwds = 0;
}

void
client_sup_stop(struct client_sup *sup, int code)
{
    size_t i;

    if (sup->stopping) {
        return;
    }
    sup->stopping = true;
    sup->exit_code = code;
    client_ctl_stop(sup);
    client_rtfwd_stop(sup);
    client_sup_stop_listening(sup);
    for (i = 0; i < 3; i++) {
        if (!uv_is_closing((uv_handle_t *)&sup->sig[i])) {
            uv_close((uv_handle_t *)&sup->sig[i], NULL);
        }
    }
    for (i = 0; i < sup->n; i++) {
        struct client *c = sup->d[i];

        uv_close((uv_handle_t *)&c->backoff, NULL);
        uv_close((uv_handle_t *)&c->rfwd_retry, NULL);
        uv_close((uv_handle_t *)&c->probe, NULL);
        uv_close((uv_handle_t *)&c->linger_kick, NULL);
        uv_close((uv_handle_t *)&c->linger, NULL);
        client_hops_close(c);
        client_term_stop(c);
        client_stop(c);
    }
}

/* ---- the run ---- */

static int
client_sup_new(struct client_sup *sup, uv_loop_t *loop,
               const struct client_config *fwds,
               const struct client_config *const *cfgs,
               const struct client_target *ts, size_t n)
{
    size_t i;

    sup->loop = loop;
    sup->cfg = fwds;
    sup->reconnect = fwds->reconnect == 1;
    sup->ready_fd = ts[0].ready_fd;
    sup->pick.fn = client_sup_pick;
    sup->pick.ctx = sup;
    for (i = 0; i < n && i < CLIENT_MAX_DESTS; i++) {
        struct client *c = calloc(1, sizeof(*c));

        if (c == NULL) {
            return ERR_NOMEM;
        }
        c->sup = sup;
        c->idx = i;
        c->loop = loop;
        c->quick = CLIENT_QUICK_RETRIES; /* only after a steady connection */
        c->cfg = cfgs[i];
        c->t = &ts[i];
        uv_timer_init(loop, &c->backoff);
        uv_timer_init(loop, &c->rfwd_retry);
        uv_timer_init(loop, &c->probe);
        uv_timer_init(loop, &c->linger_kick);
        uv_check_init(loop, &c->linger);
        c->backoff.data = c->rfwd_retry.data = c->probe.data = c;
        c->linger_kick.data = c->linger.data = c;
        c->rtt_ms = -1;
        sup->d[sup->n++] = c;
    }
    return 0;
}

static void
client_sup_start(struct client_sup *sup)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    size_t i;
    int r;

    for (i = 0; i < 3; i++) {
        uv_signal_init(sup->loop, &sup->sig[i]);
        sup->sig[i].data = sup;
        uv_signal_start(&sup->sig[i], client_sup_signal, sigs[i]);
    }
    if (client_ctl_start(sup) != 0) {
        client_sup_stop(sup, CLIENT_EXIT_FAIL);
        return;
    }
    /* Each starts its own first attempt; a destination whose start
     * fails is down at once (and, without Reconnect, so is all). */
    for (i = 0; i < sup->n && !sup->stopping; i++) {
        struct client *c = sup->d[i];

        client_set_state(c, CLIENT_CONNECTING, NULL);
        if ((r = client_start(c)) != 0) {
            log_error("connect to host %s port %u: %s", c->t->host,
                      (unsigned)c->t->port, err_str(r));
            snprintf(c->last_error, sizeof(c->last_error), "%s", err_str(r));
            c->permanent = true;
            c->exit_code = CLIENT_EXIT_FAIL;
            c->said = c->stopping = true;
            client_check_down(c);
            continue;
        }
        client_sup_attempt(c);
    }
}

int
client_run_many(uv_loop_t *loop, const struct client_config *fwds,
                const struct client_config *const *cfgs,
                const struct client_target *ts, size_t n)
{
    struct client_sup *sup;
    size_t i;
    int code = CLIENT_EXIT_FAIL;

    if (n == 0 || (sup = calloc(1, sizeof(*sup))) == NULL) {
        return CLIENT_EXIT_FAIL;
    }
    if (client_sup_new(sup, loop, fwds, cfgs, ts, n) == 0) {
        client_sup_start(sup);
        uv_run(loop, UV_RUN_DEFAULT);
        code = sup->exit_code;
    } else {
        client_sup_stop(sup, CLIENT_EXIT_FAIL);
        uv_run(loop, UV_RUN_DEFAULT);
    }
    client_fork_failed(&sup->ready_fd, code);
    for (i = 0; i < sup->n; i++) {
        client_free(sup->d[i]);
    }
    client_rtfwd_free(sup);
    client_mux_free(sup);
    free(sup);
    return code;
}

int
client_run(uv_loop_t *loop, const struct client_config *cfg,
           const struct client_target *t)
{
    return client_run_many(loop, cfg, &cfg, t, 1);
}
