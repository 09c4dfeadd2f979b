/* SPDX-License-Identifier: ISC */
/* The state gate's table: message number x receiver x phase -> verdict. */
#include "transport/gate.h"

#include <stddef.h>

#include "transport/ssh_msg.h"

/* Who may receive a message: the side it is addressed to. */
#define TO_CLIENT 1u
#define TO_SERVER 2u
#define TO_BOTH (TO_CLIENT | TO_SERVER)

/* Short names so that a rule fits on one line of the table. */
#define R GATE_REJECT
#define A GATE_ACCEPT
#define D GATE_DROP
#define U GATE_UNIMPLEMENTED
#define INFO_RESPONSE SSH_MSG_USERAUTH_INFO_RESPONSE

struct gate_rule {
    uint8_t first, last; /* message numbers, inclusive */
    uint8_t to;          /* TO_CLIENT, TO_SERVER or both */
    uint8_t verdict[GATE_NPHASES];
};

/*
 * One row per message or range (RFC 4250 4.1), for the side that receives
 * it; the first row that matches wins, and a message no row names, or one
 * addressed to the other side, is rejected in every phase. Columns are the
 * phases in enum order:
 *
 *   PRE   first kex, before the peer's KEXINIT
 *   STR   strict initial kex: the peer's KEXINIT to its NEWKEYS
 *   KEX   any other kex: the peer's KEXINIT to its NEWKEYS
 *   AUTH  keys in place, not authenticated
 *   CONN  authenticated
 *
 * Notes on the choices:
 * - DISCONNECT is always heard, even in a strict kex (OpenSSH does too).
 * - IGNORE, UNIMPLEMENTED and DEBUG are legal everywhere except inside a
 *   strict initial kex, where they are the Terrapin prefix (PROTOCOL
 *   1.10). Before the peer's KEXINIT we cannot know yet whether it is
 *   strict; the KEXINIT handler then insists it was the first packet.
 * - Unassigned transport numbers (8..19) and the client-protocol and
 *   local-extension ranges (128..255) get UNIMPLEMENTED where the peer
 *   may speak (RFC 4253 11.4); unassigned numbers inside the ranges whose
 *   meaning we know (22..29, 35..49, 54..59, 61..79, 83..89, 101..127)
 *   are errors.
 * - Kex method messages go only to the side that answers them: 30, 32,
 *   34 to the server, 31 and 33 to the client (RFC 4253 8, RFC 4419 5,
 *   RFC 5656 7.1); the kex handlers check which one is due.
 * - EXT_INFO comes after the first NEWKEYS and before USERAUTH_SUCCESS
 *   (RFC 8308 2.4), so only while authenticating.
 * - Message 60 is PK_OK, PASSWD_CHANGEREQ or INFO_REQUEST by the method
 *   under way (RFC 4252 7 and 8, RFC 4256 3.2), all server to client, so
 *   only a client hears it; its handler knows which one is due. 61,
 *   INFO_RESPONSE, goes from client to server only, and aditd offers no
 *   keyboard-interactive, so a server refuses it in every phase too.
 * - A USERAUTH_REQUEST after success is dropped (RFC 4252 5.1); every
 *   other authentication message after success, and any sent to the
 *   wrong side (USERAUTH_SUCCESS from a client), is an error.
 * - The connection protocol starts only after authentication.
 */
/* clang-format off */
static const struct gate_rule gate_rules[] = {
    /* first                     last                        to         PRE STR KEX AUTH CONN */
    {SSH_MSG_DISCONNECT,         SSH_MSG_DISCONNECT,         TO_BOTH,   {A,  A,  A,  A,  A}},
    {SSH_MSG_IGNORE,             SSH_MSG_DEBUG,              TO_BOTH,   {A,  R,  A,  A,  A}},
    {SSH_MSG_SERVICE_REQUEST,    SSH_MSG_SERVICE_REQUEST,    TO_SERVER, {R,  R,  R,  A,  R}},
    {SSH_MSG_SERVICE_ACCEPT,     SSH_MSG_SERVICE_ACCEPT,     TO_CLIENT, {R,  R,  R,  A,  R}},
    {SSH_MSG_EXT_INFO,           SSH_MSG_EXT_INFO,           TO_BOTH,   {R,  R,  R,  A,  R}},
    {8,                          19,                         TO_BOTH,   {U,  R,  U,  U,  U}},
    {SSH_MSG_KEXINIT,            SSH_MSG_KEXINIT,            TO_BOTH,   {A,  R,  R,  A,  A}},
    {SSH_MSG_NEWKEYS,            SSH_MSG_NEWKEYS,            TO_BOTH,   {R,  A,  A,  R,  R}},
    {SSH_MSG_KEX_ECDH_INIT,      SSH_MSG_KEX_ECDH_INIT,      TO_SERVER, {R,  A,  A,  R,  R}},
    {SSH_MSG_KEX_ECDH_REPLY,     SSH_MSG_KEX_ECDH_REPLY,     TO_CLIENT, {R,  A,  A,  R,  R}},
    {SSH_MSG_KEX_DH_GEX_INIT,    SSH_MSG_KEX_DH_GEX_INIT,    TO_SERVER, {R,  A,  A,  R,  R}},
    {SSH_MSG_KEX_DH_GEX_REPLY,   SSH_MSG_KEX_DH_GEX_REPLY,   TO_CLIENT, {R,  A,  A,  R,  R}},
    {SSH_MSG_KEX_DH_GEX_REQUEST, SSH_MSG_KEX_DH_GEX_REQUEST, TO_SERVER, {R,  A,  A,  R,  R}},
    {SSH_MSG_USERAUTH_REQUEST,   SSH_MSG_USERAUTH_REQUEST,   TO_SERVER, {R,  R,  R,  A,  D}},
    {SSH_MSG_USERAUTH_FAILURE,   SSH_MSG_USERAUTH_BANNER,    TO_CLIENT, {R,  R,  R,  A,  R}},
    {SSH_MSG_USERAUTH_PK_OK,     SSH_MSG_USERAUTH_PK_OK,     TO_CLIENT, {R,  R,  R,  A,  R}},
    {INFO_RESPONSE,              INFO_RESPONSE,              TO_SERVER, {R,  R,  R,  R,  R}},
    {SSH_MSG_GLOBAL_REQUEST,     SSH_MSG_REQUEST_FAILURE,    TO_BOTH,   {R,  R,  R,  R,  A}},
    {SSH_MSG_CHANNEL_OPEN,       SSH_MSG_CHANNEL_FAILURE,    TO_BOTH,   {R,  R,  R,  R,  A}},
    {128,                        255,                        TO_BOTH,   {R,  R,  R,  U,  U}},
};
/* clang-format on */

#undef R
#undef A
#undef D
#undef U
#undef INFO_RESPONSE

enum gate_verdict
gate_check(bool is_server, enum gate_phase phase, uint8_t msg)
{
    unsigned me = is_server ? TO_SERVER : TO_CLIENT;
    size_t i;

    if ((unsigned)phase >= GATE_NPHASES) {
        return GATE_REJECT;
    }
    for (i = 0; i < sizeof(gate_rules) / sizeof(gate_rules[0]); i++) {
        const struct gate_rule *g = &gate_rules[i];

        if (msg >= g->first && msg <= g->last) {
            return (g->to & me) != 0 ? (enum gate_verdict)g->verdict[phase]
                                     : GATE_REJECT;
        }
    }
    return GATE_REJECT;
}

const char *
gate_phase_str(enum gate_phase phase)
{
    switch (phase) {
    case GATE_PRE_KEXINIT:
        return "before key exchange";
    case GATE_KEX_STRICT:
        return "during initial key exchange";
    case GATE_KEX:
        return "during key exchange";
    case GATE_USERAUTH:
        return "before authentication";
    case GATE_CONNECTION:
        return "after authentication";
    case GATE_NPHASES:
        break;
    }
    return "in an unknown state";
}
