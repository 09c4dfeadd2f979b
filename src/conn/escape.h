/* SPDX-License-Identifier: ISC */
/*
 * ssh's escape sequences (~. ~^Z ~# ~& ~? ~C ~B ~R ~V ~v, ~~ for the
 * character itself), without I/O: the session's input goes through
 * escape_filter, which passes on what the server is to get, stops at each
 * sequence for its owner to act on, and reads the ~C command line (echoed
 * by the owner). Only recognised right after a newline, as in ssh.
 */
#ifndef ADIT_CONN_ESCAPE_H
#define ADIT_CONN_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* The longest ~C command line. */
#define ESCAPE_LINE_MAX 512u

enum escape_act {
    ESCAPE_NONE = 0,
    ESCAPE_DISCONNECT,   /* ~. */
    ESCAPE_SUSPEND,      /* ~^Z */
    ESCAPE_BREAK,        /* ~B */
    ESCAPE_REKEY,        /* ~R */
    ESCAPE_LESS_VERBOSE, /* ~V */
    ESCAPE_MORE_VERBOSE, /* ~v */
    ESCAPE_LIST,         /* ~# */
    ESCAPE_BACKGROUND,   /* ~& */
    ESCAPE_HELP,         /* ~? */
    ESCAPE_CMDLINE_OPEN, /* ~C: escape_line_begin() reads a line, or not */
    ESCAPE_CMDLINE,      /* the line is complete: escape_line() */
};

struct escape {
    int ch;          /* the escape character; < 0: none */
    bool line_start; /* the last byte passed on ended a line */
    bool pending;    /* the escape character was just seen */
    bool in_line;    /* reading a ~C command line */
    char line[ESCAPE_LINE_MAX + 1];
    size_t n_line;
};

/* ch: the escape character (0..255), or < 0 for none (EscapeChar none). */
void escape_init(struct escape *e, int ch);

/*
 * Filter n bytes of input: what is to be sent is appended to out, what
 * is to be shown locally (a command line's echo) to echo. Stops after the
 * first sequence: *used says how much of in was taken and *act which one
 * (ESCAPE_NONE once all of in is taken). ERR_NOMEM.
 */
int escape_filter(struct escape *e, const uint8_t *in, size_t n, size_t *used,
                  struct buf *out, struct buf *echo, enum escape_act *act);

/* After ESCAPE_CMDLINE_OPEN: read a command line from the input that
 * follows (it ends at CR or LF; ^C or ^U clears it, DEL or ^H erases). */
void escape_line_begin(struct escape *e);

/* After ESCAPE_CMDLINE: the line, NUL-terminated (valid until the next
 * escape_filter). */
const char *escape_line(const struct escape *e);

/* What a ~C command line asks (ssh's process_cmdline). */
enum escape_cmd_kind {
    ESCAPE_CMD_EMPTY = 0,
    ESCAPE_CMD_HELP,    /* h, H or ? */
    ESCAPE_CMD_LOCAL,   /* !command (PermitLocalCommand) */
    ESCAPE_CMD_FORWARD, /* -L, -R, -D spec */
    ESCAPE_CMD_CANCEL,  /* -KL, -KR, -KD spec */
    ESCAPE_CMD_INVALID, /* "Invalid command." */
};

struct escape_cmd {
    enum escape_cmd_kind kind;
    char fwd;        /* 'L', 'R' or 'D' */
    const char *arg; /* the spec or the command, a view into the line */
};

/* Parse a command line (NUL-terminated, at most ESCAPE_LINE_MAX bytes):
 * a leading '-' is optional and spaces are skipped, as in ssh. */
void escape_cmd_parse(const char *line, struct escape_cmd *cmd);

/* ssh's ~? text for escape character ch ("~?\r\nSupported escape ..."),
 * for a multiplexed session (mux) or a client of its own; ~C's row only
 * if cmdline (EnableEscapeCommandline). ERR_NOMEM. */
int escape_help(int ch, bool mux, bool cmdline, struct buf *out);

#endif
