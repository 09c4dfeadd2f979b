/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the whole server session before authentication, as aditd runs it:
 * the version exchange, KEXINIT negotiation, the key exchange messages and
 * whatever the gate lets through, fed as raw bytes from the network in
 * the chunks the input gives (each a 2-byte length and that many bytes),
 * with the clock moving between chunks so the grace timer runs too.
 * Every answer the server produces is taken and dropped.
 */
#include <stdlib.h>

#include "conn/session.h"
#include "fuzz.h"
#include "fuzz_split.h"
#include "keys/sshkey.h"

/* Every key is refused: the fuzzer cannot sign for a real session id, so
 * what is reachable here is everything up to the signature check. */
static int
fuzz_check_key(void *ctx, const char *user, const struct sshkey *key,
               const void **info)
{
    (void)ctx;
    (void)user;
    (void)key;
    (void)info;
    return ERR_DENIED;
}

/* One host key per algorithm family the server offers, made once: key
 * generation is not what is being fuzzed. */
static struct sshkey *const *
fuzz_hostkeys(size_t *n)
{
    static struct sshkey *keys[2];
    static size_t nkeys;

    if (nkeys == 0) {
        if (sshkey_generate(SSHKEY_ED25519, 0, &keys[0]) != 0 ||
            sshkey_generate(SSHKEY_ECDSA_P256, 0, &keys[1]) != 0) {
            abort();
        }
        nkeys = 2;
    }
    *n = nkeys;
    return keys;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct session_config cfg = {0};
    struct session_cbs cbs = {0};
    struct conn_cbs cc = {0};
    struct session *s = NULL;
    struct buf out;
    const uint8_t *chunk;
    size_t len;
    uint64_t now = 0;

    cfg.transport.is_server = true;
    cfg.transport.software_version = "adit_fuzz";
    cfg.transport.hostkeys = fuzz_hostkeys(&cfg.transport.n_hostkeys);
    cfg.transport.compression = "none,zlib@openssh.com,zlib";
    cfg.server_auth.check_key = fuzz_check_key;
    cfg.login_grace_ms = 5000;
    buf_init(&out);
    if (session_new(&s, &cfg, &cbs, &cc) != 0) {
        return 0;
    }
    if (session_start(s, now) != 0) {
        goto done;
    }
    while (fuzz_next_msg(&data, &size, &chunk, &len)) {
        int rc = session_feed(s, chunk, len);

        if (session_has_output(s)) {
            session_take_output(s, &out);
            buf_reset(&out);
        }
        if (rc != 0) {
            break;
        }
        now += 700;
        if (session_tick(s, now) != 0) {
            break;
        }
    }
done:
    session_free(s);
    buf_cleanup(&out);
    return 0;
}
