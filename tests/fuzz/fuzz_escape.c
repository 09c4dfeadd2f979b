/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: a session's input through the escape filter (any escape
 * character, the first byte picks it), every ~C command line it reads
 * parsed as ssh's process_cmdline would.
 */
#include <string.h>

#include "conn/escape.h"
#include "fuzz.h"
#include "wire/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct escape e;
    struct escape_cmd cmd;
    struct buf out, echo;
    enum escape_act act;
    size_t used;

    if (size == 0) {
        return 0;
    }
    escape_init(&e, data[0] == 0xff ? -1 : data[0]);
    buf_init(&out);
    buf_init(&echo);
    data++;
    size--;
    while (size > 0) {
        if (escape_filter(&e, data, size, &used, &out, &echo, &act) != 0 ||
            used > size) {
            break;
        }
        if (act == ESCAPE_CMDLINE_OPEN) {
            escape_line_begin(&e);
        } else if (act == ESCAPE_CMDLINE) {
            escape_cmd_parse(escape_line(&e), &cmd);
            if (cmd.arg != NULL && strlen(cmd.arg) > ESCAPE_LINE_MAX) {
                __builtin_trap();
            }
        }
        if (used == 0 && act == ESCAPE_NONE) {
            break;
        }
        data += used;
        size -= used;
    }
    buf_cleanup(&out);
    buf_cleanup(&echo);
    return 0;
}
