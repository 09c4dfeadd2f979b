/* SPDX-License-Identifier: ISC */
/*
 * Peer data gathered over one read from the network and written to each
 * local socket in one call at its end. One read holds several packets
 * (eight of OpenSSH's 32 KiB ones fill 256 KiB): written one by one, each
 * would cost a write and a TCP segment of its own.
 */
#include <stdbool.h>
#include <string.h>

#include "io/io_impl.h"

bool
io_chan_batch_add(struct io_chan *ch, const uv_buf_t *v)
{
    struct io_conn *ic = ch->ic;

    if (!ic->batching) {
        return false;
    }
    if (ic->n_batch == IO_BATCH_MAX) {
        io_chan_batch_put(ic);
    }
    ic->batch[ic->n_batch].ch = ch;
    ic->batch[ic->n_batch].b = *v;
    ic->n_batch++;
    return true;
}

/*
 * Channels in the order their first view came, each with all its views
 * (at most IO_BATCH_MAX, so the quadratic walk is short). The batch is
 * emptied first: io_chan_put may end a channel, and nothing may come back
 * to a view already put.
 */
void
io_chan_batch_put(struct io_conn *ic)
{
    struct io_batch_view views[IO_BATCH_MAX];
    uv_buf_t bufs[IO_BATCH_MAX];
    struct io_chan *ch;
    size_t n = ic->n_batch, i, j, nb;

    if (n == 0) {
        return;
    }
    memcpy(views, ic->batch, n * sizeof(views[0]));
    ic->n_batch = 0;
    for (i = 0; i < n; i++) {
        if ((ch = views[i].ch) == NULL) {
            continue;
        }
        for (j = i, nb = 0; j < n; j++) {
            if (views[j].ch == ch) {
                bufs[nb++] = views[j].b;
                views[j].ch = NULL;
            }
        }
        io_chan_put(ch, bufs, nb);
    }
}
