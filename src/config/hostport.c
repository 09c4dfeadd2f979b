/* SPDX-License-Identifier: ISC */
/* Splitting "host:port", "[v6]:port" and colon lists as ssh writes them. */
#include "config/hostport.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

void
hostport_free_fields(char **fields, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(fields[i]);
        fields[i] = NULL;
    }
}

/* Length of the field starting at s and whether it was bracketed. */
static int
hostport_field_len(const char *s, size_t *len, bool *bracketed)
{
    const char *close;

    *bracketed = false;
    if (s[0] != '[') {
        *len = strcspn(s, ":");
        return 0;
    }
    close = strchr(s, ']');
    if (close == NULL || close == s + 1 ||
        (close[1] != '\0' && close[1] != ':')) {
        return ERR_FORMAT;
    }
    *bracketed = true;
    *len = (size_t)(close - s) + 1;
    return 0;
}

int
hostport_split(const char *s, char **fields, size_t max, size_t *n)
{
    size_t len, count = 0;
    bool br;
    int r;

    *n = 0;
    for (;;) {
        if (count == max) {
            r = ERR_FORMAT;
            goto out;
        }
        if ((r = hostport_field_len(s, &len, &br)) != 0) {
            goto out;
        }
        fields[count] = br ? str_ndup(s + 1, len - 2) : str_ndup(s, len);
        if (fields[count] == NULL) {
            r = ERR_NOMEM;
            goto out;
        }
        count++;
        if (s[len] == '\0') {
            break;
        }
        s += len + 1;
    }
    *n = count;
    r = 0;
out:
    if (r != 0) {
        hostport_free_fields(fields, count);
    }
    return r;
}

int
hostport_port(const char *s, bool allow_zero, uint16_t *port)
{
    unsigned long v = 0;
    size_t i;

    *port = 0;
    if (s[0] == '\0' || strlen(s) > 5) {
        return ERR_FORMAT;
    }
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return ERR_FORMAT;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535 || (v == 0 && !allow_zero)) {
        return ERR_FORMAT;
    }
    *port = (uint16_t)v;
    return 0;
}

int
hostport_parse(const char *s, char **host, uint16_t *port)
{
    char *f[2] = {NULL, NULL};
    size_t n = 0;
    uint8_t a6[16];
    int r;

    *host = NULL;
    *port = 0;
    if (inet_pton(AF_INET6, s, a6) == 1) {
        /* Several colons without brackets: a bare IPv6 address. */
        return (*host = str_ndup(s, strlen(s))) == NULL ? ERR_NOMEM : 0;
    }
    if ((r = hostport_split(s, f, 2, &n)) != 0) {
        return r;
    }
    if (f[0][0] == '\0' ||
        (n == 2 && (r = hostport_port(f[1], false, port)) != 0)) {
        r = ERR_FORMAT;
        goto out;
    }
    *host = f[0];
    f[0] = NULL;
    r = 0;
out:
    hostport_free_fields(f, n);
    return r;
}
