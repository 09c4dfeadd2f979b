/* SPDX-License-Identifier: ISC */
/* The protocol version exchange (RFC 4253 4.2). Internal to transport. */
#ifndef ADIT_TRANSPORT_VERSION_H
#define ADIT_TRANSPORT_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Find the peer's version line at the front of p[0..n). A client skips
 * other lines a server may send first (at most LIM_VERSION_PRELINES; the
 * count carries over calls in *prelines); a server accepts only the
 * version line. Lines end in CR LF or a bare LF and are at most
 * LIM_VERSION_LINE bytes. Only "SSH-2.0-" and "SSH-1.99-" are accepted.
 * Returns 0 with *line a malloc'd copy without the line ending and
 * *consumed the bytes used (including skipped lines); ERR_AGAIN for an
 * incomplete line (*consumed may still be > 0 for skipped lines); or
 * ERR_VERSION (too long, too many lines, a NUL, another protocol).
 */
int version_parse(const uint8_t *p, size_t n, bool is_client,
                  unsigned *prelines, char **line, size_t *consumed);

#endif
