/* SPDX-License-Identifier: ISC */
/*
 * The Prometheus endpoint (MetricsAddress / -o MetricsListen=): HTTP/1.0
 * GET (or HEAD) /metrics on a loopback address only, one bounded request
 * and one response per connection, then close. Anything else is answered
 * 400, 404 or 405.
 */
#ifndef ADIT_IO_IO_METRICS_H
#define ADIT_IO_IO_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wire/buf.h"

struct io_svc;

/* Write the metrics text (ctl/metrics.h) to out. 0 or an ERR_*. */
typedef int (*io_metrics_cb)(void *ctx, struct buf *out);

/*
 * Parse "ADDR:PORT" ("127.0.0.1:9187", "[::1]:9187", "localhost:9187")
 * into ss; ERR_CONFIG with the reason in why for anything else, or an
 * address that is not loopback: the numbers are nobody else's business.
 */
int io_metrics_addr(const char *spec, struct sockaddr_storage *ss, char *why,
                    size_t why_len);

/* Listen at spec. *port_out gets the port bound (for port 0). ERR_CONFIG
 * (why says what is wrong), or ERR_IO / ERR_EXISTS from the bind. The
 * result is closed with io_svc_close(). */
int io_metrics_listen(struct io_svc **out, uv_loop_t *loop, const char *spec,
                      io_metrics_cb cb, void *ctx, uint16_t *port_out,
                      char *why, size_t why_len);

#endif
