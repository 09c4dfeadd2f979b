/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: permitopen / permitlisten rules, parsed and matched, with
 * the matcher checked against a small reference model of sshd's
 * match_pattern() and open_match(). Input: one flag byte, a big-endian
 * 16-bit port, then "rule" NUL "requested host".
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/permit.h"
#include "fuzz.h"
#include "fuzz_glob_model.h"

#define MODEL_MAX 64u

static void
check(const struct permit *p, const char *host, uint32_t port)
{
    char lower[MODEL_MAX + 1];
    bool port_ok = p->port == PERMIT_ANY_PORT || p->port == port;
    size_t i;

    for (i = 0; host[i] != '\0'; i++) {
        lower[i] = (char)tolower((unsigned char)host[i]);
    }
    lower[i] = '\0';
    if (permit_listen_match(p, host, port) !=
        (port_ok && model_glob(p->host, lower))) {
        abort();
    }
    if (permit_open_match(p, host, port) !=
        (port_ok &&
         (strcmp(p->host, "*") == 0 || strcmp(p->host, host) == 0))) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct permit p;
    char *text, *host;
    uint32_t port;

    if (size < 3 || size > 4096) {
        return 0;
    }
    port = (uint32_t)data[1] << 8 | data[2];
    if ((text = malloc(size - 2)) == NULL) {
        return 0;
    }
    memcpy(text, data + 3, size - 3);
    text[size - 3] = '\0';
    host = text + strlen(text);
    host += host < text + size - 3 ? 1 : 0; /* after the NUL, if any */
    if (permit_parse(text, data[0] & 1, &p) == 0) {
        if (strlen(p.host) <= MODEL_MAX && strlen(host) <= MODEL_MAX &&
            model_stars(p.host) <= MODEL_MAX_STARS) {
            check(&p, host, port);
        } else {
            (void)permit_listen_match(&p, host, port);
        }
        permit_cleanup(&p);
    }
    free(text);
    return 0;
}
