/* SPDX-License-Identifier: ISC */
/*
 * ProxyJump / -J: "[user@]host[:port]" or "ssh://[user@]host[:port]",
 * comma-separated, first hop first; "none" means no jump host.
 */
#ifndef ADIT_CONFIG_JUMPSPEC_H
#define ADIT_CONFIG_JUMPSPEC_H

#include <stddef.h>
#include <stdint.h>

struct jumphop {
    char *user; /* NULL: the hop's own config or the local user */
    char *host;
    uint16_t port; /* 0: the hop's own config or 22 */
};

struct jumpspec {
    struct jumphop *hops;
    size_t n; /* 0 for "none" */
};

/*
 * Parse s into out (cleared first). ERR_FORMAT for an empty hop, a bad
 * port, an empty user or host; ERR_LIMIT past LIM_JUMP_HOPS; ERR_NOMEM.
 * On error out is empty.
 */
int jumpspec_parse(const char *s, struct jumpspec *out);
void jumpspec_cleanup(struct jumpspec *j);

/*
 * The chain "before,spec" into *out (malloc'd): the first hop's own
 * ProxyJump goes in front, as ssh's ssh for that hop jumps through it.
 * before "none" gives spec unchanged. The errors of jumpspec_parse() for
 * the whole chain (ERR_LIMIT past LIM_JUMP_HOPS: a loop ends there).
 */
int jumpspec_prepend(const char *before, const char *spec, char **out);

#endif
