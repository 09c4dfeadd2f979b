/* SPDX-License-Identifier: ISC */
/* aditd: streamlocal-forward@openssh.com, reverse forwards on Unix sockets. */
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

static void
rfwd_on_unix_connection(struct io_listener *l, uv_stream_t *p)
{
    struct rfwd *r = l->h.handle.data;
    struct chan_open_info info;

    if (r->owner == NULL) {
        io_close_free((uv_handle_t *)p);
        return;
    }
    memset(&info, 0, sizeof(info));
    info.type = CONN_FORWARDED_STREAMLOCAL;
    info.path = r->host;
    log_debug("connection on %s: forwarded to %s port %u", r->host,
              r->owner->addr, (unsigned)r->owner->port);
    server_count_open(r->srv, info.type, false);
    if (io_chan_open_tagged(r->owner->ic, (uv_stream_t *)p, &info, r->tag, NULL,
                            NULL, NULL) != 0) {
        server_count_open(r->srv, info.type, true);
    }
}

/* Bind and listen on r->host; an existing file is not replaced (sshd's
 * StreamLocalBindUnlink no). */
static int
rfwd_listen_unix(struct rfwd *r, char *why, size_t why_len)
{
    struct io_listener *l;
    int rc;

    if ((l = io_listener_new(r->srv->loop, true)) == NULL) {
        snprintf(why, why_len, "out of memory");
        return ERR_NOMEM;
    }
    l->h.handle.data = r; /* rfwd_sock_closed's */
    if ((rc = uv_pipe_bind(&l->h.pipe, r->host)) == 0 &&
        (rc = io_listen_start(l, RFWD_BACKLOG, rfwd_on_unix_connection)) != 0) {
        unlink(r->host); /* bound, so the file is ours */
    }
    if (rc != 0) {
        snprintf(why, why_len, "cannot listen on %.*s: %s", (int)LIM_UNIX_PATH,
                 r->host, io_strerror(rc));
        io_listener_close(l, NULL);
        return ERR_IO;
    }
    r->socks[r->n_socks++] = l;
    log_verbose("listening on %s for %s port %u", r->host, r->owner->addr,
                (unsigned)r->owner->port);
    return 0;
}

bool
server_rfwd_unix_request(struct server_conn *sc, const char *path)
{
    char why[SERVER_REASON_LEN], what[LIM_STRING_SMALL + 64];
    struct tcpip_forward m;
    struct rfwd *r;
    bool ok = false;

    snprintf(what, sizeof(what), "streamlocal-forward of %s", path);
    if (!server_may_streamlocal(sc, NULL, true, why, sizeof(why))) {
        goto out;
    }
    if (path[0] == '\0' || strlen(path) > LIM_UNIX_PATH) {
        snprintf(why, sizeof(why), "bad socket path");
        goto out;
    }
    if ((r = rfwd_find_kind(sc->srv, path, 0, true)) != NULL) {
        ok = rfwd_takeover(sc, r, path, why, sizeof(why));
        goto out;
    }
    if (sc->n_rfwds >= LIM_RFWDS) {
        snprintf(why, sizeof(why), "too many forwards on this session");
        goto out;
    }
    m.host = (char *)path;
    m.port = 0;
    if ((r = rfwd_new(sc, &m)) == NULL) {
        snprintf(why, sizeof(why), "out of memory");
        goto out;
    }
    r->is_unix = true;
    r->is_name = false;
    snprintf(r->key, sizeof(r->key), "%s", path); /* paths keep case */
    if (rfwd_listen_unix(r, why, sizeof(why)) != 0) {
        rfwd_discard(r);
        goto out;
    }
    if (rfwd_link(sc, r) != 0) {
        snprintf(why, sizeof(why), "out of memory");
        rfwd_discard(r);
        goto out;
    }
    log_info("Remote forward %s for %s port %u (%s)", path, sc->addr,
             (unsigned)sc->port, r->who_desc);
    ok = true;
out:
    if (!ok) {
        server_refused(sc, what, why);
    }
    return ok;
}

bool
server_rfwd_unix_cancel(struct server_conn *sc, const char *path)
{
    struct rfwd *r = rfwd_find_kind(sc->srv, path, 0, true);

    if (r == NULL || r->owner != sc) {
        return false;
    }
    log_verbose("cancelled forward of %s for %s port %u", path, sc->addr,
                (unsigned)sc->port);
    rfwd_remove(r);
    return true;
}
