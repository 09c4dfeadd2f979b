/* SPDX-License-Identifier: ISC */
/* Fuzz harness: client -o option lines and -L/-R/-D specifications. */
#include <stdlib.h>
#include <string.h>

#include "config/client_config.h"
#include "config/fwdspec.h"
#include "fuzz.h"
#include "util/adit_limits.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct client_config c;
    struct fwdspec f;
    char *line, why[256];

    if (size > LIM_LINE || (line = malloc(size + 1)) == NULL) {
        return 0;
    }
    memcpy(line, data, size);
    line[size] = '\0';
    client_config_init(&c);
    (void)client_config_apply(&c, line, why, sizeof(why));
    client_config_cleanup(&c);
    if (fwdspec_parse_kind(line, FWDSPEC_LOCAL, &f) == 0) {
        fwdspec_cleanup(&f);
    }
    if (fwdspec_parse_kind(line, FWDSPEC_REMOTE, &f) == 0) {
        fwdspec_cleanup(&f);
    }
    if (fwdspec_parse_kind(line, FWDSPEC_DYNAMIC, &f) == 0) {
        fwdspec_cleanup(&f);
    }
    free(line);
    return 0;
}
