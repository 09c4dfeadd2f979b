/* SPDX-License-Identifier: ISC */
/* Fuzz harness: aditd configuration lines. */
#include <stdlib.h>
#include <string.h>

#include "config/server_config.h"
#include "fuzz.h"
#include "util/adit_limits.h"

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
    (void)server_config_finish(&c, "/d");
    server_config_cleanup(&c);
    free(text);
    return 0;
}
