/* SPDX-License-Identifier: ISC */
/*
 * The client's password (RFC 4252 8) and keyboard-interactive (RFC 4256)
 * methods: the INFO_REQUEST decoder, public for the fuzzer and the tests.
 */
#ifndef ADIT_AUTH_USERAUTH_CLIENT_KBD_H
#define ADIT_AUTH_USERAUTH_CLIENT_KBD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/adit_limits.h"
#include "wire/rd.h"

/* An INFO_REQUEST, its texts cleaned of control characters (malloc'd). */
struct userauth_info_request {
    char *name;
    char *instruction;
    char *prompt[LIM_KBDINT_PROMPTS];
    bool echo[LIM_KBDINT_PROMPTS];
    size_t n;
};

/*
 * Decode an INFO_REQUEST after its message number (RFC 4256 3.2). q is
 * cleared first and holds nothing on error: ERR_PROTO for a malformed or
 * truncated message or trailing bytes, ERR_LIMIT for more than
 * LIM_KBDINT_PROMPTS prompts or a text over LIM_KBDINT_TEXT bytes,
 * ERR_NOMEM.
 */
int userauth_info_request_decode(struct rd *rd,
                                 struct userauth_info_request *q);
void userauth_info_request_cleanup(struct userauth_info_request *q);

#endif
