/* SPDX-License-Identifier: ISC */
/* Who is on the other end of a connected Unix socket. */
#ifndef ADIT_IO_IO_PEERCRED_H
#define ADIT_IO_IO_PEERCRED_H

#include <sys/types.h>

/* The peer's effective uid (SO_PEERCRED on Linux, getpeereid elsewhere).
 * 0 or ERR_IO. */
int io_peer_uid(int fd, uid_t *uid);

#endif
