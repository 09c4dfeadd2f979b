/* SPDX-License-Identifier: ISC */
/* Splitting "host:port", "[v6]:port" and colon lists as ssh writes them. */
#ifndef ADIT_CONFIG_HOSTPORT_H
#define ADIT_CONFIG_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Split s at unbracketed colons into at most max fields, each a malloc'd
 * copy with any surrounding [ ] removed (so "[::1]" gives "::1"). A
 * bracket that is not closed, empty brackets, or text glued to a closing
 * bracket other than a colon, is ERR_FORMAT; more than max fields ERR_FORMAT.
 * *n receives the field count; free the fields with hostport_free_fields().
 */
int hostport_split(const char *s, char **fields, size_t max, size_t *n);
void hostport_free_fields(char **fields, size_t n);

/*
 * A port number "0".."65535" (decimal only). allow_zero permits 0.
 * ERR_FORMAT otherwise.
 */
int hostport_port(const char *s, bool allow_zero, uint16_t *port);

/*
 * "host", "host:port", "[v6]" or "[v6]:port" (an unbracketed IPv6 literal
 * is taken whole as a host). *host is malloc'd; *port is 0 when absent.
 */
int hostport_parse(const char *s, char **host, uint16_t *port);

#endif
