/* SPDX-License-Identifier: ISC */
/*
 * systemd's service notification and socket activation, without
 * libsystemd (sd_notify(3), sd_listen_fds(3)): a datagram of
 * newline-separated VAR=value lines to the socket in $NOTIFY_SOCKET (a
 * path, or '@' for the abstract namespace), and listening sockets handed
 * over as fds 3.. with $LISTEN_FDS and $LISTEN_PID. Without the variables
 * every call does nothing and succeeds, so callers need not ask.
 */
#ifndef ADIT_IO_SDNOTIFY_H
#define ADIT_IO_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#define SDNOTIFY_MAX 4096u /* one message */
#define SDNOTIFY_FIRST_FD 3

/* Is there a notify socket to talk to? */
bool sdnotify_enabled(void);

/* Send state ("READY=1\nSTATUS=up"). 0 (also when disabled), ERR_IO,
 * ERR_LIMIT (longer than SDNOTIFY_MAX), ERR_CONFIG (a NOTIFY_SOCKET that is
 * neither an absolute path nor '@'). */
int sdnotify_send(const char *state);

/* printf-style sdnotify_send. */
int sdnotify_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with the MONOTONIC_USEC= that Type=notify-reload wants. */
int sdnotify_reloading(void);

/*
 * The watchdog interval in microseconds when systemd expects WATCHDOG=1
 * from this process ($WATCHDOG_USEC set, and $WATCHDOG_PID unset or ours),
 * else 0. Ping at half of it, as sd_watchdog_enabled(3) advises.
 */
uint64_t sdnotify_watchdog_usec(void);

/*
 * Sockets passed by socket activation: the count (0 when none, or they
 * were meant for another process), fds SDNOTIFY_FIRST_FD onward, marked
 * close-on-exec. The LISTEN_* variables are removed from the environment
 * so that child processes (ProxyCommand) do not see them.
 */
int sdnotify_listen_fds(void);

#endif
