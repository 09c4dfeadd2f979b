/* SPDX-License-Identifier: ISC */
/*
 * The bounds-checked reader: the only way to read bytes that came from a
 * peer or a file. Every function checks the length it needs against what
 * remains before touching memory, and leaves the reader unchanged on error.
 */
#ifndef ADIT_WIRE_RD_H
#define ADIT_WIRE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
};

void rd_init(struct rd *rd, const void *p, size_t len);

/* Bytes not yet read. */
size_t rd_left(const struct rd *rd);

/* Fixed-size fields (RFC 4251 5). Return 0 or ERR_TRUNC. */
int rd_u8(struct rd *rd, uint8_t *v);
int rd_u32(struct rd *rd, uint32_t *v);
int rd_u64(struct rd *rd, uint64_t *v);
/* boolean: any non-zero byte is true (RFC 4251 5). */
int rd_bool(struct rd *rd, bool *v);

/* n raw bytes as a view into the input. 0 or ERR_TRUNC. */
int rd_bytes(struct rd *rd, size_t n, const uint8_t **p);

/*
 * A string (uint32 length, then bytes) as a view into the input; the view
 * lives as long as the input does. ERR_TRUNC if the length runs past the
 * end, ERR_LIMIT if it exceeds max.
 */
int rd_string(struct rd *rd, const uint8_t **p, size_t *len, size_t max);

/*
 * A string that must hold text: no NUL byte inside. *out is a malloc'd,
 * NUL-terminated copy the caller frees. ERR_FORMAT on an embedded NUL.
 */
int rd_cstring(struct rd *rd, char **out, size_t max);

/*
 * A name-list (RFC 4251 5): a string of comma-separated non-empty names
 * of printable ASCII without spaces. *out is a malloc'd NUL-terminated
 * copy. ERR_FORMAT on an empty name, a control byte or a space; an empty
 * list is allowed.
 */
int rd_namelist(struct rd *rd, char **out, size_t max);

/*
 * An mpint (RFC 4251 5) that must be non-negative and minimally encoded
 * (no needless leading zero byte); *p and *len view its magnitude without
 * the sign byte. ERR_FORMAT for a negative or badly padded value.
 */
int rd_mpint(struct rd *rd, const uint8_t **p, size_t *len, size_t max);

/* A string whose contents are read with a child reader. */
int rd_sub(struct rd *rd, struct rd *child, size_t max);

/*
 * The bytes before the next delim, as a view; delim is consumed but is
 * not part of the view (text lines, NUL-terminated SOCKS fields).
 * ERR_LIMIT when delim is not within the first max + 1 remaining bytes;
 * else ERR_TRUNC when it is not among them (more input may bring it).
 */
int rd_until(struct rd *rd, uint8_t delim, const uint8_t **p, size_t *len,
             size_t max);

/* 0 when everything has been read, else ERR_TRAILING. */
int rd_end(const struct rd *rd);

#endif
