/* SPDX-License-Identifier: ISC */
/*
 * Asking the user for a passphrase or password, as ssh's read_passphrase():
 * on the controlling terminal (/dev/tty, echo off unless asked for), or
 * through the SSH_ASKPASS program, with ssh's SSH_ASKPASS_REQUIRE rules.
 */
#ifndef ADIT_IO_READPASS_H
#define ADIT_IO_READPASS_H

#include <stdbool.h>

/*
 * Ask with prompt; *out is a malloc'd answer (without the line end) that
 * the caller wipes and frees (str_free_wiped). As in ssh the answer is ""
 * when nothing could be asked (no terminal and no askpass allowed), the
 * askpass program failed, or the user typed an empty line.
 *
 * Askpass is used when SSH_ASKPASS_REQUIRE=force, or when it is "prefer"
 * or there is no terminal, and DISPLAY or WAYLAND_DISPLAY is set (never
 * with "never"); the program is SSH_ASKPASS (default /usr/bin/ssh-askpass)
 * and gets the prompt as its argument.
 *
 * The terminal's settings are restored on every path, also when a signal
 * (SIGINT, SIGTERM, ...) arrives during the prompt: it is then delivered
 * again with its old disposition. Blocks until the user answers: callers
 * ask before the loop runs, or accept that the loop waits (as ssh does).
 * 0 or ERR_NOMEM.
 */
int readpass(const char *prompt, bool echo, char **out);

/*
 * Ask for a yes or no through the askpass program only, as ssh's
 * ask_permission (ControlMaster ask): *allowed when the program ran,
 * exited 0 and answered "yes" (any case) or nothing. No askpass to run
 * (no DISPLAY or WAYLAND_DISPLAY, unless SSH_ASKPASS_REQUIRE=force; or
 * "never") is a no. Blocks until answered. 0 or ERR_NOMEM.
 */
int readpass_confirm(const char *prompt, bool *allowed);

#endif
