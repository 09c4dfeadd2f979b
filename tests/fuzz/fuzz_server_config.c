/* SPDX-License-Identifier: ISC */
/* Fuzz harness: aditd configuration lines, Match blocks and -T. */
#include <stdlib.h>
#include <string.h>

#include "config/server_config.h"
#include "fuzz.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"

static int
fuzz_in_group(const char *user, const char *list)
{
    if (user[0] == '!') {
        return ERR_IO; /* the database failing, as it may */
    }
    return strstr(list, user) != NULL;
}

/* The configuration of one made-up connection, printed as -T -C would. */
static void
fuzz_connection(const struct server_config *c)
{
    struct server_config eff;
    struct match_info mi;
    struct buf out;
    char why[256];

    memset(&mi, 0, sizeof(mi));
    mi.user = "alice";
    mi.host = "10.1.2.3";
    mi.addr = "10.1.2.3";
    mi.laddr = "127.0.0.1";
    mi.lport = 22;
    mi.in_group = fuzz_in_group;
    buf_init(&out);
    if (server_config_for(c, &mi, &eff, why, sizeof(why)) == 0) {
        (void)server_config_dump(&eff, &out);
    }
    server_config_cleanup(&eff);
    buf_cleanup(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server_config c;
    char *text, *line, *save = NULL, why[256];

    if (size > LIM_FILE_SIZE || (text = malloc(size + 1)) == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    server_config_init(&c);
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        (void)server_config_line(&c, line, why, sizeof(why));
    }
    if (server_config_finish(&c, "/d") == 0) {
        fuzz_connection(&c);
    }
    server_config_cleanup(&c);
    free(text);
    return 0;
}
