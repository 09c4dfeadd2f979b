/* SPDX-License-Identifier: ISC */
/*
 * adit as a ControlMaster: the multiplexing requests of ctl/ctl_mux.h on
 * the control socket at ControlPath (-O check, exit, stop, forward,
 * cancel; -W through the master), and ControlPersist's end after the last
 * client. The socket and its protocol are the ones `adit status` uses.
 */
#include "fwd/client_int.h"
#include "fwd/client_sess.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/ctl_mux.h"
#include "io/io_ctl.h"
#include "io/io_svc.h"
#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

/* How often ControlPersist looks whether the master is idle. */
#define CLIENT_MUX_TICK_MS 1000u

/* A stdio forward run for a client of the master. */
struct client_mux_sess {
    struct client_sup *sup;
    struct io_svc_client *cl; /* NULL once the client has gone */
    struct io_conn *ic;
    struct io_chan *ch; /* known from the open answer on */
    bool open;
    bool ended;                                 /* the channel is gone */
    struct client_mux_io io[CTL_MUX_STDIO_FDS]; /* the client's */
};

/* ---- which connection ---- */

/* The first destination that is up, as the local listeners pick. */
static struct client *
client_mux_dest(struct client_sup *sup)
{
    size_t i;

    for (i = 0; i < sup->n; i++) {
        struct client *c = sup->d[i];

        if (c->state == CLIENT_UP && c->ic != NULL && !c->stopping &&
            !io_conn_is_ending(c->ic)) {
            return c;
        }
    }
    return NULL;
}

/* ---- -W through the master ---- */

static void
client_mux_sess_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                       const char *msg)
{
    struct client_mux_sess *s = ctx;
    char text[512];

    s->ch = ch;
    if (reason == 0) {
        s->open = true;
        if (s->cl == NULL) {
            io_chan_end(ch); /* its client left while it opened */
            return;
        }
        snprintf(text, sizeof(text), "channel %u\n", (unsigned)io_chan_id(ch));
        io_ctl_answer(s->cl, true, text, strlen(text));
        return;
    }
    if (s->cl != NULL) {
        snprintf(text, sizeof(text), "channel %u: open failed: %s: %s",
                 (unsigned)io_chan_id(ch), fwd_open_reason_str(reason),
                 msg != NULL ? msg : "");
        io_ctl_answer(s->cl, false, text, strlen(text));
        io_ctl_finish(s->cl);
        s->cl = NULL;
    }
}

/* The client's descriptors done with (before it hears of the end). */
static void
client_mux_sess_flags(struct client_mux_sess *s)
{
    size_t i;

    for (i = 0; i < CTL_MUX_STDIO_FDS; i++) {
        client_mux_io_end(&s->io[i]);
    }
}

/* The channel is gone: its client hears how, then the master may idle. */
static void
client_mux_sess_done(void *ctx)
{
    struct client_mux_sess *s = ctx;
    struct client_sup *sup = s->sup;

    client_mux_sess_flags(s);
    if (s->cl != NULL) {
        /* A channel taken down with the connection has no status: the
         * client sees the end of the stream, as ssh's does. */
        if (s->open && !io_conn_is_ending(s->ic)) {
            io_ctl_answer(s->cl, true, "exit 0\n", 7);
        }
        io_ctl_finish(s->cl);
    }
    sup->mux_clients--;
    free(s);
}

/* The client went away (or the master is closing): so does its channel. */
static void
client_mux_sess_gone(void *ctx)
{
    struct client_mux_sess *s = ctx;

    s->cl = NULL;
    if (s->open && s->ch != NULL) {
        io_chan_end(s->ch);
    }
}

static int
client_mux_stdio(struct client_sup *sup, const struct ctl_mux *m,
                 struct io_ctl_call *call, char *why, size_t why_len)
{
    struct client *c = client_mux_dest(sup);
    struct chan_open_info info;
    struct client_mux_sess *s;
    uv_stream_t *in = NULL, *out = NULL;
    int r;

    if (call->n_fds != CTL_MUX_STDIO_FDS) {
        snprintf(why, why_len, "stdio: needs stdin and stdout");
        return ERR_INVAL;
    }
    if (c == NULL) {
        snprintf(why, why_len, "not connected");
        return ERR_CHANNEL;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return ERR_NOMEM;
    }
    client_mux_io_init(&s->io[0]);
    client_mux_io_init(&s->io[1]);
    /* Regular files too, through pumps, as adit -W takes them. */
    if ((r = client_mux_io_stream(sup, &call->fds[0], true, &s->io[0], &in)) !=
            0 ||
        (r = client_mux_io_stream(sup, &call->fds[1], false, &s->io[1],
                                  &out)) != 0) {
        io_close_free((uv_handle_t *)in);
        client_mux_sess_flags(s);
        free(s);
        snprintf(why, why_len, "stdio: %s", err_str(r));
        return ERR_IO;
    }
    memset(&info, 0, sizeof(info));
    info.orig_host = "127.0.0.1"; /* as ssh: stdio has no peer address */
    info.orig_port = 65535;
    info.type = m->path != NULL ? CONN_DIRECT_STREAMLOCAL : "direct-tcpip";
    info.path = m->path;
    info.host = m->host;
    info.port = m->port;
    s->sup = sup;
    s->ic = c->ic;
    if ((r = io_chan_open_streams(c->ic, in, out, &info, client_mux_sess_opened,
                                  client_mux_sess_done, s)) != 0) {
        client_mux_sess_flags(s);
        free(s);
        snprintf(why, why_len, "stdio: %s", err_str(r));
        return r;
    }
    sup->mux_clients++;
    s->cl = io_ctl_later(call, client_mux_sess_gone, s);
    return 0;
}

/* ---- the requests ---- */

static void
client_mux_exit_due(uv_timer_t *t)
{
    struct client_sup *sup = t->data;

    log_debug("exit request from a multiplexing client");
    client_sup_stop(sup, 0);
}

int
client_mux_do(struct client_sup *sup, const struct ctl_mux *m,
              struct io_ctl_call *call, struct buf *body, char *why,
              size_t why_len)
{
    char pid[32];

    switch (m->cmd) {
    case CTL_MUX_CHECK:
        snprintf(pid, sizeof(pid), "pid %ld\n", (long)getpid());
        return buf_put(body, pid, strlen(pid));
    case CTL_MUX_EXIT:
        /* After this answer is written: the loop's next turn. */
        uv_timer_start(&sup->mux_timer, client_mux_exit_due, 0, 0);
        return 0;
    case CTL_MUX_STOP:
        log_debug("stop listening request from a multiplexing client");
        io_svc_stop_listening(sup->mux);
        return 0;
    case CTL_MUX_FORWARD:
        return client_mux_fwd_add(sup, client_mux_dest(sup), m, call, why,
                                  why_len);
    case CTL_MUX_CANCEL:
        return client_mux_fwd_cancel(sup, m, why, why_len);
    case CTL_MUX_STDIO:
        return client_mux_stdio(sup, m, call, why, why_len);
    case CTL_MUX_SESSION:
        return client_mux_shell(sup, client_mux_dest(sup), m, call, why,
                                why_len);
    default:
        return ERR_NOTFOUND;
    }
}

int
client_mux_request(struct client_sup *sup, const struct ctl_request *req,
                   struct io_ctl_call *call, struct buf *body, char *why,
                   size_t why_len)
{
    char prompt[LIM_CTL_REQUEST + 256];
    struct ctl_mux m;
    int r;

    if (sup->mux == NULL || sup->stopping) {
        snprintf(why, why_len, "%s: not a multiplexing master", req->argv[0]);
        return ERR_INVAL;
    }
    if ((r = ctl_mux_decode(req, &m, why, why_len)) == 0) {
        /* ControlMaster ask: done once the askpass program allows it. */
        r = client_mux_prompt(sup, &m, prompt, sizeof(prompt))
                ? client_mux_ask(sup, req, call, prompt, why, why_len)
                : client_mux_do(sup, &m, call, body, why, why_len);
    }
    ctl_mux_cleanup(&m);
    return r;
}

/* ---- ControlPersist ---- */

static bool
client_mux_busy(const struct client_sup *sup)
{
    struct client_dest_snap d;
    size_t i;

    if (sup->mux_clients > 0) {
        return true;
    }
    for (i = 0; i < client_status_dests(sup); i++) {
        client_status_dest(sup, i, &d);
        if (d.channels > 0) {
            return true;
        }
    }
    return false;
}

/* ControlPersist time: the master ends that long after its last client
 * and its last forwarded connection, as ssh's. */
static void
client_mux_tick(uv_timer_t *t)
{
    struct client_sup *sup = t->data;
    uint64_t now = uv_now(sup->loop);
    uint64_t limit = (uint64_t)sup->cfg->control_persist_timeout * 1000u;

    if (client_mux_busy(sup)) {
        sup->mux_idle_since = 0;
        return;
    }
    if (sup->mux_idle_since == 0) {
        sup->mux_idle_since = now;
        return;
    }
    if (now - sup->mux_idle_since >= limit) {
        log_debug("ControlPersist timeout expired");
        client_sup_stop(sup, 0);
    }
}

int
client_mux_listen(struct client_sup *sup, io_ctl_handler handler)
{
    const struct client_config *cfg = sup->cfg;
    const char *path = client_config_control_path(cfg);
    struct stat st;
    int r;

    uv_timer_init(sup->loop, &sup->mux_timer);
    sup->mux_timer.data = sup;
    sup->has_mux_timer = true;
    if (path == NULL || cfg->control_master <= CLIENT_MASTER_NO) {
        return 0;
    }
    /* As ssh's master: a path already there is another master's (a
     * client in auto mode has removed a stale one before). */
    if (lstat(path, &st) == 0) {
        log_plain("ControlSocket %s already exists, disabling "
                  "multiplexing\r\n",
                  path);
        return 0;
    }
    if ((r = io_ctl_listen_fds(&sup->mux, sup->loop, path, handler, sup)) !=
        0) {
        log_plain("unix_listener: cannot bind to path %s: %s\r\n", path,
                  r == ERR_IO ? strerror(errno) : err_str(r));
        return r;
    }
    log_debug("setting up multiplex master socket");
    if (cfg->control_persist == 1 && cfg->control_persist_timeout > 0) {
        uv_timer_start(&sup->mux_timer, client_mux_tick, CLIENT_MUX_TICK_MS,
                       CLIENT_MUX_TICK_MS);
    }
    return 0;
}

void
client_mux_stop(struct client_sup *sup)
{
    client_mux_shell_stop(sup);
    if (sup->mux != NULL) {
        io_svc_close(sup->mux);
        sup->mux = NULL;
    }
    if (sup->has_mux_timer) {
        sup->has_mux_timer = false;
        uv_close((uv_handle_t *)&sup->mux_timer, NULL);
    }
}

void
client_mux_free(struct client_sup *sup)
{
    client_mux_fwd_free(sup);
}
