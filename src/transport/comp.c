/* SPDX-License-Identifier: ISC */
/* Payload compression with zlib, one stream per direction. */
#include "transport/comp.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"

/* What OpenSSH uses (packet.c start_compression_out). */
#define COMP_LEVEL 6
/* Output is produced in steps of this much. */
#define COMP_CHUNK (16u * 1024u)

struct comp {
    z_stream s;
    bool is_deflate;
    bool broken; /* zlib failed once: the stream state is unknown */
    struct buf out;
};

enum comp_type
comp_type_by_name(const char *name)
{
    if (name == NULL) {
        return COMP_TYPE_NONE;
    }
    if (strcmp(name, COMP_ZLIB) == 0) {
        return COMP_TYPE_ZLIB;
    }
    if (strcmp(name, COMP_DELAYED) == 0) {
        return COMP_TYPE_DELAYED;
    }
    return COMP_TYPE_NONE;
}

bool
comp_is_known(const char *name)
{
    return strcmp(name, "none") == 0 || strcmp(name, COMP_ZLIB) == 0 ||
           strcmp(name, COMP_DELAYED) == 0;
}

int
comp_new(struct comp **out, bool is_deflate)
{
    struct comp *z;
    int rc;

    *out = NULL;
    if ((z = calloc(1, sizeof(*z))) == NULL) {
        return ERR_NOMEM;
    }
    z->is_deflate = is_deflate;
    buf_init(&z->out);
    rc = is_deflate ? deflateInit(&z->s, COMP_LEVEL) : inflateInit(&z->s);
    if (rc != Z_OK) {
        free(z);
        return rc == Z_MEM_ERROR ? ERR_NOMEM : ERR_INTERNAL;
    }
    *out = z;
    return 0;
}

void
comp_free(struct comp *z)
{
    if (z == NULL) {
        return;
    }
    if (z->is_deflate) {
        deflateEnd(&z->s);
    } else {
        inflateEnd(&z->s);
    }
    buf_cleanup(&z->out);
    mem_free_wiped(z, sizeof(*z));
}

/*
 * Stored blocks cost 5 bytes per 16 KiB at worst, a partial flush ends
 * with an empty block of 10 bits, and the first payload carries the
 * 2-byte zlib header: n / 16 + 64 covers all of it with room to spare.
 */
size_t
comp_bound(size_t n)
{
    return n + n / 16 + 64;
}

int
comp_deflate(struct comp *z, const uint8_t *p, size_t n, const uint8_t **out,
             size_t *out_len)
{
    uint8_t *room = NULL;
    int r, rc;

    *out = NULL;
    *out_len = 0;
    buf_reset(&z->out);
    if (z->broken || !z->is_deflate) {
        return ERR_INTERNAL;
    }
    z->s.next_in = (Bytef *)(uintptr_t)p;
    z->s.avail_in = (uInt)n;
    do {
        if ((r = buf_reserve(&z->out, COMP_CHUNK, &room)) != 0) {
            return r;
        }
        z->s.next_out = room;
        z->s.avail_out = COMP_CHUNK;
        rc = deflate(&z->s, Z_PARTIAL_FLUSH);
        /* Z_BUF_ERROR: no progress was possible, everything is out. */
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            z->broken = true;
            return ERR_INTERNAL;
        }
        buf_commit(&z->out, COMP_CHUNK - z->s.avail_out);
    } while (z->s.avail_out == 0);
    if (z->s.avail_in != 0 || buf_len(&z->out) > comp_bound(n)) {
        z->broken = true;
        return ERR_INTERNAL;
    }
    *out = buf_ptr(&z->out);
    *out_len = buf_len(&z->out);
    return 0;
}

/* One inflate step into at most room bytes more of z->out. */
static int
inflate_step(struct comp *z, size_t room, int *rc)
{
    uint8_t *dst = NULL;
    int r;

    if ((r = buf_reserve(&z->out, room, &dst)) != 0) {
        return r;
    }
    z->s.next_out = dst;
    z->s.avail_out = (uInt)room;
    *rc = inflate(&z->s, Z_SYNC_FLUSH);
    buf_commit(&z->out, room - z->s.avail_out);
    return 0;
}

int
comp_inflate(struct comp *z, const uint8_t *p, size_t n, size_t max,
             const uint8_t **out, size_t *out_len)
{
    size_t room;
    int r, rc = Z_OK;

    *out = NULL;
    *out_len = 0;
    buf_reset(&z->out);
    if (z->broken || z->is_deflate) {
        return ERR_INTERNAL;
    }
    z->s.next_in = (Bytef *)(uintptr_t)p;
    z->s.avail_in = (uInt)n;
    for (;;) {
        /* Never let more than max + 1 bytes out: one past the cap is
         * enough to know the payload is too big. */
        room = max + 1 - buf_len(&z->out);
        if (room > COMP_CHUNK) {
            room = COMP_CHUNK;
        }
        if ((r = inflate_step(z, room, &rc)) != 0) {
            z->broken = true;
            return r;
        }
        if (buf_len(&z->out) > max) {
            z->broken = true;
            return ERR_LIMIT;
        }
        if (rc == Z_BUF_ERROR ||
            (rc == Z_OK && z->s.avail_in == 0 && z->s.avail_out != 0)) {
            break; /* all input used, all output out */
        }
        if (rc != Z_OK) {
            /* Z_STREAM_END too: the peer's stream must never end. */
            z->broken = true;
            return rc == Z_MEM_ERROR ? ERR_NOMEM : ERR_PROTO;
        }
    }
    if (z->s.avail_in != 0) {
        z->broken = true;
        return ERR_PROTO;
    }
    *out = buf_ptr(&z->out);
    *out_len = buf_len(&z->out);
    return 0;
}
