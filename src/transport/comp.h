/* SPDX-License-Identifier: ISC */
/*
 * Payload compression (RFC 4253 6.2): one zlib stream per direction, each
 * payload deflated with Z_PARTIAL_FLUSH so that it can be inflated on its
 * own arrival, as OpenSSH's packet.c does. "zlib" starts at NEWKEYS;
 * "zlib@openssh.com" waits for authentication (OpenSSH PROTOCOL 1.2).
 * Internal to the transport layer; no I/O.
 */
#ifndef ADIT_TRANSPORT_COMP_H
#define ADIT_TRANSPORT_COMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMP_ZLIB "zlib"
#define COMP_DELAYED "zlib@openssh.com"

enum comp_type {
    COMP_TYPE_NONE,
    COMP_TYPE_ZLIB,    /* from NEWKEYS on */
    COMP_TYPE_DELAYED, /* from the first packet after USERAUTH_SUCCESS */
};

/* The type of a negotiated name; anything else (NULL, "none") is none. */
enum comp_type comp_type_by_name(const char *name);

/* True for the names we implement ("none" included), for KEXINIT lists. */
bool comp_is_known(const char *name);

struct comp;

/* A fresh stream: deflating (is_deflate) or inflating. ERR_NOMEM. */
int comp_new(struct comp **out, bool is_deflate);
void comp_free(struct comp *z);

/*
 * Most bytes that deflating n bytes can give: room the sender reserves
 * ahead of the payload so that the compressed form fits in its place.
 */
size_t comp_bound(size_t n);

/*
 * Compress one payload. *out views the compressed bytes, valid until the
 * next call on z. At most comp_bound(n) bytes. ERR_INTERNAL if zlib
 * fails, ERR_NOMEM.
 */
int comp_deflate(struct comp *z, const uint8_t *p, size_t n,
                 const uint8_t **out, size_t *out_len);

/*
 * Decompress one payload from the peer. *out views the result, valid until
 * the next call on z. ERR_LIMIT if it would be longer than max (a
 * decompression bomb: the connection ends), ERR_PROTO if it is not valid
 * deflate data or ends the stream, ERR_NOMEM. After an error the stream is
 * unusable.
 */
int comp_inflate(struct comp *z, const uint8_t *p, size_t n, size_t max,
                 const uint8_t **out, size_t *out_len);

#endif
