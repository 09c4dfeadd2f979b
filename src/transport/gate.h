/* SPDX-License-Identifier: ISC */
/*
 * The state gate: which message numbers a side accepts from its peer in
 * each phase of a connection. Every received packet passes here before
 * any handler sees it, so a message that is not legal now (a channel
 * message before authentication, USERAUTH_SUCCESS sent by a client, a
 * stray packet inside a strict initial key exchange) ends the connection
 * in one place instead of in whichever handler it happens to reach.
 * Handlers still check their own sub-state (which kex reply, which
 * channel), the gate only the coarse phase.
 */
#ifndef ADIT_TRANSPORT_GATE_H
#define ADIT_TRANSPORT_GATE_H

#include <stdbool.h>
#include <stdint.h>

enum gate_phase {
    /* First key exchange, the peer's KEXINIT not yet received. */
    GATE_PRE_KEXINIT,
    /* The peer's first KEXINIT to its first NEWKEYS, strict kex agreed
     * (PROTOCOL 1.10): only what the exchange needs. */
    GATE_KEX_STRICT,
    /* The peer's KEXINIT to its NEWKEYS otherwise, first kex or rekey
     * (RFC 4253 7.1: transport messages 1..49 only). */
    GATE_KEX,
    /* Keys in place, user not yet authenticated. */
    GATE_USERAUTH,
    /* Authenticated: the connection protocol. */
    GATE_CONNECTION,
    GATE_NPHASES
};

enum gate_verdict {
    GATE_REJECT = 0,    /* protocol error: disconnect */
    GATE_ACCEPT,        /* give it to its handler */
    GATE_DROP,          /* ignore silently (RFC 4252 5.1) */
    GATE_UNIMPLEMENTED, /* answer UNIMPLEMENTED (RFC 4253 11.4) */
};

/* What a server (is_server) or client does with message msg from its
 * peer in phase. Pure: the same inputs give the same verdict. */
enum gate_verdict gate_check(bool is_server, enum gate_phase phase,
                             uint8_t msg);

/* The phase in words for a disconnect reason, e.g. "before
 * authentication". */
const char *gate_phase_str(enum gate_phase phase);

#endif
