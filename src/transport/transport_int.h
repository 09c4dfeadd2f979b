/* SPDX-License-Identifier: ISC */
/*
 * The transport's state, shared by transport.c (input and dispatch),
 * transport_out.c (output, the sink, errors) and transport_kex.c (key
 * exchange). Internal to the transport layer.
 */
#ifndef ADIT_TRANSPORT_TRANSPORT_INT_H
#define ADIT_TRANSPORT_TRANSPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "crypto/kexalg.h"
#include "transport/comp.h"
#include "transport/kex.h"
#include "transport/kexinit.h"
#include "transport/packet.h"
#include "transport/transport.h"
#include "wire/buf.h"

#define TRANSPORT_ERRMSG_LEN 512

struct transport {
    /* Configuration, copied and filtered to what we implement. */
    bool is_server;
    char *kex_algs, *ciphers, *macs, *hostkey_algs, *comp_algs;
    struct sshkey *const *hostkeys;
    size_t n_hostkeys;
    int (*verify_hostkey)(void *ctx, const struct sshkey *key);
    void *verify_ctx;
    uint64_t rekey_bytes;
    uint64_t rekey_ms;

    /* Framing. */
    struct pkt_dir in, out;
    struct buf inbuf;  /* received, not yet processed */
    size_t in_consume; /* bytes of inbuf to drop before the next packet */
    struct buf outbuf; /* ready for the network */
    struct buf held;   /* upper-layer payloads held during a kex:
                        * uint32 length + payload each */
    size_t held_count;
    bool sink_to_held;     /* where the reserved sink payload goes */
    uint8_t *sink_hdr;     /* held: where its length is written */
    size_t sink_before;    /* outbuf length at reserve (for stats) */
    uint8_t *sink_payload; /* outbuf: where the reserved payload goes */

    /* Version exchange. */
    bool started;
    char *our_version, *peer_version; /* without CR LF */
    unsigned prelines;

    /* Key exchange. */
    bool kex_running; /* we sent or received KEXINIT, not yet finished */
    bool sent_kexinit, got_kexinit, keys_ready, sent_newkeys, got_newkeys;
    bool ignore_next;    /* drop the peer's wrongly guessed kex packet */
    bool first_kex_done; /* the peer's first NEWKEYS arrived */
    bool strict;
    bool peer_ext_info_c; /* server: the client offered ext-info-c */
    unsigned kex_packets; /* received during this kex */
    struct kexinit my_ki;
    struct buf my_kexinit, peer_kexinit; /* payloads, for H */
    struct kex_choice choice;
    const struct kex_alg *kalg;
    struct kex_keypair *kp;
    struct kex_dirkeys nk[2];   /* [0] c2s, [1] s2c: pending new keys */
    struct kex_gex_request gex; /* group exchange: the client's request */
    bool sent_gex_request;      /* client: it went out */
    uint8_t session_id[DIGEST_MAX_LEN];
    size_t sid_len;
    struct sshkey *hostkey; /* client: the server's, from the last kex */
    char *server_sig_algs;

    /* Compression: each direction's method since its last NEWKEYS, and
     * whether USERAUTH_SUCCESS went by (zlib@openssh.com starts then). */
    enum comp_type comp_in, comp_out;
    bool after_auth;

    /* The state gate: the layers above said authentication succeeded;
     * a server's count of packets received before that. */
    bool authenticated;
    unsigned unauth_packets;

    /* The end. */
    int err;
    char errmsg[TRANSPORT_ERRMSG_LEN];
    bool send_closed;

    uint64_t now_ms, kex_done_ms;
    struct transport_stats stats;
};

/* transport_out.c */

/* Send a transport-layer payload now, whatever the kex state. */
int tp_send_now(struct transport *t, const uint8_t *payload, size_t len);
/* Send the held upper-layer payloads (after our NEWKEYS). */
int tp_flush_held(struct transport *t);
/*
 * Record the end of the connection: r and a sentence (printf format) for
 * transport_error(); if reason is not 0, queue a DISCONNECT with it.
 * Returns r. Only the first failure is kept.
 */
int tp_fail(struct transport *t, int r, uint32_t reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Start a rekey when a byte, packet or time limit has been reached. */
int tp_maybe_rekey(struct transport *t);

/* transport_comp.c */

/* This direction's method changed at NEWKEYS: start a fresh stream when
 * the method is on (as OpenSSH restarts it at every NEWKEYS) or drop it. */
int tp_comp_newkeys(struct transport *t, bool is_out);
/* A payload of ours went out / one of the peer's came in: its message
 * number may be USERAUTH_SUCCESS, which starts delayed compression. */
int tp_comp_sent(struct transport *t, uint8_t type);
int tp_comp_received(struct transport *t, uint8_t type);

/* transport_kex.c */

/* Send our KEXINIT (markers only in the first one) and enter kex. */
int tp_kex_start(struct transport *t);
/* The peer's KEXINIT, NEWKEYS and kex-method messages (30..49). */
int tp_kex_recv_kexinit(struct transport *t, const uint8_t *p, size_t len);
int tp_kex_recv_newkeys(struct transport *t, const uint8_t *p, size_t len);
int tp_kex_recv_method(struct transport *t, const uint8_t *p, size_t len);
/* Free the per-exchange state (ephemeral keys, pending keys). */
void tp_kex_reset(struct transport *t);
/* Client: an EXT_INFO payload. */
int tp_kex_recv_ext_info(struct transport *t, const uint8_t *p, size_t len);
/*
 * Client: send KEX_ECDH_INIT, KEXDH_INIT or KEX_DH_GEX_INIT, with a fresh
 * key pair (group exchange: the one made from the server's group).
 */
int tp_kex_send_init(struct transport *t);

/* transport_kex_gex.c: the group exchange's first round (RFC 4419 3). */

/* Client: send KEX_DH_GEX_REQUEST sized for the negotiated ciphers. */
int tp_kex_gex_send_request(struct transport *t);
/* Server: KEX_DH_GEX_REQUEST in, KEX_DH_GEX_GROUP out. */
int tp_kex_gex_recv_request(struct transport *t, const uint8_t *p, size_t len);
/* Client: KEX_DH_GEX_GROUP in, checked; KEX_DH_GEX_INIT out. */
int tp_kex_gex_recv_group(struct transport *t, const uint8_t *p, size_t len);

#endif
