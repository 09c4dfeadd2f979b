/* SPDX-License-Identifier: ISC */
/* Fuzz harness: KEXINIT decoding and negotiation against a fixed proposal. */
#include <string.h>

#include "fuzz.h"

#include "crypto/cipher.h"
#include "transport/kexinit.h"

/* The parentheses tell clang's -Wstring-concatenation that the first
 * entry is one list split over two lines, not a missing comma. */
static const char *const local_lists[KI_NLISTS] = {
    ("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
     "ecdh-sha2-nistp384,ecdh-sha2-nistp521,kex-strict-s-v00@openssh.com"),
    "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
    "none",
    "none",
    "",
    "",
};

static bool
fuzz_is_aead(const char *name)
{
    const struct cipher_alg *a = cipher_by_name(name);

    return a != NULL && (a->flags & CIPHER_AEAD) != 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kexinit peer, local;
    struct kex_choice c;
    struct rd rd;
    char err[256];
    size_t i;

    memset(&local, 0, sizeof(local));
    for (i = 0; i < KI_NLISTS; i++) {
        /* The lists are only read; the cast keeps the struct simple. */
        local.lists[i] = (char *)local_lists[i];
    }
    rd_init(&rd, data, size);
    if (kexinit_decode(&rd, &peer) != 0) {
        return 0;
    }
    /* The peer as client, then as server. */
    if (kexinit_negotiate(&peer, &local, true, fuzz_is_aead, &c, err,
                          sizeof(err)) == 0) {
        kex_choice_cleanup(&c);
    }
    if (kexinit_negotiate(&local, &peer, false, fuzz_is_aead, &c, err,
                          sizeof(err)) == 0) {
        kex_choice_cleanup(&c);
    }
    kexinit_cleanup(&peer);
    return 0;
}
