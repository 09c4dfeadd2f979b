/* SPDX-License-Identifier: ISC */
/*
 * aditd: who may start a connection. As sshd's listener does (sshd.c
 * drop_connection, srclimit.c), a new connection is refused when its
 * source is penalised, when MaxStartups' random early drop picks it, or
 * when its source block already holds PerSourceMaxStartups unauthenticated
 * connections. A refused socket gets "Not allowed at this time" and is
 * closed before any version line, so it costs no session state.
 */
#include "fwd/server_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/rand.h"
#include "io/io_util.h"
#include "util/log.h"

#define LIMITS_DROP_MSG "Not allowed at this time\r\n"
/* sshd logs that throttling goes on every five minutes. */
#define LIMITS_LOG_INTERVAL_MS (5u * 60u * 1000u)

int
srcaddr_parse(const char *text, struct srcaddr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->a) == 1) {
        out->af = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out->a) == 1) {
        out->af = AF_INET6;
        return 0;
    }
    return -1;
}

void
srcaddr_mask(const struct srcaddr *in, int bits, struct srcaddr *out)
{
    size_t len = in->af == AF_INET ? 4 : 16, i;

    *out = *in;
    for (i = 0; i < len; i++) {
        int keep = bits - (int)i * 8;

        if (keep <= 0) {
            out->a[i] = 0;
        } else if (keep < 8) {
            out->a[i] &= (uint8_t)(0xff00u >> keep);
        }
    }
}

bool
srcaddr_same_block(const struct server_config *cfg, const struct srcaddr *a,
                   const struct srcaddr *b)
{
    struct srcaddr ma, mb;
    int bits = a->af == AF_INET ? cfg->limits.netblock4 : cfg->limits.netblock6;

    if (a->af != b->af || a->af == 0) {
        return false;
    }
    srcaddr_mask(a, bits, &ma);
    srcaddr_mask(b, bits, &mb);
    return memcmp(ma.a, mb.a, sizeof(ma.a)) == 0;
}

/* sshd's should_drop_connection: none below start, all at full, and in
 * between a chance growing linearly from rate% to 100%. */
static bool
limits_random_drop(const struct server_limits_config *l, unsigned startups)
{
    unsigned p;

    if (startups < (unsigned)l->startups_begin) {
        return false;
    }
    if (startups >= (unsigned)l->startups_max || l->startups_rate == 100) {
        return true;
    }
    p = 100u - (unsigned)l->startups_rate;
    p *= startups - (unsigned)l->startups_begin;
    p /= (unsigned)(l->startups_max - l->startups_begin);
    p += (unsigned)l->startups_rate;
    return rand_uniform(100) < p;
}

/* Unauthenticated connections from src's PerSourceNetBlockSize block. */
static unsigned
limits_per_source(const struct server *srv, const struct srcaddr *src)
{
    const struct server_conn *sc;
    unsigned n = 0;

    for (sc = srv->preauth; sc != NULL; sc = sc->pa_next) {
        if (srcaddr_same_block(srv->cfg, &sc->src, src)) {
            n++;
        }
    }
    return n;
}

/* sshd's throttling log: an error when it begins, every five minutes
 * while it lasts, and when it ends. */
static void
limits_throttle_log(struct server *srv, bool dropping)
{
    struct server_throttle *t = &srv->throttle;
    uint64_t now = uv_now(srv->loop);

    if (!dropping) {
        if (t->active &&
            srv->n_startups + 1 < (unsigned)srv->cfg->limits.startups_begin) {
            log_info("exited MaxStartups throttling after %llus, %u "
                     "connections dropped",
                     (unsigned long long)((now - t->first_ms) / 1000u),
                     t->dropped);
            t->active = false;
        }
        return;
    }
    if (!t->active) {
        log_error("beginning MaxStartups throttling");
        t->active = true;
        t->first_ms = now;
        t->last_log_ms = now;
        t->dropped = 0;
    } else if (now - t->last_log_ms > LIMITS_LOG_INTERVAL_MS) {
        log_error("in MaxStartups throttling for %llus, %u connections "
                  "dropped",
                  (unsigned long long)((now - t->first_ms) / 1000u),
                  t->dropped + 1);
        t->last_log_ms = now;
    }
    t->dropped++;
}

static void
limits_drop(struct server *srv, uv_tcp_t *t, const char *addr, uint16_t port,
            const char *reason, bool loud)
{
    char local[64] = "?";
    uint16_t lport = 0;
    uv_buf_t b =
        uv_buf_init((char *)LIMITS_DROP_MSG, (unsigned)strlen(LIMITS_DROP_MSG));

    (void)io_sock_str(t, local, sizeof(local), &lport);
    log_msg(loud ? LOG_INFO : LOG_VERBOSE, __func__,
            "drop connection #%u from [%s]:%u on [%s]:%u %s", srv->n_startups,
            addr, (unsigned)port, local, (unsigned)lport, reason);
    /* Best effort, as sshd: the peer may read why before the close. */
    (void)uv_try_write((uv_stream_t *)t, &b, 1);
    io_close_free((uv_handle_t *)t);
}

bool
server_limits_admit(struct server *srv, uv_tcp_t *t, const char *addr,
                    uint16_t port, const struct srcaddr *src)
{
    const struct server_limits_config *l = &srv->cfg->limits;
    const char *reason = NULL;
    bool loud = false;

    if (!server_penalty_allows(srv, addr, src, &reason, &loud)) {
        limits_drop(srv, t, addr, port, reason, loud);
        return false;
    }
    if (!limits_random_drop(l, srv->n_startups) &&
        (l->per_source_max == LIMITS_NO_LIMIT ||
         limits_per_source(srv, src) < (unsigned)l->per_source_max)) {
        limits_throttle_log(srv, false);
        return true;
    }
    loud = !srv->throttle.active;
    limits_throttle_log(srv, true);
    limits_drop(srv, t, addr, port, "past Maxstartups", loud);
    return false;
}
