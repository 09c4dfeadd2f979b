/* SPDX-License-Identifier: ISC */
/* ssh's escape sequences on a session's input (clientloop.c's rules). */
#include "conn/escape.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define ESC_CTRL_C 3
#define ESC_CTRL_H 8
#define ESC_CTRL_U 21
#define ESC_CTRL_Z 26
#define ESC_DEL 127

void
escape_init(struct escape *e, int ch)
{
    memset(e, 0, sizeof(*e));
    e->ch = ch;
    /* The session starts at the start of a line. */
    e->line_start = true;
}

void
escape_line_begin(struct escape *e)
{
    e->in_line = true;
    e->n_line = 0;
    e->line[0] = '\0';
}

const char *
escape_line(const struct escape *e)
{
    return e->line;
}

/* One byte of a command line: *done once it ends. */
static int
escape_line_byte(struct escape *e, uint8_t b, struct buf *echo, bool *done)
{
    *done = false;
    if (b == '\r' || b == '\n') {
        e->in_line = false;
        *done = true;
        return buf_put(echo, "\r\n", 2);
    }
    if (b == ESC_CTRL_C || b == ESC_CTRL_U) {
        for (; e->n_line > 0; e->n_line--) {
            if (buf_put(echo, "\b \b", 3) != 0) {
                return ERR_NOMEM;
            }
        }
    } else if (b == ESC_DEL || b == ESC_CTRL_H) {
        if (e->n_line > 0) {
            e->n_line--;
            if (buf_put(echo, "\b \b", 3) != 0) {
                return ERR_NOMEM;
            }
        }
    } else if (b >= 32 && e->n_line < ESCAPE_LINE_MAX) {
        e->line[e->n_line++] = (char)b;
        if (buf_put_u8(echo, b) != 0) {
            return ERR_NOMEM;
        }
    }
    e->line[e->n_line] = '\0';
    return 0;
}

/* The byte after the escape character: a sequence, or bytes to send
 * (the escape character alone for ~~, both for anything else). */
static enum escape_act
escape_seq(struct escape *e, uint8_t b, struct buf *out, int *r)
{
    switch (b) {
    case '.':
        return ESCAPE_DISCONNECT;
    case ESC_CTRL_Z:
        return ESCAPE_SUSPEND;
    case 'B':
        return ESCAPE_BREAK;
    case 'R':
        return ESCAPE_REKEY;
    case 'V':
        return ESCAPE_LESS_VERBOSE;
    case 'v':
        return ESCAPE_MORE_VERBOSE;
    case '#':
        return ESCAPE_LIST;
    case '&':
        return ESCAPE_BACKGROUND;
    case '?':
        return ESCAPE_HELP;
    case 'C':
        return ESCAPE_CMDLINE_OPEN;
    default:
        if ((int)b != e->ch) {
            *r = buf_put_u8(out, (uint8_t)e->ch);
        }
        return ESCAPE_NONE;
    }
}

int
escape_filter(struct escape *e, const uint8_t *in, size_t n, size_t *used,
              struct buf *out, struct buf *echo, enum escape_act *act)
{
    bool done;
    size_t i;
    int r = 0;

    *act = ESCAPE_NONE;
    for (i = 0; i < n && r == 0; i++) {
        if (e->in_line) {
            if ((r = escape_line_byte(e, in[i], echo, &done)) == 0 && done) {
                *act = ESCAPE_CMDLINE;
                i++;
                break;
            }
            continue;
        }
        if (e->pending) {
            e->pending = false;
            if ((*act = escape_seq(e, in[i], out, &r)) != ESCAPE_NONE) {
                i++;
                break;
            }
        } else if (e->line_start && e->ch >= 0 && (int)in[i] == e->ch) {
            e->pending = true;
            continue;
        }
        e->line_start = in[i] == '\r' || in[i] == '\n';
        if (r == 0) {
            r = buf_put_u8(out, in[i]);
        }
    }
    *used = i;
    return r;
}

void
escape_cmd_parse(const char *line, struct escape_cmd *cmd)
{
    const char *s = line;

    memset(cmd, 0, sizeof(*cmd));
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (*s == '-') {
        s++;
    }
    if (*s == '\0') {
        cmd->kind = ESCAPE_CMD_EMPTY;
        return;
    }
    if (*s == 'h' || *s == 'H' || *s == '?') {
        cmd->kind = ESCAPE_CMD_HELP;
        return;
    }
    if (*s == '!') {
        cmd->kind = ESCAPE_CMD_LOCAL;
        cmd->arg = s + 1;
        return;
    }
    cmd->kind = ESCAPE_CMD_FORWARD;
    if (*s == 'K') {
        cmd->kind = ESCAPE_CMD_CANCEL;
        s++;
    }
    if (*s != 'L' && *s != 'R' && *s != 'D') {
        cmd->kind = ESCAPE_CMD_INVALID;
        return;
    }
    cmd->fwd = *s++;
    while (isspace((unsigned char)*s)) {
        s++;
    }
    cmd->arg = s;
}

/* ssh's esc_txt: which rows a multiplexed session sees (its own ~.,
 * and none of ~C ~V ~v ~^Z ~&) and which a client of its own; ~C only
 * where EnableEscapeCommandline lets it open (SUPPRESS_NOCMDLINE). */
static const struct {
    const char *seq, *what;
    bool own, mux, cmdline;
} escape_help_rows[] = {
    {".", "terminate session", false, true, false},
    {".", "terminate connection (and any multiplexed sessions)", true, false,
     false},
    {"B", "send a BREAK to the remote system", true, true, false},
    {"C", "open a command line", true, false, true},
    {"R", "request rekey", true, true, false},
    {"V/v", "decrease/increase verbosity (LogLevel)", true, false, false},
    {"^Z", "suspend ssh", true, false, false},
    {"#", "list forwarded connections", true, true, false},
    {"&", "background ssh (when waiting for connections to terminate)", true,
     false, false},
    {"?", "this message", true, true, false},
};

int
escape_help(int ch, bool mux, bool cmdline, struct buf *out)
{
    char line[128];
    size_t i;
    int n;

    n = snprintf(line, sizeof(line), "%c?\r\nSupported escape sequences:\r\n",
                 ch);
    if (buf_put(out, line, (size_t)n) != 0) {
        return ERR_NOMEM;
    }
    for (i = 0; i < sizeof(escape_help_rows) / sizeof(escape_help_rows[0]);
         i++) {
        if ((mux ? !escape_help_rows[i].mux : !escape_help_rows[i].own) ||
            (escape_help_rows[i].cmdline && !cmdline)) {
            continue;
        }
        n = snprintf(line, sizeof(line), "%c%-3s - %s\r\n", ch,
                     escape_help_rows[i].seq, escape_help_rows[i].what);
        if (buf_put(out, line, (size_t)n) != 0) {
            return ERR_NOMEM;
        }
    }
    n = snprintf(line, sizeof(line),
                 " %c%c   - send the escape character by typing it twice\r\n",
                 ch, ch);
    if (buf_put(out, line, (size_t)n) != 0) {
        return ERR_NOMEM;
    }
    n = snprintf(line, sizeof(line),
                 "(Note that escapes are only recognized immediately after "
                 "newline.)\r\n");
    return buf_put(out, line, (size_t)n);
}
