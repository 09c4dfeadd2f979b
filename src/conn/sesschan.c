/* SPDX-License-Identifier: ISC */
/* The client's side of a session channel: its requests and the server's. */
#include "conn/sesschan.h"

#include <stdlib.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* The longest request type we remember for its answer. */
#define SESSCHAN_TYPE_LEN 64u

struct sesschan {
    struct conn *c;
    uint32_t id;
    struct sesschan_cbs cbs;
    /* Our requests awaiting an answer, oldest first (a ring). */
    char pending[SESSCHAN_PENDING_MAX][SESSCHAN_TYPE_LEN];
    size_t head, n_pending;
    bool exited;
    uint32_t status;
};

int
sesschan_new(struct sesschan **out, struct conn *c, uint32_t id,
             const struct sesschan_cbs *cbs)
{
    struct sesschan *s;

    *out = NULL;
    if (c == NULL) {
        return ERR_INVAL;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return ERR_NOMEM;
    }
    s->c = c;
    s->id = id;
    if (cbs != NULL) {
        s->cbs = *cbs;
    }
    *out = s;
    return 0;
}

void
sesschan_free(struct sesschan *s)
{
    free(s);
}

int
sesschan_request(struct sesschan *s, const char *type, bool want_reply,
                 const uint8_t *data, size_t n)
{
    size_t slot;
    int r;

    if (want_reply && (s->n_pending == SESSCHAN_PENDING_MAX ||
                       strlen(type) >= SESSCHAN_TYPE_LEN)) {
        return ERR_LIMIT;
    }
    if ((r = conn_channel_request(s->c, s->id, type, want_reply, data, n)) !=
        0) {
        return r;
    }
    if (want_reply) {
        slot = (s->head + s->n_pending) % SESSCHAN_PENDING_MAX;
        memcpy(s->pending[slot], type, strlen(type) + 1);
        s->n_pending++;
    }
    return 0;
}

/*
 * pty-req (RFC 4254 6.2):
 *   string  TERM environment variable value (e.g., vt100)
 *   uint32  terminal width, characters (e.g., 80)
 *   uint32  terminal height, rows (e.g., 24)
 *   uint32  terminal width, pixels (e.g., 640)
 *   uint32  terminal height, pixels (e.g., 480)
 *   string  encoded terminal modes (section 8)
 */
static int
sesschan_send_pty(struct sesschan *s, const struct sesschan_pty *pty)
{
    static const uint8_t end = 0; /* TTY_OP_END */
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = buf_put_cstring(&b, pty->term != NULL ? pty->term : "")) != 0 ||
        (r = buf_put_u32(&b, pty->cols)) != 0 ||
        (r = buf_put_u32(&b, pty->rows)) != 0 ||
        (r = buf_put_u32(&b, pty->xpixel)) != 0 ||
        (r = buf_put_u32(&b, pty->ypixel)) != 0 ||
        (r = buf_put_string(&b, pty->modes != NULL ? pty->modes : &end,
                            pty->modes != NULL ? pty->n_modes : 1)) != 0) {
        goto out;
    }
    r = sesschan_request(s, "pty-req", true, buf_ptr(&b), buf_len(&b));
out:
    buf_cleanup(&b);
    return r;
}

/*
 * env (RFC 4254 6.4), no reply wanted, as ssh sends it:
 *   string  variable name
 *   string  variable value
 * An entry without '=' is skipped.
 */
static int
sesschan_send_env(struct sesschan *s, const char *nv)
{
    const char *eq = strchr(nv, '=');
    struct buf b;
    int r;

    if (eq == NULL || eq == nv) {
        return 0;
    }
    log_debug("Sending env %.*s = %s", (int)(eq - nv), nv, eq + 1);
    buf_init(&b);
    if ((r = buf_put_string(&b, nv, (size_t)(eq - nv))) != 0 ||
        (r = buf_put_cstring(&b, eq + 1)) != 0) {
        goto out;
    }
    r = sesschan_request(s, "env", false, buf_ptr(&b), buf_len(&b));
out:
    buf_cleanup(&b);
    return r;
}

/*
 * exec (RFC 4254 6.5): string command; subsystem: string name; shell:
 * nothing. Each with want_reply, as ssh asks.
 */
static int
sesschan_send_start(struct sesschan *s, const struct sesschan_start *st)
{
    struct buf b;
    const char *type;
    int r;

    if (st->kind == SESSCHAN_SHELL) {
        return sesschan_request(s, "shell", true, NULL, 0);
    }
    if (st->command == NULL) {
        return ERR_INVAL;
    }
    type = st->kind == SESSCHAN_EXEC ? "exec" : "subsystem";
    buf_init(&b);
    if ((r = buf_put_cstring(&b, st->command)) == 0) {
        r = sesschan_request(s, type, true, buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
    return r;
}

int
sesschan_start(struct sesschan *s, const struct sesschan_start *st)
{
    size_t i;
    int r;

    if (st->pty != NULL && (r = sesschan_send_pty(s, st->pty)) != 0) {
        return r;
    }
    for (i = 0; i < st->n_env; i++) {
        if ((r = sesschan_send_env(s, st->env[i])) != 0) {
            return r;
        }
    }
    return sesschan_send_start(s, st);
}

/*
 * window-change (RFC 4254 6.7):
 *   uint32  terminal width, columns
 *   uint32  terminal height, rows
 *   uint32  terminal width, pixels
 *   uint32  terminal height, pixels
 */
int
sesschan_window_change(struct sesschan *s, uint32_t cols, uint32_t rows,
                       uint32_t xpixel, uint32_t ypixel)
{
    uint8_t m[16];

    put_u32_be(m, cols);
    put_u32_be(m + 4, rows);
    put_u32_be(m + 8, xpixel);
    put_u32_be(m + 12, ypixel);
    return sesschan_request(s, "window-change", false, m, sizeof(m));
}

/* exit-status (RFC 4254 6.10): uint32 exit_status. */
static bool
sesschan_exit_status(struct sesschan *s, const uint8_t *p, size_t n)
{
    struct rd rd;
    uint32_t v = 0;

    rd_init(&rd, p, n);
    if (rd_u32(&rd, &v) != 0 || rd_end(&rd) != 0) {
        log_error("channel %u: malformed exit-status", (unsigned)s->id);
        return false;
    }
    s->exited = true;
    s->status = v;
    if (s->cbs.exit_status != NULL) {
        s->cbs.exit_status(s->cbs.ctx, v);
    }
    return true;
}

/*
 * exit-signal (RFC 4254 6.10):
 *   string  signal name (without the "SIG" prefix)
 *   boolean core dumped
 *   string  error message in ISO-10646 UTF-8 encoding
 *   string  language tag
 */
static bool
sesschan_exit_signal(struct sesschan *s, const uint8_t *p, size_t n)
{
    struct rd rd;
    char *sig = NULL, *msg = NULL;
    const uint8_t *lang;
    size_t lang_len;
    bool core = false, ok;

    rd_init(&rd, p, n);
    ok = rd_cstring(&rd, &sig, LIM_NAME) == 0 && rd_bool(&rd, &core) == 0 &&
         rd_cstring(&rd, &msg, LIM_STRING_SMALL) == 0 &&
         rd_string(&rd, &lang, &lang_len, LIM_STRING_SMALL) == 0 &&
         rd_end(&rd) == 0;
    if (!ok) {
        log_error("channel %u: malformed exit-signal", (unsigned)s->id);
    } else if (s->cbs.exit_signal != NULL) {
        s->cbs.exit_signal(s->cbs.ctx, sig, core, msg);
    }
    free(sig);
    free(msg);
    return ok;
}

bool
sesschan_on_request(struct sesschan *s, const char *type, bool want_reply,
                    const uint8_t *p, size_t n)
{
    bool ok;

    if (strcmp(type, "exit-status") == 0) {
        ok = sesschan_exit_status(s, p, n);
    } else if (strcmp(type, "exit-signal") == 0) {
        ok = sesschan_exit_signal(s, p, n);
    } else if (strcmp(type, "eow@openssh.com") == 0 && n == 0) {
        ok = true;
        if (s->cbs.eow != NULL) {
            s->cbs.eow(s->cbs.ctx);
        }
    } else {
        return false;
    }
    if (ok && want_reply) {
        (void)conn_channel_reply(s->c, s->id, true);
    }
    return ok;
}

int
sesschan_on_reply(struct sesschan *s, bool ok)
{
    char type[SESSCHAN_TYPE_LEN];

    if (s->n_pending == 0) {
        log_error("channel %u: reply to no request", (unsigned)s->id);
        return ERR_PROTO;
    }
    memcpy(type, s->pending[s->head], sizeof(type));
    s->head = (s->head + 1) % SESSCHAN_PENDING_MAX;
    s->n_pending--;
    log_debug("channel %u: %s request %s", (unsigned)s->id, type,
              ok ? "accepted" : "failed");
    if (s->cbs.reply != NULL) {
        s->cbs.reply(s->cbs.ctx, type, ok);
    }
    return 0;
}

bool
sesschan_exited(const struct sesschan *s, uint32_t *status)
{
    if (s->exited && status != NULL) {
        *status = s->status;
    }
    return s->exited;
}
