/* SPDX-License-Identifier: ISC */
/*
 * Outgoing TCP connections without blocking the loop: the name is
 * resolved with uv_getaddrinfo, each address is tried in turn with a
 * non-blocking connect, and the whole attempt is bounded by a timeout.
 * TCP_NODELAY is set on every socket before its first byte.
 */
#ifndef ADIT_IO_IO_CONNECT_H
#define ADIT_IO_IO_CONNECT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct io_connect;

/*
 * The outcome, called once from the loop (never from io_connect_start):
 * status 0 and tcp a connected, malloc'd handle now owned by the callee
 * (close it with io_close_free or uv_close + free), or a libuv status (the
 * last connect error, UV_ETIMEDOUT, or a UV_EAI_* code with resolving set).
 * The io_connect is gone once the callback returns.
 */
typedef void (*io_connect_cb)(void *ctx, int status, bool resolving,
                              uv_tcp_t *tcp);

/*
 * Start connecting to host:port. family AF_UNSPEC, AF_INET or AF_INET6.
 * timeout_ms 0 means no timeout. ERR_NOMEM, ERR_INVAL. A numeric host is
 * not resolved: its connect starts before this returns.
 */
int io_connect_start(struct io_connect **out, uv_loop_t *loop, const char *host,
                     uint16_t port, int family, uint64_t timeout_ms,
                     io_connect_cb cb, void *ctx);

/*
 * What each socket is bound to before it connects: addr a numeric IPv4 or
 * IPv6 address (BindAddress, -b; addresses of the other family are
 * skipped), else ifname's first address of the family being tried, not
 * IPv6 link-local (BindInterface, as ssh; an interface with none,
 * "getifaddrs: IF: no suitable addresses", fails that address). NULL: none.
 */
struct io_connect_bind {
    const char *addr;
    const char *ifname;
};

/*
 * io_connect_start with a bind; ERR_INVAL also for a non-numeric addr or
 * an ifname too long to be an interface's.
 */
int io_connect_start_bound(struct io_connect **out, uv_loop_t *loop,
                           const char *host, uint16_t port, int family,
                           uint64_t timeout_ms,
                           const struct io_connect_bind *bind, io_connect_cb cb,
                           void *ctx);

/* Give up: the callback will not be called; resources go in the loop. */
void io_connect_cancel(struct io_connect *c);

#endif
