/* SPDX-License-Identifier: ISC */
/*
 * aditd: named endpoints. A direct-tcpip to a registered name is joined
 * to the owner's reverse tunnel through a socketpair.
 */
#include "fwd/server_rfwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/io_chan.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

/*
 * A connected pair of Unix stream sockets as libuv pipes: two channels
 * joined through the kernel by the code that joins a channel to a socket,
 * with the kernel's buffers and the SSH windows as the only queues.
 */
static int
rfwd_socketpair(uv_loop_t *loop, uv_pipe_t *ends[2])
{
    bool owns0 = false;
    int sv[2];

    ends[0] = ends[1] = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        return ERR_IO;
    }
    if ((ends[0] = malloc(sizeof(*ends[0]))) == NULL ||
        (ends[1] = malloc(sizeof(*ends[1]))) == NULL) {
        free(ends[0]);
        close(sv[0]);
        close(sv[1]);
        return ERR_NOMEM;
    }
    uv_pipe_init(loop, ends[0], 0);
    uv_pipe_init(loop, ends[1], 0);
    if (uv_pipe_open(ends[0], sv[0]) == 0) {
        owns0 = true;
        if (uv_pipe_open(ends[1], sv[1]) == 0) {
            return 0;
        }
    }
    if (!owns0) {
        close(sv[0]);
    }
    close(sv[1]);
    io_close_free((uv_handle_t *)ends[0]);
    io_close_free((uv_handle_t *)ends[1]);
    return ERR_IO;
}

/*
 * A direct-tcpip to a named endpoint waiting for the owner's answer to
 * the forwarded-tcpip opened for it: the peer's open is confirmed (and
 * joined to our end of the socketpair) only once the owner confirms, or
 * failed with the owner's words. The joining connection may end first
 * (sc is then NULL); the owner's channel may go without an answer (done).
 */
struct rfwd_join {
    struct rfwd_join *next;
    struct server *srv;
    struct server_conn *sc;
    uint32_t id;
    uv_pipe_t *mine; /* our end of the pair until answered */
};

static void
rfwd_join_answer(struct rfwd_join *j, uint32_t reason, const char *msg)
{
    uv_pipe_t *mine = j->mine;

    if (mine == NULL) {
        return; /* answered already */
    }
    j->mine = NULL;
    if (j->sc != NULL && io_conn_is_ending(j->sc->ic)) {
        j->sc = NULL; /* going: nothing to answer */
    }
    if (j->sc != NULL && reason == 0) {
        (void)io_chan_accept_stream(j->sc->ic, j->id, (uv_stream_t *)mine);
        return;
    }
    io_close_free((uv_handle_t *)mine);
    if (j->sc != NULL) {
        conn_open_fail(io_conn_conn(j->sc->ic), j->id, SSH_OPEN_CONNECT_FAILED,
                       msg);
        io_conn_flush(j->sc->ic);
    }
}

static void
rfwd_join_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                 const char *msg)
{
    rfwd_join_answer(ctx, reason, msg);
}

static void
rfwd_join_done(void *ctx)
{
    struct rfwd_join *j = ctx, **pp;

    rfwd_join_answer(j, SSH_OPEN_CONNECT_FAILED,
                     "the named endpoint's tunnel closed");
    for (pp = &j->srv->joins; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    }
    free(j);
}

static void
rfwd_join_start(struct server_conn *sc, uint32_t id, struct rfwd *r,
                struct rfwd_join *j, uv_pipe_t *ends[2])
{
    struct chan_open_info fi;

    j->srv = sc->srv;
    j->sc = sc;
    j->id = id;
    j->mine = ends[0];
    memset(&fi, 0, sizeof(fi));
    fi.type = "forwarded-tcpip";
    fi.host = r->host;
    fi.port = r->port;
    fi.orig_host = sc->addr;
    fi.orig_port = sc->port;
    if (io_chan_open_tagged(r->owner->ic, (uv_stream_t *)ends[1], &fi, r->tag,
                            rfwd_join_opened, rfwd_join_done, j) != 0) {
        rfwd_join_answer(j, SSH_OPEN_CONNECT_FAILED,
                         "the named endpoint's tunnel is not usable");
        free(j);
        return;
    }
    io_conn_flush(r->owner->ic);
    j->next = sc->srv->joins;
    sc->srv->joins = j;
}

bool
server_rfwd_join(struct server_conn *sc, uint32_t id,
                 const struct chan_open_info *info)
{
    char key[LIM_HOSTNAME + 1];
    struct rfwd_join *j;
    uv_pipe_t *ends[2];
    struct rfwd *r;

    rfwd_lower(info->host, key, sizeof(key));
    if ((r = rfwd_find(sc->srv, key, info->port)) == NULL || !r->is_name) {
        return false;
    }
    if ((j = calloc(1, sizeof(*j))) == NULL ||
        rfwd_socketpair(sc->srv->loop, ends) != 0) {
        free(j);
        conn_open_fail(io_conn_conn(sc->ic), id, SSH_OPEN_RESOURCE_SHORTAGE,
                       "cannot join the named endpoint");
        return true;
    }
    log_info("direct-tcpip from %s port %u to %s port %u joined to the "
             "tunnel of %s port %u",
             sc->addr, (unsigned)sc->port, r->host, (unsigned)r->port,
             r->owner->addr, (unsigned)r->owner->port);
    rfwd_join_start(sc, id, r, j, ends);
    return true;
}

void
server_rfwd_forget_conn(struct server_conn *sc)
{
    struct rfwd_join *j;

    for (j = sc->srv->joins; j != NULL; j = j->next) {
        if (j->sc == sc) {
            j->sc = NULL;
        }
    }
}
