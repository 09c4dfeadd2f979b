/* SPDX-License-Identifier: ISC */
/* The peer's uid on a Unix socket: platform code, kept apart. */
#ifdef __linux__
#define _GNU_SOURCE /* struct ucred */
#endif
#include "io/io_peercred.h"

#include <sys/socket.h>
#include <unistd.h>

#include "util/err.h"

int
io_peer_uid(int fd, uid_t *uid)
{
#ifdef __linux__
    struct ucred cr;
    socklen_t len = sizeof(cr);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
        len != sizeof(cr)) {
        return ERR_IO;
    }
    *uid = cr.uid;
    return 0;
#else
    gid_t gid;

    return getpeereid(fd, uid, &gid) == 0 ? 0 : ERR_IO;
#endif
}
