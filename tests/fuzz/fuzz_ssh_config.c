/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: ssh_config text (Host, Match, Include, every keyword),
 * then the defaults, token expansion and the -G dump of what it set.
 * Include reads the same input again from memory (no file I/O), two
 * levels deep: an input with k Include lines costs k^depth parses, so
 * the depth limit itself is left to the unit tests.
 */
#include <string.h>

#include "config/client_config.h"
#include "config/ssh_config.h"
#include "fuzz.h"
#include "wire/buf.h"

struct fuzz_input {
    const uint8_t *data;
    size_t size;
};

static int
fuzz_include(struct ssh_config_read *rd, const char *pattern, int depth)
{
    const struct fuzz_input *in = rd->include_arg;

    (void)pattern;
    if (depth > 2) {
        return 0;
    }
    return ssh_config_parse(rd, "include", (const char *)in->data, in->size,
                            depth);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct client_env env = {"Host",     "me",   "/home/me",
                             "/home/me", "1000", "box.lan"};
    struct fuzz_input in = {data, size};
    struct client_config c;
    struct ssh_config_read rd;
    struct buf out;
    char why[256];

    client_config_init(&c);
    ssh_config_read_init(&rd, &c, "host", "me", "/home/me");
    rd.original_host = "Host";
    rd.include = fuzz_include;
    rd.include_arg = &in;
    (void)ssh_config_parse(&rd, "fuzz", (const char *)data, size, 0);
    rd.is_final_pass = true;
    rd.is_active = true;
    (void)ssh_config_parse(&rd, "fuzz", (const char *)data, size, 0);
    if (client_config_finish(&c, &env, why, sizeof(why)) == 0) {
        buf_init(&out);
        (void)client_config_dump(&c, &env, &out);
        buf_cleanup(&out);
        (void)client_config_expand_files(&c, &env, why, sizeof(why));
    }
    client_config_cleanup(&c);
    return 0;
}
