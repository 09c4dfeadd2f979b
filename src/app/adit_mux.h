/* SPDX-License-Identifier: ISC */
/*
 * adit as a client of a running master (ControlPath): -O check, forward,
 * cancel, exit, stop; and -W and sessions through the master's connection
 * instead of a connection of its own (ControlMaster no, auto, autoask).
 * Blocking calls on the control socket (io_ctl.h); no loop runs here.
 */
#ifndef ADIT_APP_ADIT_MUX_H
#define ADIT_APP_ADIT_MUX_H

#include <stdbool.h>

#include "config/client_config.h"

/* Whether cmd is an -O command adit knows. */
bool adit_mux_command_ok(const char *cmd);

/* adit -O cmd: asked of the master at cfg's ControlPath, its answer
 * printed as ssh prints it. Returns the exit status. */
int adit_mux_command(const struct client_config *cfg, const char *cmd);

/*
 * Before connecting: a master running at ControlPath does the work (-W
 * through its connection; the forwards added to it; then the command,
 * shell or subsystem, command NULL for a shell, on a pty when want_tty)
 * and the exit status is returned. -1 when there is none to use: connect
 * as usual (in auto modes a stale socket has been removed, as ssh
 * removes it).
 */
int adit_mux_client(const struct client_config *cfg, const char *command,
                    bool want_tty);

#endif
