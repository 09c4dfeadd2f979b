/* SPDX-License-Identifier: ISC */
/* Packet ciphers over libcrypto: chacha20-poly1305, AES-GCM, AES-CTR. */
#include "crypto/cipher.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"

#define CHACHA_KEY_LEN 32 /* each of the two chacha20 keys */
#define CHACHA_IV_LEN 16  /* EVP_chacha20: LE32 counter || 96-bit nonce */
#define POLY_KEY_LEN 32
#define TAG_LEN 16    /* Poly1305 and GCM tags */
#define GCM_IV_LEN 12 /* RFC 5647 7.1: 4-byte fixed || 8-byte counter */

enum cipher_kind { KIND_CHACHA, KIND_GCM, KIND_CTR, KIND_NONE };

struct cipher_entry {
    struct cipher_alg alg;
    enum cipher_kind kind;
    const EVP_CIPHER *(*evp)(void);
};

static const struct cipher_entry cipher_table[] = {
    {{"chacha20-poly1305@openssh.com", 8, 64, 0, TAG_LEN,
      CIPHER_AEAD | CIPHER_CHACHAPOLY},
     KIND_CHACHA,
     EVP_chacha20},
    {{"aes128-gcm@openssh.com", 16, 16, GCM_IV_LEN, TAG_LEN, CIPHER_AEAD},
     KIND_GCM,
     EVP_aes_128_gcm},
    {{"aes256-gcm@openssh.com", 16, 32, GCM_IV_LEN, TAG_LEN, CIPHER_AEAD},
     KIND_GCM,
     EVP_aes_256_gcm},
    {{"aes128-ctr", 16, 16, 16, 0, 0}, KIND_CTR, EVP_aes_128_ctr},
    {{"aes256-ctr", 16, 32, 16, 0, 0}, KIND_CTR, EVP_aes_256_ctr},
#ifdef ADIT_FUZZ_NULL_CIPHER
    /*
     * Fuzzing builds only (CMakeLists.txt sets this with ADIT_FUZZ): RFC
     * 4253's "none", which copies, with no MAC (an AEAD with no tag), so a
     * fuzzer that cannot compute keys still reaches what comes after the
     * key exchange. Never in a normal build: a unit test checks that
     * nothing offers or accepts it there.
     */
    {{"none", 8, 0, 0, 0, CIPHER_AEAD}, KIND_NONE, NULL},
#endif
};

#define CIPHER_COUNT (sizeof(cipher_table) / sizeof(cipher_table[0]))

/*
 * One direction's state. All libcrypto contexts are made once here and
 * reused for every packet, so the data path does not allocate.
 */
struct cipher_ctx {
    const struct cipher_entry *e;
    EVP_CIPHER_CTX *main;   /* chacha K_2, GCM or CTR */
    EVP_CIPHER_CTX *header; /* chacha K_1: the length field */
    EVP_MAC_CTX *poly;      /* chacha: Poly1305 */
    bool encrypt;
};

const struct cipher_alg *
cipher_by_name(const char *name)
{
    size_t i;

    if (name == NULL) {
        return NULL;
    }
    for (i = 0; i < CIPHER_COUNT; i++) {
        if (strcmp(cipher_table[i].alg.name, name) == 0) {
            return &cipher_table[i].alg;
        }
    }
    return NULL;
}

const char *
cipher_default_list(void)
{
    return "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
           "aes256-gcm@openssh.com,aes128-ctr,aes256-ctr";
}

static const struct cipher_entry *
cipher_entry_of(const struct cipher_alg *alg)
{
    size_t i;

    for (i = 0; i < CIPHER_COUNT; i++) {
        if (&cipher_table[i].alg == alg) {
            return &cipher_table[i];
        }
    }
    return NULL;
}

void
cipher_free(struct cipher_ctx *c)
{
    if (c == NULL) {
        return;
    }
    /* The EVP free functions cleanse their key schedules. */
    EVP_CIPHER_CTX_free(c->main);
    EVP_CIPHER_CTX_free(c->header);
    EVP_MAC_CTX_free(c->poly);
    mem_free_wiped(c, sizeof(*c));
}

static int
cipher_init_chacha(struct cipher_ctx *c, const uint8_t *key)
{
    EVP_MAC *mac = NULL;
    int r = ERR_CRYPTO;

    /*
     * PROTOCOL.chacha20poly1305: the first 32 bytes are K_2 (payload and
     * Poly1305 key), the last 32 are K_1 (the length field).
     */
    if ((c->header = EVP_CIPHER_CTX_new()) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (EVP_CipherInit_ex(c->main, EVP_chacha20(), NULL, key, NULL, 1) != 1 ||
        EVP_CipherInit_ex(c->header, EVP_chacha20(), NULL, key + CHACHA_KEY_LEN,
                          NULL, 1) != 1 ||
        EVP_CIPHER_CTX_get_iv_length(c->main) != CHACHA_IV_LEN) {
        goto out;
    }
    if ((mac = EVP_MAC_fetch(NULL, "POLY1305", NULL)) == NULL ||
        (c->poly = EVP_MAC_CTX_new(mac)) == NULL) {
        goto out;
    }
    r = 0;
out:
    EVP_MAC_free(mac);
    return r;
}

static int
cipher_init_aes(struct cipher_ctx *c, const uint8_t *key, const uint8_t *iv)
{
    if (c->e->kind == KIND_GCM) {
        /*
         * The key once; the whole IV is handed to libcrypto as "fixed"
         * (length -1), which then keeps RFC 5647's invocation counter:
         * EVP_CTRL_GCM_IV_GEN applies the IV to a packet and increments
         * its last 8 bytes (as OpenSSH does), cheaper than a whole
         * EVP_CipherInit_ex per packet.
         */
        if (EVP_CipherInit_ex(c->main, c->e->evp(), NULL, NULL, NULL,
                              c->encrypt ? 1 : 0) != 1 ||
            EVP_CIPHER_CTX_ctrl(c->main, EVP_CTRL_GCM_SET_IVLEN, GCM_IV_LEN,
                                NULL) != 1 ||
            EVP_CipherInit_ex(c->main, NULL, NULL, key, NULL, -1) != 1 ||
            EVP_CIPHER_CTX_ctrl(c->main, EVP_CTRL_GCM_SET_IV_FIXED, -1,
                                (void *)iv) != 1) {
            return ERR_CRYPTO;
        }
        return 0;
    }
    /* CTR is one keystream across all packets of this direction. */
    if (EVP_CipherInit_ex(c->main, c->e->evp(), NULL, key, iv,
                          c->encrypt ? 1 : 0) != 1) {
        return ERR_CRYPTO;
    }
    return 0;
}

int
cipher_init(struct cipher_ctx **out, const struct cipher_alg *alg,
            const uint8_t *key, size_t key_len, const uint8_t *iv,
            size_t iv_len, bool encrypt)
{
    struct cipher_ctx *c = NULL;
    const struct cipher_entry *e;
    int r;

    *out = NULL;
    if (alg == NULL || (e = cipher_entry_of(alg)) == NULL || key == NULL ||
        key_len != alg->key_len || iv_len != alg->iv_len ||
        (iv_len > 0 && iv == NULL)) {
        return ERR_INVAL;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    c->e = e;
    c->encrypt = encrypt;
    if (e->kind == KIND_NONE) {
        *out = c;
        return 0;
    }
    if ((c->main = EVP_CIPHER_CTX_new()) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (e->kind == KIND_CHACHA) {
        r = cipher_init_chacha(c, key);
    } else {
        r = cipher_init_aes(c, key, iv);
    }
    if (r != 0) {
        goto out;
    }
    *out = c;
    c = NULL;
out:
    cipher_free(c);
    return r;
}

/* One EVP update of n bytes (n fits an int: packets are bounded). */
static int
cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t n)
{
    int outl = 0;

    if (n == 0) {
        return 0;
    }
    if (n > INT_MAX || EVP_CipherUpdate(ctx, dst, &outl, src, (int)n) != 1 ||
        (size_t)outl != n) {
        return ERR_CRYPTO;
    }
    return 0;
}

/*
 * Position a chacha20 context at block `counter` of the keystream for
 * sequence number seqnr. OpenSSH's construction uses a 64-bit little-endian
 * block counter and the 64-bit big-endian seqnr as nonce; libcrypto takes a
 * 32-bit little-endian counter and a 96-bit nonce, which covers the same
 * 16 bytes: counter (4) || zero high counter half (4) || seqnr (8).
 */
static int
chacha_seek(EVP_CIPHER_CTX *ctx, uint32_t seqnr, uint8_t counter)
{
    uint8_t iv[CHACHA_IV_LEN] = {0};

    iv[0] = counter;
    put_u32_be(iv + 12, seqnr);
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) {
        return ERR_CRYPTO;
    }
    return 0;
}

/* Poly1305 of n bytes at p under a one-time key, into tag. */
static int
chacha_poly(struct cipher_ctx *c, const uint8_t *key, const uint8_t *p,
            size_t n, uint8_t *tag)
{
    size_t outl = 0;

    if (EVP_MAC_init(c->poly, key, POLY_KEY_LEN, NULL) != 1 ||
        EVP_MAC_update(c->poly, p, n) != 1 ||
        EVP_MAC_final(c->poly, tag, &outl, TAG_LEN) != 1 || outl != TAG_LEN) {
        return ERR_CRYPTO;
    }
    return 0;
}

/*
 * chacha20-poly1305@openssh.com (PROTOCOL.chacha20poly1305): block 0 of
 * the K_2 stream gives the Poly1305 key, the length is encrypted with K_1
 * from block 0, the rest with K_2 from block 1; the tag covers all the
 * ciphertext and is checked before anything is decrypted.
 */
static int
cipher_crypt_chacha(struct cipher_ctx *c, uint32_t seqnr, uint8_t *dst,
                    const uint8_t *src, size_t len, size_t aadlen)
{
    uint8_t poly_key[POLY_KEY_LEN] = {0};
    uint8_t tag[TAG_LEN];
    int r;

    if ((r = chacha_seek(c->main, seqnr, 0)) != 0 ||
        (r = cipher_update(c->main, poly_key, poly_key, sizeof(poly_key))) !=
            0) {
        goto out;
    }
    if (!c->encrypt) {
        if ((r = chacha_poly(c, poly_key, src, aadlen + len, tag)) != 0) {
            goto out;
        }
        if (!mem_equal_ct(tag, src + aadlen + len, TAG_LEN)) {
            r = ERR_MAC;
            goto out;
        }
    }
    if (aadlen > 0 && ((r = chacha_seek(c->header, seqnr, 0)) != 0 ||
                       (r = cipher_update(c->header, dst, src, aadlen)) != 0)) {
        goto out;
    }
    if ((r = chacha_seek(c->main, seqnr, 1)) != 0 ||
        (r = cipher_update(c->main, dst + aadlen, src + aadlen, len)) != 0) {
        goto out;
    }
    if (c->encrypt) {
        r = chacha_poly(c, poly_key, dst, aadlen + len, dst + aadlen + len);
    }
out:
    mem_wipe(poly_key, sizeof(poly_key));
    mem_wipe(tag, sizeof(tag));
    return r;
}

/*
 * AES-GCM as amended by OpenSSH PROTOCOL 1.6: the length field is the
 * additional data and stays in the clear. libcrypto checks the tag in
 * EVP_CipherFinal_ex, after the plaintext has been written; on a bad tag
 * that plaintext is wiped, so nothing unauthenticated is ever left behind.
 */
static int
cipher_crypt_gcm(struct cipher_ctx *c, uint8_t *dst, const uint8_t *src,
                 size_t len, size_t aadlen)
{
    uint8_t iv_tail[1];
    int outl = 0;
    int r = ERR_CRYPTO;

    /* This packet's IV, then the next (RFC 5647 7.1); libcrypto copies
     * out the IV's last byte, which nothing needs. */
    if (EVP_CIPHER_CTX_ctrl(c->main, EVP_CTRL_GCM_IV_GEN, sizeof(iv_tail),
                            iv_tail) != 1) {
        return ERR_CRYPTO;
    }
    if (!c->encrypt &&
        EVP_CIPHER_CTX_ctrl(c->main, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                            (void *)(src + aadlen + len)) != 1) {
        return ERR_CRYPTO;
    }
    if (aadlen > 0) {
        if (EVP_CipherUpdate(c->main, NULL, &outl, src, (int)aadlen) != 1) {
            return ERR_CRYPTO;
        }
        if (dst != src) {
            memmove(dst, src, aadlen);
        }
    }
    if ((r = cipher_update(c->main, dst + aadlen, src + aadlen, len)) != 0) {
        return r;
    }
    if (EVP_CipherFinal_ex(c->main, dst + aadlen + len, &outl) != 1) {
        mem_wipe(dst + aadlen, len);
        return c->encrypt ? ERR_CRYPTO : ERR_MAC;
    }
    if (c->encrypt && EVP_CIPHER_CTX_ctrl(c->main, EVP_CTRL_GCM_GET_TAG,
                                          TAG_LEN, dst + aadlen + len) != 1) {
        return ERR_CRYPTO;
    }
    return 0;
}

int
cipher_crypt(struct cipher_ctx *c, uint32_t seqnr, uint8_t *dst,
             const uint8_t *src, size_t len, size_t aadlen, size_t authlen)
{
    if (c == NULL || authlen != c->e->alg.auth_len ||
        (aadlen != 0 && aadlen != 4)) {
        return ERR_INVAL;
    }
    switch (c->e->kind) {
    case KIND_CHACHA:
        return cipher_crypt_chacha(c, seqnr, dst, src, len, aadlen);
    case KIND_GCM:
        return cipher_crypt_gcm(c, dst, src, len, aadlen);
    case KIND_NONE:
        if (dst != src) {
            memmove(dst, src, aadlen + len);
        }
        return 0;
    case KIND_CTR:
        break;
    }
    /* CTR: the additional data (an ETM length field) is copied as is. */
    if (aadlen > 0 && dst != src) {
        memmove(dst, src, aadlen);
    }
    return cipher_update(c->main, dst + aadlen, src + aadlen, len);
}

int
cipher_get_length(struct cipher_ctx *c, uint32_t *plen, uint32_t seqnr,
                  const uint8_t *cp, size_t len)
{
    uint8_t b[4];
    int r;

    *plen = 0;
    if (len < sizeof(b)) {
        return ERR_TRUNC;
    }
    if (c == NULL || c->e->kind != KIND_CHACHA) {
        *plen = get_u32_be(cp);
        return 0;
    }
    if ((r = chacha_seek(c->header, seqnr, 0)) != 0 ||
        (r = cipher_update(c->header, b, cp, sizeof(b))) != 0) {
        return r;
    }
    *plen = get_u32_be(b);
    mem_wipe(b, sizeof(b));
    return 0;
}
