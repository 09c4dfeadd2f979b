/* SPDX-License-Identifier: ISC */
/*
 * The growable buffer: bytes are appended at the end and consumed from the
 * front. Memory is wiped whenever it is released or moved, because buffers
 * carry keys, plaintext and passwords alike. Never grows past LIM_BUF_MAX.
 */
#ifndef ADIT_WIRE_BUF_H
#define ADIT_WIRE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *d;  /* allocation, or NULL */
    size_t off;  /* first unread byte */
    size_t len;  /* end of data */
    size_t cap;  /* size of the allocation */
    size_t hw;   /* the most ever committed: nothing was written past it */
    bool nowipe; /* holds no key material: see buf_set_nowipe() */
};

/* Embedded use: init leaves an empty buffer; cleanup wipes and frees. */
void buf_init(struct buf *b);
void buf_cleanup(struct buf *b);

/* Heap use. buf_new returns NULL on allocation failure. */
struct buf *buf_new(void);
void buf_free(struct buf *b);

/* Unread bytes and a pointer to the first of them (NULL when empty). */
size_t buf_len(const struct buf *b);
uint8_t *buf_ptr(const struct buf *b);

/* Drop everything, keeping (wiped) memory for reuse. */
void buf_reset(struct buf *b);

/*
 * Mark a buffer as never holding key material or credentials, so reset,
 * compaction and growth skip the wipe (buf_cleanup still wipes). Only for
 * network I/O and forwarded data: the transport's input and output (the
 * public key exchange, ciphertext, and channel payload decrypted in place)
 * and data on its way to a local socket, which the kernel's socket
 * buffers hold in the clear anyway, and which OpenSSH does not wipe
 * either. Wiping it cost up to two extra passes over every forwarded byte.
 * The mark travels with the contents in buf_swap(). buf_cleanup wipes only
 * what was ever committed to such a buffer, not its whole allocation: room
 * reserved for a large read that never came was never written, and wiping
 * it would only fault in pages (a server holding thousands of connections
 * kept a quarter of a megabyte each that way).
 */
void buf_set_nowipe(struct buf *b);

/* Drop n bytes from the front; n must be <= buf_len (else abort). */
void buf_consume(struct buf *b, size_t n);

/* Keep only the first n unread bytes; n must be <= buf_len. */
void buf_truncate(struct buf *b, size_t n);

/*
 * Make room for n more bytes at the end and return a pointer to them in
 * *out without adding them: write, then buf_commit() what was written.
 * The pointer is valid until the next call that may grow the buffer.
 * ERR_LIMIT beyond LIM_BUF_MAX, ERR_NOMEM.
 */
int buf_reserve(struct buf *b, size_t n, uint8_t **out);
void buf_commit(struct buf *b, size_t n);

/* buf_reserve + buf_commit: n bytes added, returned for filling in. */
int buf_append_space(struct buf *b, size_t n, uint8_t **out);

/* Exchange the contents of two buffers (hands output to a writer). */
void buf_swap(struct buf *a, struct buf *b);

/* Writers for the SSH wire types (RFC 4251 5). 0, ERR_NOMEM, ERR_LIMIT. */
int buf_put(struct buf *b, const void *p, size_t n);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_bool(struct buf *b, bool v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
int buf_put_string(struct buf *b, const void *p, size_t n);
int buf_put_cstring(struct buf *b, const char *s);
/* The unread contents of src as one string. */
int buf_put_buf(struct buf *b, const struct buf *src);
/* An mpint from an unsigned big-endian magnitude (leading zeros skipped). */
int buf_put_mpint(struct buf *b, const uint8_t *mag, size_t n);

/* Write a big-endian uint32 into 4 bytes at p (no bounds: p is ours). */
void put_u32_be(uint8_t *p, uint32_t v);
uint32_t get_u32_be(const uint8_t *p);

#endif
