/* SPDX-License-Identifier: ISC */
/* The protocol version exchange: finding the peer's identification line. */
#include "transport/version.h"

#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * RFC 4253 4.2:
 *
 *   SSH-protoversion-softwareversion SP comments CR LF
 *
 * at most 255 bytes including CR LF. A server may send other lines first
 * (a client must skip them); they must not start with "SSH-". We accept a
 * bare LF as the end of a line too, as OpenSSH does.
 */
#define VERSION_PREFIX "SSH-"
#define VERSION_20 "SSH-2.0-"
#define VERSION_199 "SSH-1.99-"

static bool
has_prefix(const uint8_t *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && memcmp(p, prefix, k) == 0;
}

/*
 * Find the end of the line at p[0..n): *linelen is its length without the
 * line ending and *used with it. ERR_AGAIN if no LF yet, ERR_VERSION on a
 * NUL or a line longer than LIM_VERSION_LINE.
 */
static int
version_line(const uint8_t *p, size_t n, size_t *linelen, size_t *used)
{
    size_t i, max = n < LIM_VERSION_LINE ? n : LIM_VERSION_LINE;

    *linelen = *used = 0;
    for (i = 0; i < max; i++) {
        if (p[i] == '\0') {
            return ERR_VERSION;
        }
        if (p[i] == '\n') {
            *used = i + 1;
            *linelen = (i > 0 && p[i - 1] == '\r') ? i - 1 : i;
            return 0;
        }
    }
    return n < LIM_VERSION_LINE ? ERR_AGAIN : ERR_VERSION;
}

/* Check an identification line and return a copy of it. */
static int
version_accept(const uint8_t *p, size_t len, char **line)
{
    size_t k;

    if (has_prefix(p, len, VERSION_20)) {
        k = strlen(VERSION_20);
    } else if (has_prefix(p, len, VERSION_199)) {
        k = strlen(VERSION_199);
    } else {
        return ERR_VERSION;
    }
    /* softwareversion must not be empty. */
    if (len == k || p[k] == ' ' || p[k] == '\r') {
        return ERR_VERSION;
    }
    if ((*line = str_ndup((const char *)p, len)) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
version_parse(const uint8_t *p, size_t n, bool is_client, unsigned *prelines,
              char **line, size_t *consumed)
{
    size_t off = 0, linelen, used;
    int r;

    *line = NULL;
    *consumed = 0;
    for (;;) {
        if ((r = version_line(p + off, n - off, &linelen, &used)) != 0) {
            break;
        }
        if (has_prefix(p + off, linelen, VERSION_PREFIX)) {
            if ((r = version_accept(p + off, linelen, line)) == 0) {
                off += used;
            }
            break;
        }
        /* Only a server may send lines before its version line. */
        if (!is_client || *prelines >= LIM_VERSION_PRELINES) {
            r = ERR_VERSION;
            break;
        }
        (*prelines)++;
        off += used;
    }
    *consumed = off;
    return r;
}
