/* SPDX-License-Identifier: ISC */
/*
 * X11 forwarding's local end: $DISPLAY read as ssh reads it, and each x11
 * channel the server opens held until the X client's connection setup
 * carries our fake cookie, then joined to the local display with the real
 * cookie in its place (OpenSSH channels.c x11_open_helper). A wrong cookie
 * ends the channel before anything reaches the display.
 */
#ifndef ADIT_FWD_FWD_X11_H
#define ADIT_FWD_FWD_X11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn/x11_setup.h"
#include "io/io_conn.h"
#include "util/adit_limits.h"

/* Where X11 connections go, and the screen x11-req names. */
struct fwd_x11_display {
    bool is_unix;
    char path[LIM_UNIX_PATH + 1]; /* is_unix: /tmp/.X11-unix/X<n> */
    char host[LIM_HOSTNAME + 1];  /* else TCP host, port 6000 + n */
    uint16_t port;
    uint32_t number;
    uint32_t screen;
};

/* Where a display's Unix socket is (ssh's _PATH_UNIX_X). */
#define FWD_X11_UNIX_PATH "/tmp/.X11-unix/X%u"
#define FWD_X11_BASE_PORT 6000u

/*
 * display as ssh reads $DISPLAY: ":N[.S]", "unix:N[.S]" (any text before
 * the last ':') is the Unix socket of display N; "host:N[.S]" is TCP to
 * host, port 6000 + N. ERR_FORMAT with ssh's message in why.
 */
int fwd_x11_display_parse(const char *display, struct fwd_x11_display *d,
                          char *why, size_t why_len);

/*
 * Answer the server's x11 channel id: confirmed and held (its data
 * checked against ck) until the setup is complete; then connected to d
 * and joined, or ended with ssh's "X11 connection rejected because of
 * wrong authentication." ck and d are copied (the copy wiped when the
 * channel ends).
 */
void fwd_x11_accept(struct io_conn *ic, uint32_t id,
                    const struct x11_cookie *ck,
                    const struct fwd_x11_display *d);

#endif
