/* SPDX-License-Identifier: ISC */
/*
 * The local terminal of an interactive session: raw mode as ssh sets it
 * (enter_raw_mode in sshtty.c), its restoration, and the window size.
 */
#ifndef ADIT_IO_IO_TTY_H
#define ADIT_IO_IO_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

/* Save fd's modes in *saved and put the terminal in raw mode. ERR_IO
 * (said, unless quiet, as ssh's "tcgetattr: ...") if fd is no terminal. */
int io_tty_raw(int fd, struct termios *saved, bool quiet);

/* Put back the saved modes (after output already queued is written). */
void io_tty_restore(int fd, const struct termios *saved);

/* fd's window size; zeros when it has none (as ssh sends then). */
void io_tty_size(int fd, uint32_t *cols, uint32_t *rows, uint32_t *xpixel,
                 uint32_t *ypixel);

#endif
