/* SPDX-License-Identifier: ISC */
/* Small libuv helpers shared by io/, fwd/ and app/. */
#ifndef ADIT_IO_IO_UTIL_H
#define ADIT_IO_IO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <uv.h>

/* Monotonic milliseconds, as the protocol core wants to be told. */
uint64_t io_now_ms(uv_loop_t *loop);

/*
 * The soft RLIMIT_NOFILE raised to the hard limit, as servers do at start:
 * every forwarded connection costs a descriptor (aditd: two, and one per
 * -R listener), and the usual soft 1,024 would stop a tunnel long before
 * memory does. The new soft limit (or the old one if it cannot change).
 */
unsigned long io_raise_nofile(void);

/*
 * A child that runs another program gets the soft limit the process
 * started with, as servers hand it on: a program built on select() breaks
 * on a descriptor past FD_SETSIZE (1,024), so it must not be told it may
 * open more. io_nofile_child() is for a fork()ed child before it execs
 * (or prompts); io_spawn() is uv_spawn() with the start's limit in effect
 * while the child is made (libuv has no hook in the child), the raised one
 * back before it returns.
 */
void io_nofile_child(void);
int io_spawn(uv_loop_t *loop, uv_process_t *proc,
             const uv_process_options_t *o);
/* For another spawn with no hook in the child (posix_spawn): the start's
 * soft limit in effect, true if it changed (*was: the raised one, for
 * io_nofile_restore once the child is made). */
bool io_nofile_lower(struct rlimit *was);
void io_nofile_restore(const struct rlimit *was);

/* uv_close() a malloc'd handle and free() it in the close callback. */
void io_close_free(uv_handle_t *h);

/*
 * Write a copy of n bytes to st (short replies outside a channel's own
 * flow, such as a SOCKS answer); the copy is freed once the write is done
 * or cancelled by a close. libuv keeps the order of writes on a stream.
 */
int io_write_copy(uv_stream_t *st, const void *p, size_t n);
/* The same for a secret (an X11 setup with the real cookie): the copy is
 * wiped before it is freed. */
int io_write_copy_wiped(uv_stream_t *st, const void *p, size_t n);

/* A libuv status as one of our ERR_* codes. */
int io_err_from_uv(int status);

/* The text ssh prints for a connect or resolve failure: strerror() or
 * gai_strerror() wording ("Connection refused", "Name or service not
 * known"). */
const char *io_strerror(int uv_status);

/* "ADDR" and port of a socket address, IPv6 without brackets. */
void io_addr_str(const struct sockaddr *sa, char *out, size_t out_len,
                 uint16_t *port);

/* Peer or local address of a TCP handle (0 or ERR_IO). */
int io_peer_str(const uv_tcp_t *t, char *out, size_t out_len, uint16_t *port);
int io_sock_str(const uv_tcp_t *t, char *out, size_t out_len, uint16_t *port);

/* SO_KEEPALIVE on or off, leaving the system's probe timers alone (as
 * ssh's TCPKeepAlive does; uv_tcp_keepalive would also set the idle
 * time). 0 or ERR_IO. */
int io_tcp_keepalive(uv_tcp_t *t, bool on);

/* TCP_USER_TIMEOUT: data unacknowledged for ms aborts the connection
 * (ETIMEDOUT). ERR_IO; ERR_INVAL where the system has no such option. */
int io_tcp_user_timeout(uv_tcp_t *t, unsigned ms);

/* TCP_QUICKACK: what was read is acknowledged now, not after the delayed-
 * ACK timer (up to 40 ms). Not sticky: the kernel goes back to delaying
 * once the exchange looks interactive, so it is set again after a read.
 * ERR_IO; ERR_INVAL where the system has no such option. */
int io_tcp_quickack(uv_tcp_t *t);

#endif
