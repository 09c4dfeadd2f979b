/* SPDX-License-Identifier: ISC */
/* One SSH connection: transport, user authentication and channels glued. */
#include "conn/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/alive.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define SESSION_ERR_LEN 256

struct session {
    bool is_server;
    struct session_cbs cbs;
    struct conn_cbs chan_cbs;
    struct transport *t;
    struct pkt_sink sink;
    struct userauth_client *uac;
    struct userauth_server *uas;
    struct conn *conn;
    bool authenticated;
    bool early_done; /* client: userauth_client_early was called */
    int err;         /* first error that ended the session */
    uint64_t start_ms, now_ms;
    uint32_t grace_ms;
    uint64_t alive_interval_ms;
    unsigned alive_count_max;
    struct alive alive;
    bool probe_timed;     /* a probe's answer is awaited */
    uint64_t probe_ms;    /* when it went out */
    uint64_t probe_reply; /* conn_replies_received() that answers it */
    int64_t rtt_ms;       /* its last round trip; -1 unknown */
    bool held;            /* a userauth message waits for check_key's answer */
    struct buf hold;      /* its copy; later messages wait in the transport */
    char errmsg[SESSION_ERR_LEN];
};

int
session_new(struct session **out, const struct session_config *cfg,
            const struct session_cbs *cbs, const struct conn_cbs *chan_cbs)
{
    struct session *s;
    int r;

    *out = NULL;
    if (cfg == NULL) {
        return ERR_INVAL;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return ERR_NOMEM;
    }
    s->is_server = cfg->transport.is_server;
    s->rtt_ms = -1;
    if (cbs != NULL) {
        s->cbs = *cbs;
    }
    if (chan_cbs != NULL) {
        s->chan_cbs = *chan_cbs;
    }
    s->grace_ms =
        cfg->login_grace_ms != 0 ? cfg->login_grace_ms : LIM_LOGIN_GRACE_MS;
    s->alive_interval_ms = cfg->alive_interval_ms;
    s->alive_count_max = cfg->alive_count_max;
    if ((r = transport_new(&s->t, &cfg->transport)) != 0) {
        goto out;
    }
    transport_sink(s->t, &s->sink);
    if (s->is_server) {
        r = userauth_server_new(&s->uas, &cfg->server_auth, &s->sink);
    } else {
        r = userauth_client_new(&s->uac, &cfg->client_auth, &s->sink);
    }
out:
    if (r != 0) {
        session_free(s);
        return r;
    }
    *out = s;
    return 0;
}

void
session_free(struct session *s)
{
    if (s == NULL) {
        return;
    }
    conn_free(s->conn);
    userauth_client_free(s->uac);
    userauth_server_free(s->uas);
    transport_free(s->t);
    buf_cleanup(&s->hold);
    free(s);
}

/*
 * End the session with error r: remember why (for the user), queue a
 * DISCONNECT with reason and the same text, and return r.
 */
static int session_fail(struct session *s, int r, uint32_t reason,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
session_fail(struct session *s, int r, uint32_t reason, const char *fmt, ...)
{
    va_list ap;

    if (s->err != 0) {
        return s->err;
    }
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
    va_end(ap);
    s->err = r;
    log_debug("%s", s->errmsg);
    if (reason != 0) {
        transport_disconnect(s->t, reason, s->errmsg);
    }
    return r;
}

int
session_start(struct session *s, uint64_t now_ms)
{
    int r;

    s->start_ms = s->now_ms = now_ms;
    if ((r = transport_start(s->t, now_ms)) != 0) {
        return r;
    }
    if (!s->is_server && (r = userauth_client_start(s->uac)) != 0) {
        return session_fail(s, r, 0, "cannot request userauth: %s", err_str(r));
    }
    return 0;
}

static int
auth_done(struct session *s, enum userauth_result res)
{
    int r;

    if (res == USERAUTH_DENIED && s->is_server) {
        return session_fail(s, ERR_AUTH, SSH_DISCONNECT_PROTOCOL_ERROR,
                            "Too many authentication failures");
    }
    if (res == USERAUTH_DENIED) {
        const char *m = userauth_client_methods(s->uac);

        session_fail(s, ERR_AUTH, 0, "Permission denied (%s).",
                     m[0] != '\0' ? m : "publickey");
        transport_disconnect(s->t,
                             SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                             "No more authentication methods available");
        return ERR_AUTH;
    }
    if ((r = conn_new(&s->conn, &s->sink, &s->chan_cbs)) != 0) {
        return session_fail(s, r, SSH_DISCONNECT_BY_APPLICATION,
                            "out of memory");
    }
    conn_set_peer_adit(s->conn, transport_peer_is_adit(s->t));
    s->authenticated = true;
    transport_set_authenticated(s->t);
    alive_init(&s->alive, s->alive_interval_ms, s->alive_count_max, s->now_ms);
    if (s->cbs.authenticated != NULL) {
        s->cbs.authenticated(s->cbs.ctx);
    }
    return 0;
}

/* What userauth needs from the transport. A client may sign as soon as
 * its NEWKEYS is out (the server's may still be on its way). */
static void
auth_session_info(struct session *s, struct userauth_session *us)
{
    memset(us, 0, sizeof(*us));
    us->session_id = s->is_server
                         ? transport_session_id(s->t, &us->session_id_len)
                         : transport_session_id_sent(s->t, &us->session_id_len);
    us->server_sig_algs = transport_server_sig_algs(s->t);
}

/*
 * Client: the first moment our NEWKEYS is out, the first login request
 * goes out (userauth_client_early: the key accepted last time, signed, or
 * "none"); it joins NEWKEYS and the service request in the output, so one
 * write carries all three.
 */
static int
auth_early(struct session *s)
{
    struct userauth_session us;
    int r;

    if (s->is_server || s->early_done) {
        return 0;
    }
    auth_session_info(s, &us);
    if (us.session_id == NULL) {
        return 0;
    }
    s->early_done = true;
    if ((r = userauth_client_early(s->uac, &us)) != 0) {
        return session_fail(s, r, SSH_DISCONNECT_BY_APPLICATION,
                            "user authentication failed: %s", err_str(r));
    }
    return 0;
}

static int
dispatch_auth(struct session *s, const uint8_t *p, size_t n)
{
    struct userauth_session us;
    enum userauth_result res = USERAUTH_CONTINUE;
    int r;

    auth_session_info(s, &us);
    if (us.session_id == NULL) {
        return session_fail(s, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                            "userauth message before key exchange");
    }
    if (s->is_server) {
        r = userauth_server_handle(s->uas, p, n, &us, &res);
        if (r == ERR_AGAIN) {
            /* check_key looks the user up off the loop: keep the message
             * (the transport reuses its buffer) until session_resume. */
            buf_reset(&s->hold);
            if ((r = buf_put(&s->hold, p, n)) != 0) {
                return session_fail(s, r, SSH_DISCONNECT_BY_APPLICATION,
                                    "out of memory");
            }
            s->held = true;
            return 0;
        }
    } else {
        r = userauth_client_handle(s->uac, p, n, &us, &res);
    }
    if (r != 0) {
        return session_fail(s, r, SSH_DISCONNECT_PROTOCOL_ERROR,
                            "user authentication failed: %s", err_str(r));
    }
    if (res == USERAUTH_CONTINUE) {
        return 0;
    }
    return auth_done(s, res);
}

/* Whether an answer from outside (a signer, the user) still matters. */
static int
auth_answer_due(const struct session *s)
{
    if (s->err != 0) {
        return s->err;
    }
    return s->uac == NULL || s->authenticated ? 1 : 0;
}

/* After userauth took an answer from outside: its outcome. */
static int
auth_answer_done(struct session *s, int r, enum userauth_result res)
{
    if (r != 0) {
        return session_fail(s, r, SSH_DISCONNECT_BY_APPLICATION,
                            "user authentication failed: %s", err_str(r));
    }
    return res == USERAUTH_CONTINUE ? 0 : auth_done(s, res);
}

int
session_auth_signed(struct session *s, const uint8_t *sig, size_t n)
{
    struct userauth_session us;
    enum userauth_result res = USERAUTH_CONTINUE;
    int r;

    if ((r = auth_answer_due(s)) != 0) {
        return r < 0 ? r : 0;
    }
    auth_session_info(s, &us);
    r = userauth_client_signed(s->uac, sig, n, &us, &res);
    return auth_answer_done(s, r, res);
}

int
session_auth_loaded(struct session *s)
{
    struct userauth_session us;
    enum userauth_result res = USERAUTH_CONTINUE;
    int r;

    if ((r = auth_answer_due(s)) != 0) {
        return r < 0 ? r : 0;
    }
    auth_session_info(s, &us);
    r = userauth_client_loaded(s->uac, &us, &res);
    return auth_answer_done(s, r, res);
}

int
session_auth_answered(struct session *s, char *const *answers, size_t n)
{
    struct userauth_session us;
    enum userauth_result res = USERAUTH_CONTINUE;
    int r;

    if ((r = auth_answer_due(s)) != 0) {
        return r < 0 ? r : 0;
    }
    auth_session_info(s, &us);
    r = userauth_client_answered(s->uac, answers, n, &us, &res);
    return auth_answer_done(s, r, res);
}

/*
 * One message from transport_next: route it by number (RFC 4250 4.1).
 * The transport's state gate (transport/gate.h) already refused what is
 * not legal now, so before authentication only userauth messages arrive
 * here, and after it only connection messages.
 */
static int
dispatch(struct session *s, const uint8_t *p, size_t n)
{
    int r;

    if (!s->authenticated) {
        return dispatch_auth(s, p, n);
    }
    if ((r = conn_handle(s->conn, p, n)) != 0) {
        return session_fail(s, r, SSH_DISCONNECT_PROTOCOL_ERROR,
                            "connection protocol error: %s", err_str(r));
    }
    return 0;
}

/* The timed keepalive probe's answer has come: its round trip, to the
 * millisecond of the clock the session was given. */
static void
session_probe_answered(struct session *s)
{
    if (s->probe_timed && s->conn != NULL &&
        conn_replies_received(s->conn) >= s->probe_reply) {
        s->rtt_ms = (int64_t)(s->now_ms - s->probe_ms);
        s->probe_timed = false;
    }
}

/* Take every complete message out of the transport. */
static int
drain(struct session *s)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int r, e;

    for (;;) {
        /* A callback may have ended the session (session_disconnect):
         * nothing more is dispatched for a connection going away. */
        if (s->err != 0) {
            return s->err;
        }
        if (s->held) {
            return 0; /* in order: nothing passes the held message */
        }
        r = transport_next(s->t, &p, &n);
        if ((r == 0 || r == ERR_AGAIN) && (e = auth_early(s)) != 0) {
            return e;
        }
        if (r == ERR_AGAIN) {
            session_probe_answered(s);
            return 0;
        }
        if (r != 0) {
            return session_fail(s, r, 0, "%s", transport_error(s->t));
        }
        if (n == 0) {
            return session_fail(s, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                                "empty message");
        }
        if ((r = dispatch(s, p, n)) != 0) {
            return r;
        }
    }
}

bool
session_auth_held(const struct session *s)
{
    return s->held;
}

int
session_resume(struct session *s)
{
    struct buf msg;
    int r;

    if (s->err != 0) {
        return s->err;
    }
    if (!s->held) {
        return 0;
    }
    /* dispatch_auth may hold again (into s->hold): hand it a copy. */
    msg = s->hold;
    buf_init(&s->hold);
    s->held = false;
    r = dispatch_auth(s, buf_ptr(&msg), buf_len(&msg));
    buf_cleanup(&msg);
    return r != 0 ? r : drain(s);
}

int
session_feed_space(struct session *s, size_t max, uint8_t **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (s->err != 0) {
        return s->err;
    }
    return transport_feed_space(s->t, max, p, n);
}

int
session_feed_commit(struct session *s, size_t n)
{
    int r;

    if (s->err != 0) {
        return s->err;
    }
    if (n > 0) {
        alive_heard(&s->alive, s->now_ms);
    }
    if ((r = transport_feed_commit(s->t, n)) != 0) {
        return session_fail(s, r, 0, "%s", transport_error(s->t));
    }
    return drain(s);
}

bool
session_payload_kept(const struct session *s)
{
    return transport_payload_kept(s->t);
}

int
session_feed(struct session *s, const uint8_t *p, size_t n)
{
    size_t k;
    int r;

    if (s->err != 0) {
        return s->err;
    }
    if (n > 0) {
        alive_heard(&s->alive, s->now_ms);
    }
    do {
        k = n < LIM_PACKET_RECV ? n : LIM_PACKET_RECV;
        if ((r = transport_feed(s->t, p, k)) != 0) {
            return session_fail(s, r, 0, "%s", transport_error(s->t));
        }
        if ((r = drain(s)) != 0) {
            return r;
        }
        p += k;
        n -= k;
    } while (n > 0);
    return 0;
}

/* ServerAlive: probe or give up when due. Any byte heard counts as an
 * answer (session_feed), so replies need no counting of their own. */
static int
session_alive(struct session *s, uint64_t now_ms)
{
    int r;

    switch (alive_tick(&s->alive, now_ms)) {
    case ALIVE_WAIT:
        return 0;
    case ALIVE_DEAD:
        /* ssh sends nothing more to a server it gave up on. */
        return session_fail(s, ERR_TIMEOUT, 0, "%s",
                            s->is_server ? "Timeout, client not responding"
                                         : "Timeout, server not responding.");
    case ALIVE_PROBE:
        log_debug("sending keepalive request");
        if ((r = conn_send_keepalive(s->conn)) != 0) {
            return session_fail(s, r, 0, "cannot send keepalive: %s",
                                err_str(r));
        }
        if (!s->probe_timed) {
            s->probe_timed = true;
            s->probe_ms = now_ms;
            s->probe_reply = conn_replies_asked(s->conn);
        }
        return 0;
    }
    return 0;
}

void
session_clock(struct session *s, uint64_t now_ms)
{
    if (now_ms > s->now_ms) {
        s->now_ms = now_ms;
    }
}

void
session_heard(struct session *s, uint64_t now_ms)
{
    session_clock(s, now_ms);
    alive_heard(&s->alive, s->now_ms);
}

int64_t
session_alive_rtt_ms(const struct session *s)
{
    return s->rtt_ms;
}

uint64_t
session_alive_due(const struct session *s)
{
    if (s->err != 0 || !s->authenticated) {
        return UINT64_MAX;
    }
    return alive_due(&s->alive);
}

void
session_set_alive(struct session *s, uint64_t interval_ms, unsigned count_max)
{
    s->alive_interval_ms = interval_ms;
    s->alive_count_max = count_max;
}

int
session_tick(struct session *s, uint64_t now_ms)
{
    int r;

    if (s->err != 0) {
        return s->err;
    }
    s->now_ms = now_ms;
    if (s->is_server && !s->authenticated &&
        now_ms - s->start_ms >= s->grace_ms) {
        return session_fail(s, ERR_TIMEOUT, SSH_DISCONNECT_BY_APPLICATION,
                            SESSION_GRACE_TIMEOUT);
    }
    if ((r = transport_tick(s->t, now_ms)) != 0) {
        return session_fail(s, r, 0, "%s", transport_error(s->t));
    }
    if (s->authenticated) {
        return session_alive(s, now_ms);
    }
    return 0;
}

bool
session_has_output(const struct session *s)
{
    return transport_has_output(s->t);
}

void
session_take_output(struct session *s, struct buf *out)
{
    transport_take_output(s->t, out);
}

const uint8_t *
session_output(const struct session *s, size_t *n)
{
    return transport_output(s->t, n);
}

void
session_output_done(struct session *s, size_t n)
{
    transport_output_done(s->t, n);
}

size_t
session_queued(const struct session *s)
{
    return transport_queued(s->t);
}

size_t
session_trim(struct session *s)
{
    return transport_trim(s->t);
}

int
session_disconnect(struct session *s, uint32_t reason, const char *msg)
{
    session_fail(s, ERR_DISCONNECTED, 0, "%s", msg != NULL ? msg : "");
    return transport_disconnect(s->t, reason, msg);
}

int
session_send_debug(struct session *s, const char *msg)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_DEBUG)) != 0 ||
        (r = buf_put_bool(&b, false)) != 0 ||
        (r = buf_put_cstring(&b, msg)) != 0 ||
        (r = buf_put_cstring(&b, "")) != 0) {
        goto out;
    }
    r = sink_send(&s->sink, buf_ptr(&b), buf_len(&b));
out:
    buf_cleanup(&b);
    return r;
}

const char *
session_error(const struct session *s)
{
    const char *t = transport_error(s->t);

    if (t != NULL && t[0] != '\0') {
        return t;
    }
    return s->errmsg;
}

bool
session_is_authenticated(const struct session *s)
{
    return s->authenticated;
}

struct conn *
session_conn(struct session *s)
{
    return s->conn;
}

struct transport *
session_transport(struct session *s)
{
    return s->t;
}

bool
session_auth_accepted(const struct session *s, const uint8_t **blob,
                      size_t *blob_len, const char **alg)
{
    if (s->uac == NULL) {
        *blob = NULL;
        *blob_len = 0;
        *alg = NULL;
        return false;
    }
    return userauth_client_accepted(s->uac, blob, blob_len, alg);
}

const char *
session_user(const struct session *s)
{
    return s->uas != NULL ? userauth_server_user(s->uas) : NULL;
}

const struct sshkey *
session_user_key(const struct session *s)
{
    return s->uas != NULL ? userauth_server_key(s->uas) : NULL;
}

const void *
session_auth_info(const struct session *s)
{
    return s->uas != NULL ? userauth_server_info(s->uas) : NULL;
}
