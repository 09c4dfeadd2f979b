/* SPDX-License-Identifier: ISC */
/*
 * The Prometheus text exposition format (version 0.0.4): "# HELP" and
 * "# TYPE" lines once per metric family, then one sample per line,
 * name{label="value",...} value. Label values may be a peer's text (a
 * user name, a forward's host), so backslash, double quote and newline are
 * escaped as the format requires; metric and label names are ours and are
 * checked against [a-zA-Z_:][a-zA-Z0-9_:]*.
 */
#ifndef ADIT_CTL_METRICS_H
#define ADIT_CTL_METRICS_H

#include <stdint.h>

#include "wire/buf.h"

/* The Content-Type a scrape is answered with. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The family's HELP and TYPE lines; type is "counter" or "gauge".
 * 0, ERR_INVAL (a bad name), ERR_NOMEM, ERR_LIMIT. */
int metrics_family(struct buf *b, const char *name, const char *type,
                   const char *help);

/*
 * One sample. labels is NULL, or name/value pairs ended by a NULL name:
 * {"type", "direct-tcpip", NULL}.
 */
int metrics_u64(struct buf *b, const char *name, const char *const *labels,
                uint64_t v);
int metrics_double(struct buf *b, const char *name, const char *const *labels,
                   double v);

#endif
