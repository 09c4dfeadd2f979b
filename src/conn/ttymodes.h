/* SPDX-License-Identifier: ISC */
/*
 * Terminal modes for pty-req, encoded as RFC 4254 8 says and as ssh's
 * ttymodes.c sends them: the output then input speed, every control
 * character, then every flag, each an opcode byte and a uint32, ending
 * with TTY_OP_END. Pure: the caller reads the termios.
 */
#ifndef ADIT_CONN_TTYMODES_H
#define ADIT_CONN_TTYMODES_H

#include <termios.h>

#include "wire/buf.h"

#define TTY_OP_END 0u
#define TTY_OP_ISPEED 128u
#define TTY_OP_OSPEED 129u

/* Append the encoded modes of tio to out (tio NULL: TTY_OP_END alone, as
 * ssh sends when it has no terminal). ERR_NOMEM. */
int ttymodes_encode(const struct termios *tio, struct buf *out);

/* A speed_t (B9600, ...) as the number of bits per second ssh sends;
 * 9600 for one it does not know. */
unsigned long ttymodes_baud(speed_t speed);

#endif
