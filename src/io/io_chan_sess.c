/* SPDX-License-Identifier: ISC */
/*
 * A session channel's share of io_chan: extended data (stderr) written to
 * its own stream, the window given back as it is written, and the
 * channel's requests and replies handed to the owner.
 */
#include <stdlib.h>

#include "io/io_chan.h"
#include "io/io_impl.h"
#include "util/err.h"
#include "util/log.h"

/* RFC 4254 5.2: SSH_EXTENDED_DATA_STDERR. */
#define IO_EXT_STDERR 1u

static void io_chan_err_next(struct io_chan *ch);

static bool
io_chan_err_open(const struct io_chan *ch)
{
    return ch->err != NULL && !uv_is_closing((uv_handle_t *)ch->err);
}

static void
io_chan_err_written(uv_write_t *req, int status)
{
    struct io_chan *ch = req->data;
    struct conn *c = io_chan_conn(ch);

    ch->ewriting = false;
    if (c != NULL) {
        conn_consumed(c, ch->id, buf_len(&ch->efly));
        io_conn_flush(ch->ic);
    }
    buf_reset(&ch->efly);
    io_chan_count_queued(ch);
    if (status != 0) {
        /* stderr is gone: what waits and what follows is dropped, its
         * window given back (stdout shares it), and the channel goes on
         * (ssh keeps the session when its stderr fails). */
        if (c != NULL) {
            conn_consumed(c, ch->id, buf_len(&ch->eq));
            io_conn_flush(ch->ic);
        }
        buf_cleanup(&ch->eq);
        io_chan_count_queued(ch);
        if (status != UV_ECANCELED && ch->err != NULL) {
            uv_close((uv_handle_t *)ch->err, io_chan_stream_closed);
        }
        return;
    }
    io_chan_err_next(ch);
}

/* Write what waits in eq, one write at a time; once the channel is gone
 * and all is written, stderr is closed. */
static void
io_chan_err_next(struct io_chan *ch)
{
    uv_buf_t ub;

    if (ch->ewriting || !io_chan_err_open(ch)) {
        return;
    }
    if (buf_len(&ch->eq) == 0) {
        /* Drained: as wq and wfly, nothing is kept while idle. */
        buf_cleanup(&ch->eq);
        buf_cleanup(&ch->efly);
        if (ch->gone) {
            uv_close((uv_handle_t *)ch->err, io_chan_stream_closed);
        }
        return;
    }
    buf_swap(&ch->eq, &ch->efly);
    ch->ereq.data = ch;
    ub = uv_buf_init((char *)buf_ptr(&ch->efly), (unsigned)buf_len(&ch->efly));
    if (uv_write(&ch->ereq, ch->err, &ub, 1, io_chan_err_written) != 0) {
        io_chan_err_written(&ch->ereq, UV_EPIPE);
        return;
    }
    ch->ewriting = true;
}

void
io_chan_err_drain(struct io_chan *ch)
{
    io_chan_err_next(ch);
}

void
io_chan_on_ext_data(struct io_chan *ch, uint32_t code, const uint8_t *p,
                    size_t n)
{
    struct conn *c = io_chan_conn(ch);

    if (code != IO_EXT_STDERR || !io_chan_err_open(ch)) {
        if (c != NULL) {
            conn_consumed(c, ch->id, n);
        }
        return;
    }
    if (buf_put(&ch->eq, p, n) != 0) {
        if (c != NULL) {
            conn_consumed(c, ch->id, n);
        }
        io_chan_fail(ch);
        return;
    }
    io_chan_err_next(ch);
    io_chan_count_queued(ch);
}

bool
io_chan_on_request(struct io_chan *ch, const char *type, bool want_reply,
                   const uint8_t *p, size_t n)
{
    if (ch->sess.request == NULL) {
        return false;
    }
    return ch->sess.request(ch->sess.ctx, ch, type, want_reply, p, n);
}

void
io_chan_on_reply(struct io_chan *ch, bool ok)
{
    if (ch->sess.reply != NULL) {
        ch->sess.reply(ch->sess.ctx, ch, ok);
    } else {
        log_debug("channel %u: reply ignored", (unsigned)ch->id);
    }
}

void
io_chan_input_again(struct io_chan *ch, const uint8_t *p, size_t n)
{
    if (n == 0 || ch->local_eof || ch->sess.filter == NULL) {
        return;
    }
    ch->sess.filter(ch->sess.ctx, ch, p, n, &ch->first);
    io_conn_flush(ch->ic);
    io_chan_update_reading(ch);
}
