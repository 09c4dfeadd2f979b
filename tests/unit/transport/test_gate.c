/* SPDX-License-Identifier: ISC */
/*
 * The state gate: every message number 0..255 is injected into a real
 * transport in every phase, as client and as server, and what happens is
 * checked against gate_check(): a reject ends the connection with a
 * DISCONNECT naming the message, UNIMPLEMENTED is answered, a dropped
 * message leaves no trace, an accepted one reaches its handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpair.h"

#include "transport/gate.h"

#define INJECT_PAD 16 /* zero bytes after the message number */

/* What one injected message did to the side that received it. */
struct outcome {
    int r;                /* last transport_next result */
    char err[512];        /* transport_error() afterwards */
    bool upper;           /* handed to the caller */
    unsigned new_packets; /* packets it sent in answer */
    unsigned unimpl;      /* of which UNIMPLEMENTED (plaintext phases) */
    bool disc;            /* a DISCONNECT reached the peer */
    uint32_t disc_reason; /* its reason code */
    char disc_text[512];  /* its text */
};

static void
inject_payload(uint8_t msg, uint8_t *p, size_t *len)
{
    memset(p, 0, 1 + INJECT_PAD);
    p[0] = msg;
    *len = 1 + INJECT_PAD;
}

/* Drain the receiver after a feed: upper messages are noted. */
static void
drain(struct transport *t, uint8_t msg, struct outcome *o)
{
    const uint8_t *p;
    size_t n;

    while ((o->r = transport_next(t, &p, &n)) == 0) {
        assert_true(n >= 1);
        assert_int_equal(p[0], msg);
        o->upper = true;
    }
    snprintf(o->err, sizeof(o->err), "%s", transport_error(t));
}

/* Plaintext packets in b (no version line): count them, note
 * UNIMPLEMENTED and DISCONNECT. */
static void
parse_plain(const struct buf *b, struct outcome *o)
{
    struct rd rd;
    uint32_t plen;
    uint8_t pad;

    rd_init(&rd, buf_ptr(b), buf_len(b));
    while (rd.off < rd.len) {
        const uint8_t *body;
        struct rd m;
        uint8_t type;

        assert_int_equal(rd_u32(&rd, &plen), 0);
        assert_int_equal(rd_u8(&rd, &pad), 0);
        assert_true(plen > (uint32_t)pad + 1);
        assert_int_equal(rd_bytes(&rd, plen - 1, &body), 0);
        rd_init(&m, body, plen - 1 - pad);
        assert_int_equal(rd_u8(&m, &type), 0);
        o->new_packets++;
        if (type == SSH_MSG_UNIMPLEMENTED) {
            o->unimpl++;
        }
        if (type == SSH_MSG_DISCONNECT) {
            char *text = NULL;

            o->disc = true;
            assert_int_equal(rd_u32(&m, &o->disc_reason), 0);
            assert_int_equal(rd_cstring(&m, &text, 1024), 0);
            snprintf(o->disc_text, sizeof(o->disc_text), "%s", text);
            free(text);
        }
    }
}

/* The gate's reason for refusing msg in phase, as transport_error. */
static void
gate_text(uint8_t msg, enum gate_phase ph, char *out, size_t len)
{
    snprintf(out, len, "%s: unexpected message %u %s",
             ph == GATE_KEX_STRICT ? "strict KEX violation" : "protocol error",
             msg, gate_phase_str(ph));
}

static void
check_outcome(bool is_server, enum gate_phase ph, uint8_t msg,
              const struct outcome *o)
{
    enum gate_verdict v = gate_check(is_server, ph, msg);
    char want[256];

    gate_text(msg, ph, want, sizeof(want));
    switch (v) {
    case GATE_REJECT:
        if (o->r != (ph == GATE_KEX_STRICT ? ERR_STRICT_KEX : ERR_PROTO) ||
            strcmp(o->err, want) != 0 || !o->disc ||
            o->disc_reason != SSH_DISCONNECT_PROTOCOL_ERROR ||
            strcmp(o->disc_text, want) != 0) {
            fail_msg("%s, %s, message %u: want reject, got r=%d err '%s' "
                     "disconnect %d '%s'",
                     is_server ? "server" : "client", gate_phase_str(ph), msg,
                     o->r, o->err, o->disc, o->disc_text);
        }
        return;
    case GATE_ACCEPT:
        /* Its handler may well refuse 16 zero bytes; the gate did not. */
        if (strstr(o->err, "unexpected message") != NULL) {
            fail_msg("%s, %s, message %u: want accept, got '%s'",
                     is_server ? "server" : "client", gate_phase_str(ph), msg,
                     o->err);
        }
        return;
    case GATE_DROP:
    case GATE_UNIMPLEMENTED:
        if (o->r != ERR_AGAIN || o->err[0] != '\0' || o->upper ||
            o->new_packets != (v == GATE_DROP ? 0u : 1u)) {
            fail_msg("%s, %s, message %u: want %s, got r=%d err '%s' "
                     "%u packets",
                     is_server ? "server" : "client", gate_phase_str(ph), msg,
                     v == GATE_DROP ? "drop" : "unimplemented", o->r, o->err,
                     o->new_packets);
        }
        return;
    }
}

/*
 * Plaintext phases: a raw transport of the given role gets the peer's
 * version line, then (unless phase is GATE_PRE_KEXINIT) the peer's KEXINIT
 * with or without the strict marker, then message msg.
 */
static void
run_plain(struct keyset *ks, bool is_server, enum gate_phase ph, uint8_t msg)
{
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *t = raw_peer(ks, is_server, NULL);
    struct outcome o;
    uint8_t payload[1 + INJECT_PAD];
    size_t len;
    struct buf b;

    memset(&o, 0, sizeof(o));
    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    if (ph != GATE_PRE_KEXINIT) {
        const char *marker = is_server ? "kex-strict-c-v00@openssh.com"
                                       : "kex-strict-s-v00@openssh.com";
        char kex[128];

        snprintf(kex, sizeof(kex), "curve25519-sha256%s%s",
                 ph == GATE_KEX_STRICT ? "," : "",
                 ph == GATE_KEX_STRICT ? marker : "");
        put_kexinit_kex(&b, kex, false);
    }
    assert_int_equal(transport_feed(t, buf_ptr(&b), buf_len(&b)), 0);
    drain(t, msg, &o);
    assert_int_equal(o.r, ERR_AGAIN);
    buf_reset(&b);
    transport_take_output(t, &b); /* our version line and kex so far */
    buf_reset(&b);
    inject_payload(msg, payload, &len);
    put_plain(&b, payload, len);
    assert_int_equal(transport_feed(t, buf_ptr(&b), buf_len(&b)), 0);
    drain(t, msg, &o);
    buf_reset(&b);
    transport_take_output(t, &b);
    parse_plain(&b, &o);
    if (gate_check(is_server, ph, msg) == GATE_UNIMPLEMENTED) {
        assert_int_equal(o.unimpl, 1);
    }
    check_outcome(is_server, ph, msg, &o);
    buf_cleanup(&b);
    transport_free(t);
}

/* Move from's output into to and drain it; upper messages must be msg. */
static void
move(struct transport *from, struct transport *to, uint8_t msg,
     struct outcome *o)
{
    struct buf b;

    buf_init(&b);
    transport_take_output(from, &b);
    if (buf_len(&b) > 0) {
        assert_int_equal(transport_feed(to, buf_ptr(&b), buf_len(&b)), 0);
    }
    drain(to, msg, o);
    buf_cleanup(&b);
}

/* The first kex between a client and a server, with no authentication.
 * The server borrows its host key array from opts. */
static void
kex_pair(struct keyset *ks, struct pair_opts *opts, struct pair *p)
{
    struct outcome o;
    int i;

    default_opts(opts, ks);
    pair_new(p, opts);
    for (i = 0; i < PUMP_ROUNDS &&
                !(transport_is_ready(p->c) && transport_is_ready(p->s) &&
                  !transport_has_output(p->c) && !transport_has_output(p->s));
         i++) {
        memset(&o, 0, sizeof(o));
        move(p->c, p->s, 0, &o);
        assert_false(o.upper);
        move(p->s, p->c, 0, &o);
        assert_false(o.upper);
    }
    assert_true(transport_is_ready(p->c));
    assert_true(transport_is_ready(p->s));
}

/*
 * Encrypted phases: after a real kex, the peer sends msg with the current
 * keys (tp_send_now, past any kex hold). For GATE_KEX the peer has just
 * started a rekey and the receiver read its KEXINIT.
 */
static void
run_keyed(struct keyset *ks, bool is_server, enum gate_phase ph, uint8_t msg)
{
    struct pair_opts opts;
    struct pair p;
    struct transport *rx, *tx;
    struct transport_stats before, after;
    struct outcome o, peer;
    uint8_t payload[1 + INJECT_PAD];
    size_t len;

    memset(&o, 0, sizeof(o));
    memset(&peer, 0, sizeof(peer));
    kex_pair(ks, &opts, &p);
    rx = is_server ? p.s : p.c;
    tx = is_server ? p.c : p.s;
    if (ph != GATE_USERAUTH) {
        transport_set_authenticated(rx);
    }
    if (ph == GATE_KEX) {
        assert_int_equal(transport_rekey(tx), 0);
        move(tx, rx, msg, &o);
        assert_int_equal(o.r, ERR_AGAIN);
    }
    transport_get_stats(rx, &before);
    inject_payload(msg, payload, &len);
    assert_int_equal(tp_send_now(tx, payload, len), 0);
    move(tx, rx, msg, &o);
    transport_get_stats(rx, &after);
    o.new_packets = (unsigned)(after.packets_out - before.packets_out);
    /* The peer reads everything the receiver said, DISCONNECT included. */
    move(rx, tx, 0, &peer);
    if (strncmp(peer.err, "Received disconnect from peer: ", 31) == 0) {
        o.disc = true;
        o.disc_reason = (uint32_t)strtoul(peer.err + 31, NULL, 10);
        if (strstr(peer.err + 31, ": ") != NULL) {
            snprintf(o.disc_text, sizeof(o.disc_text), "%s",
                     strstr(peer.err + 31, ": ") + 2);
        }
    } else if (o.r == ERR_AGAIN) {
        /* Nothing ended the connection: the peer heard no complaint. */
        assert_string_equal(peer.err, "");
    }
    check_outcome(is_server, ph, msg, &o);
    pair_free(&p);
}

static void
run_all(struct keyset *ks, enum gate_phase ph, bool keyed)
{
    unsigned msg;
    int role;

    for (role = 0; role < 2; role++) {
        for (msg = 0; msg < 256; msg++) {
            if (keyed) {
                run_keyed(ks, role == 1, ph, (uint8_t)msg);
            } else {
                run_plain(ks, role == 1, ph, (uint8_t)msg);
            }
        }
    }
}

static void
test_pre_kexinit(void **state)
{
    run_all(*state, GATE_PRE_KEXINIT, false);
}

static void
test_kex_strict(void **state)
{
    run_all(*state, GATE_KEX_STRICT, false);
}

static void
test_first_kex(void **state)
{
    run_all(*state, GATE_KEX, false);
}

static void
test_rekey(void **state)
{
    run_all(*state, GATE_KEX, true);
}

static void
test_userauth(void **state)
{
    run_all(*state, GATE_USERAUTH, true);
}

static void
test_connection(void **state)
{
    run_all(*state, GATE_CONNECTION, true);
}

/*
 * The table itself, checked against rules written out independently of
 * it, for the messages real attacks have used.
 */
static void
test_table_spot_checks(void **state)
{
    int ph, msg;

    (void)state;
    for (ph = 0; ph < GATE_NPHASES; ph++) {
        /* A client's USERAUTH_SUCCESS or PK_OK is never heard. */
        assert_int_equal(gate_check(true, ph, SSH_MSG_USERAUTH_SUCCESS),
                         GATE_REJECT);
        assert_int_equal(gate_check(true, ph, SSH_MSG_USERAUTH_PK_OK),
                         GATE_REJECT);
        /* A server never receives a USERAUTH_REQUEST or kex replies. */
        assert_int_equal(gate_check(false, ph, SSH_MSG_USERAUTH_REQUEST),
                         GATE_REJECT);
        assert_int_equal(gate_check(true, ph, SSH_MSG_KEX_ECDH_REPLY),
                         GATE_REJECT);
        assert_int_equal(gate_check(false, ph, SSH_MSG_KEX_ECDH_INIT),
                         GATE_REJECT);
        /* DISCONNECT is always heard; message 0 never. */
        assert_int_equal(gate_check(true, ph, SSH_MSG_DISCONNECT), GATE_ACCEPT);
        assert_int_equal(gate_check(false, ph, 0), GATE_REJECT);
        /* The connection protocol only after authentication. */
        for (msg = SSH_MSG_GLOBAL_REQUEST; msg <= SSH_MSG_CHANNEL_FAILURE;
             msg++) {
            enum gate_verdict want =
                ph == GATE_CONNECTION && (msg <= SSH_MSG_REQUEST_FAILURE ||
                                          msg >= SSH_MSG_CHANNEL_OPEN)
                    ? GATE_ACCEPT
                    : GATE_REJECT;

            assert_int_equal(gate_check(true, ph, (uint8_t)msg), want);
            assert_int_equal(gate_check(false, ph, (uint8_t)msg), want);
        }
    }
    /* Terrapin: nothing but the kex inside a strict initial kex. */
    assert_int_equal(gate_check(true, GATE_KEX_STRICT, SSH_MSG_IGNORE),
                     GATE_REJECT);
    assert_int_equal(gate_check(false, GATE_KEX_STRICT, SSH_MSG_EXT_INFO),
                     GATE_REJECT);
    /* 60 (PK_OK, PASSWD_CHANGEREQ, INFO_REQUEST) reaches a client only
     * while authenticating; 61 (INFO_RESPONSE) never reaches a client,
     * and aditd, public key only, refuses it too. */
    for (ph = 0; ph < GATE_NPHASES; ph++) {
        assert_int_equal(gate_check(false, ph, SSH_MSG_USERAUTH_INFO_REQUEST),
                         ph == GATE_USERAUTH ? GATE_ACCEPT : GATE_REJECT);
        assert_int_equal(gate_check(true, ph, SSH_MSG_USERAUTH_INFO_REQUEST),
                         GATE_REJECT);
        assert_int_equal(gate_check(true, ph, SSH_MSG_USERAUTH_INFO_RESPONSE),
                         GATE_REJECT);
        assert_int_equal(gate_check(false, ph, SSH_MSG_USERAUTH_INFO_RESPONSE),
                         GATE_REJECT);
    }
    /* RFC 4252 5.1: a late USERAUTH_REQUEST is ignored. */
    assert_int_equal(
        gate_check(true, GATE_CONNECTION, SSH_MSG_USERAUTH_REQUEST), GATE_DROP);
    /* RFC 4253 11.4: unknown extensions get UNIMPLEMENTED. */
    assert_int_equal(gate_check(true, GATE_CONNECTION, 200),
                     GATE_UNIMPLEMENTED);
    assert_int_equal(gate_check(false, GATE_USERAUTH, 12), GATE_UNIMPLEMENTED);
    assert_int_equal(gate_check(true, GATE_NPHASES, SSH_MSG_DISCONNECT),
                     GATE_REJECT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_spot_checks),
        cmocka_unit_test(test_pre_kexinit),
        cmocka_unit_test(test_kex_strict),
        cmocka_unit_test(test_first_kex),
        cmocka_unit_test(test_rekey),
        cmocka_unit_test(test_userauth),
        cmocka_unit_test(test_connection),
    };

    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
