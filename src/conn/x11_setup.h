/* SPDX-License-Identifier: ISC */
/*
 * The first bytes of an X11 connection, as a forwarded x11 channel brings
 * them from the server: the client's connection setup, whose
 * authorization data must be the fake cookie we gave the server, and is
 * replaced by the real one before anything reaches the local display (as
 * OpenSSH's channels.c x11_open_helper does). No I/O.
 */
#ifndef ADIT_CONN_X11_SETUP_H
#define ADIT_CONN_X11_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"
#include "wire/rd.h"

/* The byte-order byte: most or least significant byte first. */
#define X11_SETUP_MSB 0x42u /* 'B' */
#define X11_SETUP_LSB 0x6cu /* 'l' */
/* The fixed part of the setup, before the two strings. */
#define X11_SETUP_FIXED 12u

/* A decoded connection setup; proto and data view the input. */
struct x11_setup {
    bool is_msb;
    uint16_t major, minor;
    const uint8_t *proto; /* authorization-protocol-name */
    size_t proto_len;
    const uint8_t *data; /* authorization-protocol-data */
    size_t data_len;
    size_t data_off; /* where data starts, from the first byte */
    size_t len;      /* the whole setup with padding */
};

/*
 * Decode the setup at rd (which ends up after it; anything later is the
 * client's next request). ERR_TRUNC when more bytes are needed,
 * ERR_FORMAT for an unknown byte order, ERR_LIMIT when a string is longer
 * than max_proto or max_data (said as soon as the fixed part is there, so
 * a caller need never hold a long setup). rd is unchanged on error.
 */
int x11_setup_decode(struct rd *rd, struct x11_setup *s, size_t max_proto,
                     size_t max_data);

/* The secrets of one forwarding: the auth protocol name, the real
 * cookie from xauth and the fake one the server got, of equal length. */
#define X11_PROTO_MAX 64u
#define X11_COOKIE_MAX 256u

struct x11_cookie {
    char proto[X11_PROTO_MAX + 1];
    uint8_t real[X11_COOKIE_MAX];
    uint8_t fake[X11_COOKIE_MAX];
    size_t len;
};

/*
 * ck from xauth's words: the protocol name and the cookie in hex (even
 * length, at most X11_COOKIE_MAX bytes), and a fake cookie of the same
 * length drawn at random. ERR_FORMAT (not hex, odd, empty), ERR_LIMIT,
 * ERR_CRYPTO. Wipe with x11_cookie_wipe.
 */
int x11_cookie_init(struct x11_cookie *ck, const char *proto, const char *hex);
void x11_cookie_wipe(struct x11_cookie *ck);

/*
 * The data of the session's "x11-req" (RFC 4254 6.3.1), as ssh sends it:
 *   boolean single connection (false)
 *   string  x11 authentication protocol
 *   string  x11 authentication cookie: the fake one, in lowercase hex
 *   uint32  x11 screen number
 */
int x11_req_encode(struct buf *b, const struct x11_cookie *ck, uint32_t screen);

/*
 * The first n bytes of a forwarded connection: 0 with the bytes copied to
 * out (appended), the fake cookie replaced by the real one; ERR_TRUNC
 * when the setup is not complete yet; ERR_AUTH for another protocol, or
 * data that is not the fake cookie (compared in constant time);
 * ERR_FORMAT for a bad byte order.
 */
int x11_setup_spoof(const struct x11_cookie *ck, const uint8_t *p, size_t n,
                    struct buf *out);

#endif
