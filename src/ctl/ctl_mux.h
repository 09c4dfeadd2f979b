/* SPDX-License-Identifier: ISC */
/*
 * Multiplexing requests on the control socket (adit -O, and a client that
 * uses a running master), as words of the control protocol (ctl_proto.h):
 *
 *   check                       -> "pid N"
 *   exit                        -> "" then the master ends
 *   stop                        -> "" then no new control connections
 *   forward L|R|D SPEC          -> "" or, for -R with port 0, "port N"
 *   cancel L|R|D SPEC           -> ""
 *   stdio TARGET  (2 fds)       -> "channel N" when the channel is open,
 *                                  then "exit 0" when it ends
 *   session KIND *(KEY=VALUE) (3 fds)
 *                               -> "session PID" once asked for, then
 *                                  "exit STATUS" (-1: none came)
 *
 * A session's KIND is exec, shell or subsystem; its words are cmd= (the
 * command or subsystem name), env= (NAME=VALUE, repeated), and for a pty
 * tty=1 (asked for) or tty=2 (required: a refused pty ends it), term=
 * (TERM) and escape= (the escape character as a decimal byte; none when
 * absent); its descriptors stdin, stdout, stderr (with a pty, the client's
 * terminal: the master reads its modes and size from stdin, and resizes
 * on SIGWINCH, which the client relays to the PID in the first answer,
 * "session PID").
 *
 * SPEC is a forward as -L, -R and -D take it (ctl_mux_fwd_format writes
 * it), TARGET is host:port or a Unix socket path as -W takes it. The two
 * descriptors of "stdio" (stdin, stdout) ride on the request as
 * SCM_RIGHTS; the connection then stays open until the master closes it
 * after its second answer (or the client closes it, which ends the
 * channel).
 */
#ifndef ADIT_CTL_CTL_MUX_H
#define ADIT_CTL_CTL_MUX_H

#include <stddef.h>
#include <stdint.h>

#include "config/fwdspec.h"
#include "ctl/ctl_proto.h"

enum ctl_mux_cmd {
    CTL_MUX_CHECK,
    CTL_MUX_EXIT,
    CTL_MUX_STOP,
    CTL_MUX_FORWARD,
    CTL_MUX_CANCEL,
    CTL_MUX_STDIO,
    CTL_MUX_SESSION,
};

enum ctl_mux_sess {
    CTL_MUX_SESS_SHELL,
    CTL_MUX_SESS_EXEC,
    CTL_MUX_SESS_SUBSYSTEM,
};

/* Descriptors a "session" request carries: stdin, stdout, stderr. */
#define CTL_MUX_SESSION_FDS 3u

/* Descriptors a "stdio" request carries: stdin, stdout. */
#define CTL_MUX_STDIO_FDS 2u

struct ctl_mux {
    enum ctl_mux_cmd cmd;
    enum fwdspec_kind kind; /* forward, cancel */
    struct fwdspec fwd;     /* forward, cancel */
    char *host;             /* stdio: host and port, or path */
    uint16_t port;
    char *path;
    enum ctl_mux_sess sess; /* session */
    const char *command;    /* session: views into the request */
    const char *env[LIM_CTL_ARGS];
    size_t n_env;
    unsigned tty;     /* session: 0 none, 1 asked for, 2 required */
    const char *term; /* session: TERM for the pty, or NULL */
    int escape;       /* session: the escape character, or -1 */
};

/*
 * Whether req's command is one of the above (the rest of the words are
 * then for ctl_mux_decode).
 */
bool ctl_mux_is_mux(const struct ctl_request *req);

/*
 * Decode req into out (cleaned up with ctl_mux_cleanup, also after an
 * error; a session's strings point into req, which must outlive out).
 * ERR_FORMAT with a one-line reason in why for bad words, a bad spec or target,
 * or the wrong number of words.
 */
int ctl_mux_decode(const struct ctl_request *req, struct ctl_mux *out,
                   char *why, size_t why_len);
void ctl_mux_cleanup(struct ctl_mux *m);

/* The letter of a kind on the wire: "L", "R", "D". */
const char *ctl_mux_kind_word(enum fwdspec_kind kind);

/*
 * f written as its kind's option takes it, into out (NUL-terminated):
 * "[bind:]port:host:hostport", paths as they are, brackets around an
 * IPv6 address or host. ERR_LIMIT when it does not fit.
 */
int ctl_mux_fwd_format(const struct fwdspec *f, enum fwdspec_kind kind,
                       char *out, size_t len);

#endif
