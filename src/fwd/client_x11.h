/* SPDX-License-Identifier: ISC */
/*
 * adit -X / -Y: what X11 forwarding needs before the session asks for it,
 * as ssh's clientloop.c client_x11_get_proto makes it: the display, and
 * the real cookie from xauth (for -X an untrusted one, generated in a
 * private file with ForwardX11Timeout), with a fake one of the same
 * length for the server.
 */
#ifndef ADIT_FWD_CLIENT_X11_H
#define ADIT_FWD_CLIENT_X11_H

#include <stdbool.h>
#include <stdint.h>

#include "config/client_config.h"
#include "conn/x11_setup.h"
#include "fwd/fwd_x11.h"

struct client_x11 {
    bool is_ready; /* x11-req may be sent */
    struct x11_cookie ck;
    struct fwd_x11_display d;
    uint64_t refuse_at_ns; /* uv_hrtime() after which x11 channels are
                              refused (untrusted, timeout); 0: never */
};

/*
 * Run before the loop (xauth is a child process, bounded by
 * LIM_XAUTH_MS). With display NULL or unusable, or no cookie for -X,
 * x->is_ready stays false and ssh's message has been printed.
 */
void client_x11_prepare(const struct client_config *cfg, const char *display,
                        struct client_x11 *x);
void client_x11_cleanup(struct client_x11 *x);

/* Whether an x11 channel opened now is past ForwardX11Timeout. */
bool client_x11_expired(const struct client_x11 *x);

/*
 * The first line of `xauth list`'s output: "<display> <proto> <hex>".
 * 0 with ck set (and a fresh fake cookie), or ERR_FORMAT.
 */
int client_x11_parse_list(const char *out, struct x11_cookie *ck);

#endif
