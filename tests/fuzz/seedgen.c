/* SPDX-License-Identifier: ISC */
/*
 * Records the seed corpora of the session harnesses: fuzz_peers.h's client
 * and server, paired in memory with their own fixed random streams (as
 * each harness runs alone), log in and use their forwards; what the
 * client sent becomes an input of fuzz_server_authed, what the server sent
 * one of fuzz_client_session, in the harnesses' chunk format. Also a real
 * signature by each fixed key for fuzz_sig. Built only in a fuzzing build
 * (the "none" cipher):
 *   build-fuzz/seedgen tests/fuzz/corpus/server_authed \
 *       tests/fuzz/corpus/client_session tests/fuzz/corpus/sig
 */
#include <stdio.h>

#include "fuzz_peers.h"
#include "fuzz_rand.h"

#define ROUNDS 200
#define CHUNK_MAX 0xffffu

/* Feed everything in pending to p in chunks, recording them in rec. */
static int
relay(struct buf *pending, struct fuzz_peer *p, int stream, uint64_t *now,
      struct buf *rec, struct buf *reply)
{
    size_t off = 0, n;
    int rc = 0;

    while (off < buf_len(pending) && rc == 0) {
        n = buf_len(pending) - off;
        n = n > CHUNK_MAX ? CHUNK_MAX : n;
        if (buf_put_u8(rec, (uint8_t)(n >> 8)) != 0 ||
            buf_put_u8(rec, (uint8_t)n) != 0 ||
            buf_put(rec, buf_ptr(pending) + off, n) != 0) {
            return -1;
        }
        fuzz_rand_use(stream);
        rc = fuzz_peer_feed(p, buf_ptr(pending) + off, n, now, reply);
        off += n;
    }
    buf_reset(pending);
    return rc;
}

static void
take(struct fuzz_peer *p, struct buf *to)
{
    struct buf tmp;

    if (!session_has_output(p->s)) {
        return;
    }
    buf_init(&tmp);
    session_take_output(p->s, &tmp);
    (void)buf_put(to, buf_ptr(&tmp), buf_len(&tmp));
    buf_cleanup(&tmp);
}

static int
save(const char *dir, const char *name, const struct buf *b)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "wb")) == NULL ||
        fwrite(buf_ptr(b), 1, buf_len(b), f) != buf_len(b) || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    printf("%s: %zu bytes\n", path, buf_len(b));
    return 0;
}

/*
 * Replay a recording to one peer alone, as its harness does: it must get
 * as far again (the server logs the client in, the client's forward
 * opens), or the corpus would not start where it should.
 */
static bool
replays(const struct buf *rec, bool server)
{
    const uint8_t *d = buf_ptr(rec);
    struct fuzz_peer p;
    bool ok;

    fuzz_rand_reset(server ? 0 : 1,
                    server ? FUZZ_SERVER_SEED : FUZZ_CLIENT_SEED);
    if ((server ? fuzz_server_new(&p) : fuzz_client_new(&p, d[0] != 0)) != 0) {
        abort();
    }
    if (server) {
        fuzz_peer_replay(&p, d, buf_len(rec));
    } else {
        fuzz_peer_replay(&p, d + 1, buf_len(rec) - 1);
    }
    ok = server ? session_is_authenticated(p.s) : p.opened != 0;
    session_free(p.s);
    return ok;
}

static int
record(bool compress, const char *sdir, const char *cdir, const char *name)
{
    struct fuzz_peer sp, cp;
    struct buf c2s, s2c, rec_s, rec_c;
    uint64_t now_s = 0, now_c = 0;
    int i, r = -1;

    (void)fuzz_key(FUZZ_KEY_ED25519);
    buf_init(&c2s);
    buf_init(&s2c);
    buf_init(&rec_s);
    buf_init(&rec_c);
    fuzz_rand_reset(0, FUZZ_SERVER_SEED);
    fuzz_rand_reset(1, FUZZ_CLIENT_SEED);
    fuzz_rand_use(0);
    if (fuzz_server_new(&sp) != 0) {
        goto out;
    }
    fuzz_rand_use(1);
    if (fuzz_client_new(&cp, compress) != 0 ||
        buf_put_u8(&rec_c, compress ? 1 : 0) != 0) {
        goto out;
    }
    for (i = 0; i < ROUNDS; i++) {
        take(&cp, &c2s);
        if (buf_len(&c2s) == 0 && !session_has_output(sp.s)) {
            break;
        }
        if (relay(&c2s, &sp, 0, &now_s, &rec_s, &s2c) != 0) {
            fprintf(stderr, "server: %s\n", session_error(sp.s));
            break;
        }
        take(&sp, &s2c);
        if (relay(&s2c, &cp, 1, &now_c, &rec_c, &c2s) != 0) {
            fprintf(stderr, "client: %s\n", session_error(cp.s));
            break;
        }
    }
    if (!session_is_authenticated(sp.s) || cp.opened == 0) {
        fprintf(stderr, "seedgen: the login or the forward did not happen\n");
        goto out;
    }
    if (!replays(&rec_s, true) || !replays(&rec_c, false)) {
        fprintf(stderr, "seedgen: a recording does not replay alone\n");
        goto out;
    }
    r = save(sdir, name, &rec_s) != 0 || save(cdir, name, &rec_c) != 0 ? -1 : 0;
out:
    session_free(sp.s);
    session_free(cp.s);
    buf_cleanup(&c2s);
    buf_cleanup(&s2c);
    buf_cleanup(&rec_s);
    buf_cleanup(&rec_c);
    return r;
}

/* fuzz_sig's input: key, allowed-list selector, data length, data, blob. */
static int
sign_seed(const char *dir, enum fuzz_key k, const char *alg, uint8_t allow)
{
    static const char data[] = "session id || USERAUTH_REQUEST";
    char name[64];
    struct buf b;
    int r;

    buf_init(&b);
    snprintf(name, sizeof(name), "%s%s", alg, allow != 0 ? "_allowed" : "");
    r = buf_put_u8(&b, (uint8_t)k) != 0 || buf_put_u8(&b, allow) != 0 ||
                buf_put_u8(&b, 0) != 0 ||
                buf_put_u8(&b, (uint8_t)(sizeof(data) - 1)) != 0 ||
                buf_put(&b, data, sizeof(data) - 1) != 0 ||
                sshkey_sign(fuzz_key(k), alg, (const uint8_t *)data,
                            sizeof(data) - 1, &b) != 0 ||
                save(dir, name, &b) != 0
            ? -1
            : 0;
    buf_cleanup(&b);
    return r;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: seedgen server-corpus-dir client-corpus-dir "
                        "sig-corpus-dir\n");
        return 2;
    }
    if (record(false, argv[1], argv[2], "login_forwards") != 0 ||
        record(true, argv[1], argv[2], "login_forwards_zlib") != 0 ||
        sign_seed(argv[3], FUZZ_KEY_ED25519, "ssh-ed25519", 0) != 0 ||
        sign_seed(argv[3], FUZZ_KEY_P256, "ecdsa-sha2-nistp256", 0) != 0 ||
        sign_seed(argv[3], FUZZ_KEY_P384, "ecdsa-sha2-nistp384", 1) != 0 ||
        sign_seed(argv[3], FUZZ_KEY_P521, "ecdsa-sha2-nistp521", 0) != 0 ||
        sign_seed(argv[3], FUZZ_KEY_RSA, "rsa-sha2-512", 1) != 0 ||
        sign_seed(argv[3], FUZZ_KEY_RSA, "rsa-sha2-256", 2) != 0) {
        return 1;
    }
    return 0;
}
