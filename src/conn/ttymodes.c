/* SPDX-License-Identifier: ISC */
/* Terminal modes for pty-req (RFC 4254 8), in ssh's order. */
#include "conn/ttymodes.h"

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "util/err.h"

/* A control character: opcode and termios c_cc index. */
struct ttymode_char {
    uint8_t op;
    unsigned idx;
};

/* A flag: opcode, which termios field, and the bit. */
enum ttymode_field { TF_I, TF_L, TF_O, TF_C };

struct ttymode_flag {
    uint8_t op;
    enum ttymode_field field;
    tcflag_t bit;
};

/* RFC 4254 8 opcodes for the characters and flags Linux has (VDSUSP,
 * VFLUSH, VSWTCH and VSTATUS are absent there, as in ssh's build). */
static const struct ttymode_char ttymode_chars[] = {
    {1, VINTR},     {2, VQUIT},    {3, VERASE},  {4, VKILL},     {5, VEOF},
    {6, VEOL},      {7, VEOL2},    {8, VSTART},  {9, VSTOP},     {10, VSUSP},
    {12, VREPRINT}, {13, VWERASE}, {14, VLNEXT}, {18, VDISCARD},
};

static const struct ttymode_flag ttymode_flags[] = {
    {30, TF_I, IGNPAR}, {31, TF_I, PARMRK}, {32, TF_I, INPCK},
    {33, TF_I, ISTRIP}, {34, TF_I, INLCR},  {35, TF_I, IGNCR},
    {36, TF_I, ICRNL},  {37, TF_I, IUCLC},  {38, TF_I, IXON},
    {39, TF_I, IXANY},  {40, TF_I, IXOFF},  {41, TF_I, IMAXBEL},
    {42, TF_I, IUTF8},  {50, TF_L, ISIG},   {51, TF_L, ICANON},
    {52, TF_L, XCASE},  {53, TF_L, ECHO},   {54, TF_L, ECHOE},
    {55, TF_L, ECHOK},  {56, TF_L, ECHONL}, {57, TF_L, NOFLSH},
    {58, TF_L, TOSTOP}, {59, TF_L, IEXTEN}, {60, TF_L, ECHOCTL},
    {61, TF_L, ECHOKE}, {62, TF_L, PENDIN}, {70, TF_O, OPOST},
    {71, TF_O, OLCUC},  {72, TF_O, ONLCR},  {73, TF_O, OCRNL},
    {74, TF_O, ONOCR},  {75, TF_O, ONLRET}, {90, TF_C, CS7},
    {91, TF_C, CS8},    {92, TF_C, PARENB}, {93, TF_C, PARODD},
};

unsigned long
ttymodes_baud(speed_t speed)
{
    static const struct {
        speed_t s;
        unsigned long baud;
    } speeds[] = {
        {B0, 0},         {B50, 50},         {B75, 75},         {B110, 110},
        {B134, 134},     {B150, 150},       {B200, 200},       {B300, 300},
        {B600, 600},     {B1200, 1200},     {B1800, 1800},     {B2400, 2400},
        {B4800, 4800},   {B9600, 9600},     {B19200, 19200},   {B38400, 38400},
        {B57600, 57600}, {B115200, 115200}, {B230400, 230400},
    };
    size_t i;

    for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
        if (speeds[i].s == speed) {
            return speeds[i].baud;
        }
    }
    return 9600;
}

static tcflag_t
ttymode_field(const struct termios *tio, enum ttymode_field f)
{
    switch (f) {
    case TF_I:
        return tio->c_iflag;
    case TF_L:
        return tio->c_lflag;
    case TF_O:
        return tio->c_oflag;
    default:
        return tio->c_cflag;
    }
}

static int
ttymode_put(struct buf *out, uint8_t op, uint32_t v)
{
    int r;

    if ((r = buf_put_u8(out, op)) != 0) {
        return r;
    }
    return buf_put_u32(out, v);
}

int
ttymodes_encode(const struct termios *tio, struct buf *out)
{
    size_t i;
    cc_t ch;
    int r = 0;

    if (tio == NULL) {
        return buf_put_u8(out, TTY_OP_END);
    }
    if ((r = ttymode_put(out, TTY_OP_OSPEED,
                         (uint32_t)ttymodes_baud(cfgetospeed(tio)))) != 0 ||
        (r = ttymode_put(out, TTY_OP_ISPEED,
                         (uint32_t)ttymodes_baud(cfgetispeed(tio)))) != 0) {
        return r;
    }
    for (i = 0; i < sizeof(ttymode_chars) / sizeof(ttymode_chars[0]); i++) {
        ch = tio->c_cc[ttymode_chars[i].idx];
        /* A disabled character goes as 255, as ssh sends it. */
        if ((r = ttymode_put(out, ttymode_chars[i].op,
                             ch == _POSIX_VDISABLE ? 255u : ch)) != 0) {
            return r;
        }
    }
    for (i = 0; i < sizeof(ttymode_flags) / sizeof(ttymode_flags[0]); i++) {
        if ((r = ttymode_put(out, ttymode_flags[i].op,
                             (ttymode_field(tio, ttymode_flags[i].field) &
                              ttymode_flags[i].bit) != 0)) != 0) {
            return r;
        }
    }
    return buf_put_u8(out, TTY_OP_END);
}
