/* SPDX-License-Identifier: ISC */
/*
 * The SSH transport layer (RFC 4253), both roles, without I/O: bytes from
 * the network go in with transport_feed(), messages for the layers above
 * come out of transport_next(), their messages go in through the sink, and
 * bytes for the network come out of transport_take_output(). Key exchange,
 * rekeying, strict kex, ext-info, IGNORE/DEBUG/UNIMPLEMENTED/DISCONNECT are
 * handled inside and never reach the caller.
 */
#ifndef ADIT_TRANSPORT_TRANSPORT_H
#define ADIT_TRANSPORT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/sshkey.h"
#include "transport/sink.h"
#include "wire/buf.h"

struct transport;

struct transport_config {
    bool is_server;
    /* Our software version, e.g. "adit_0.1": sent as "SSH-2.0-adit_0.1". */
    const char *software_version;
    /* Comma-separated preference lists; NULL for the defaults. */
    const char *kex_algs;
    const char *ciphers;
    const char *macs;
    /* Client: host key algorithms to accept, in order. Server: derived
     * from hostkeys (rsa keys offer rsa-sha2-512,rsa-sha2-256), then, when
     * set, only those also named here (HostKeyAlgorithms); none left is
     * ERR_CONFIG. */
    const char *hostkey_algs;
    /* Server: host keys, borrowed; they must outlive the transport. */
    struct sshkey *const *hostkeys;
    size_t n_hostkeys;
    /* Client: decides whether the server's host key is trusted. Called
     * once per key exchange, after the signature over H verified; return 0
     * to accept, or an error (the connection then fails with it). */
    int (*verify_hostkey)(void *ctx, const struct sshkey *key);
    void *verify_ctx;
    /* Rekey after this many bytes in either direction (0: default by
     * cipher, LIM_REKEY_BYTES) and this many seconds (0: LIM_REKEY_SECONDS;
     * UINT32_MAX: in effect never, for RekeyLimit "none"). */
    uint64_t rekey_bytes;
    uint32_t rekey_seconds;
    /* Compression methods to offer, in order (comma-separated: "none",
     * "zlib@openssh.com", "zlib"); NULL for "none" only. */
    const char *compression;
};

/* The client's default host key algorithm preference list. */
const char *transport_default_hostkey_algs(void);

/* Strings are copied; cfg need not outlive the call. */
int transport_new(struct transport **out, const struct transport_config *cfg);
void transport_free(struct transport *t);

/* Queue our version line and first KEXINIT. Call once, first. */
int transport_start(struct transport *t, uint64_t now_ms);

/*
 * Bytes received from the peer. They are buffered (at most about two
 * maximum packets beyond what was processed: ERR_LIMIT means the caller
 * must drain transport_next first, which it always does after a feed).
 */
int transport_feed(struct transport *t, const uint8_t *p, size_t n);

/*
 * Zero-copy alternative to transport_feed: room for up to max bytes at the
 * end of the input buffer (*n may be less, never 0 on success); read the
 * network into it, then commit the count. Nothing else may be called on
 * the transport in between. ERR_LIMIT while the input is full (the caller
 * drains transport_next first, which it always does after a commit).
 */
int transport_feed_space(struct transport *t, size_t max, uint8_t **p,
                         size_t *n);
int transport_feed_commit(struct transport *t, size_t n);

/*
 * Process buffered input until there is a message for the layers above:
 * SERVICE_REQUEST, SERVICE_ACCEPT, and message numbers >= 50, each only
 * in the phase where the state gate (gate.h) allows it: userauth
 * messages before transport_set_authenticated, connection messages
 * after. Everything else was handled, answered with UNIMPLEMENTED, or
 * ended the connection.
 * Returns 0 with *payload and *len viewing it (valid until the next call into
 * the transport), ERR_AGAIN when more bytes are needed, or a negative
 * error: the connection is over, transport_error() says why and any
 * DISCONNECT for the peer is already queued in the output.
 */
int transport_next(struct transport *t, const uint8_t **payload, size_t *len);

/*
 * True when payloads from transport_next stay valid longer: until the next
 * transport_feed_space (packets are decrypted in place in the input
 * buffer, which only that call moves). Not with compression from the
 * peer: each payload is inflated into the one buffer the next reuses.
 */
bool transport_payload_kept(const struct transport *t);

/*
 * The layers above say user authentication succeeded (server: its
 * USERAUTH_SUCCESS is queued; client: the server's arrived). From now on
 * the state gate (gate.h) admits the connection protocol and refuses
 * authentication messages.
 */
void transport_set_authenticated(struct transport *t);

/* The sink through which upper layers send messages. During a key
 * exchange their messages are held (in order) and sent after NEWKEYS. */
void transport_sink(struct transport *t, struct pkt_sink *out);

/* Bytes waiting to be written, plus messages held during a key exchange:
 * the io layer stops reading local sockets above a high-water mark. */
size_t transport_queued(const struct transport *t);

/*
 * Move everything ready for the network into out (swapped, not copied;
 * out should be an empty buffer whose memory is then reused).
 */
bool transport_has_output(const struct transport *t);
void transport_take_output(struct transport *t, struct buf *out);
/*
 * Or write it from where it is: the bytes ready (*n of them, NULL when
 * none), and how many of them were written. Valid until the next call
 * into the transport.
 */
const uint8_t *transport_output(const struct transport *t, size_t *n);
void transport_output_done(struct transport *t, size_t n);

/*
 * The connection is idle: free the input, output and held buffers that
 * are empty, so memory grown for bulk data returns once it is gone (they
 * keep their size while busy: no regrowth, no page faults per packet).
 * Returns the bytes freed.
 */
size_t transport_trim(struct transport *t);

/* Time passes: may start a rekey. now_ms is monotonic milliseconds. */
int transport_tick(struct transport *t, uint64_t now_ms);

/* Start a key exchange now (no-op if one is running). */
int transport_rekey(struct transport *t);

/* Queue a DISCONNECT with reason code and text; the transport is then
 * closed for sending. */
int transport_disconnect(struct transport *t, uint32_t reason, const char *msg);

/* Why the connection ended, for the user: e.g. "Received disconnect from
 * peer: 2: Too many authentication failures" or "message authentication
 * code incorrect". Empty if it has not ended. */
const char *transport_error(const struct transport *t);

/* True once the first key exchange has completed. */
bool transport_is_ready(const struct transport *t);
/* Session id (the first H); NULL before the first kex completes. */
const uint8_t *transport_session_id(const struct transport *t, size_t *len);
/*
 * The session id as soon as our first NEWKEYS is out, the peer's perhaps
 * still on its way; NULL before. What the layers above send from then on
 * goes out under the new keys, after the messages held during the kex
 * (the client signs its first login request then, userauth_client_early).
 */
const uint8_t *transport_session_id_sent(const struct transport *t,
                                         size_t *len);
/* The peer's version line (without CR LF), or NULL before it arrived. */
const char *transport_peer_version(const struct transport *t);
/*
 * The peer is adit or aditd: its version line's software version starts
 * "adit_" (both programs send "SSH-2.0-adit_<version>"). Only extras both
 * ends understand depend on it (larger packets, growing windows); a peer
 * that only claims the name gets packets up to what it advertised itself.
 */
bool transport_peer_is_adit(const struct transport *t);
/* Client: server-sig-algs from the server's EXT_INFO, or NULL. */
const char *transport_server_sig_algs(const struct transport *t);
/* Client: the server's host key from the last kex, or NULL. */
const struct sshkey *transport_hostkey(const struct transport *t);

/* Negotiated algorithm names, for logs and tests. */
struct transport_algs {
    const char *kex;
    const char *hostkey;
    const char *cipher_c2s, *cipher_s2c;
    const char *mac_c2s, *mac_s2c;
    const char *comp_c2s, *comp_s2c;
    bool strict_kex;
};
void transport_get_algs(const struct transport *t, struct transport_algs *a);

/* Whether payloads are compressed now in each direction (for tests). */
void transport_compressing(const struct transport *t, bool *in, bool *out);

/* Counters for tests and status. */
struct transport_stats {
    uint64_t bytes_in, bytes_out; /* on the wire */
    uint64_t packets_in, packets_out;
    unsigned kex_count; /* completed key exchanges */
};
void transport_get_stats(const struct transport *t, struct transport_stats *s);

#endif
