/* SPDX-License-Identifier: ISC */
/* The local terminal: raw mode, restoration, window size. */
#include "io/io_tty.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/err.h"

int
io_tty_raw(int fd, struct termios *saved, bool quiet)
{
    struct termios tio;

    if (tcgetattr(fd, saved) != 0) {
        if (!quiet) {
            fprintf(stderr, "tcgetattr: %s\r\n", strerror(errno));
        }
        return ERR_IO;
    }
    tio = *saved;
    /* ssh's sshtty.c enter_raw_mode, flag for flag. */
    tio.c_iflag |= IGNPAR;
    tio.c_iflag &= ~(tcflag_t)(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY |
                               IXOFF | IUCLC);
    tio.c_lflag &=
        ~(tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
    tio.c_oflag &= ~(tcflag_t)OPOST;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSADRAIN, &tio) != 0) {
        if (!quiet) {
            fprintf(stderr, "tcsetattr: %s\r\n", strerror(errno));
        }
        return ERR_IO;
    }
    return 0;
}

void
io_tty_restore(int fd, const struct termios *saved)
{
    if (tcsetattr(fd, TCSADRAIN, saved) != 0) {
        fprintf(stderr, "tcsetattr: %s\r\n", strerror(errno));
    }
}

void
io_tty_size(int fd, uint32_t *cols, uint32_t *rows, uint32_t *xpixel,
            uint32_t *ypixel)
{
    struct winsize ws;

    memset(&ws, 0, sizeof(ws));
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) {
        memset(&ws, 0, sizeof(ws));
    }
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    *xpixel = ws.ws_xpixel;
    *ypixel = ws.ws_ypixel;
}
