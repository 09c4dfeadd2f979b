/* SPDX-License-Identifier: ISC */
/* Encrypted openssh-key-v1 private sections: bcrypt_pbkdf plus a cipher. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bcrypt_pbkdf.h"
#include "crypto/cipher.h"
#include "keys/sshkey_int.h"
#include "util/err.h"
#include "util/mem.h"

/* Room for the largest key plus IV we derive (chacha: 64 + 0). */
#define PRIVKEY_KDF_MAX 64u

/*
 * The names and kdfoptions of an encrypted file (PROTOCOL.key 1, 2):
 *   string ciphername  ("aes256-ctr", "aes256-gcm@openssh.com", ...)
 *   string kdfname     ("bcrypt")
 *   string kdfoptions: string salt, uint32 rounds
 * ERR_KEY_TYPE for a cipher or KDF we do not implement, ERR_KEY_FORMAT for
 * malformed options.
 */
int
privkey_kdf_parse(const uint8_t *cipher, size_t cipher_len, const uint8_t *kdf,
                  size_t kdf_len, const uint8_t *opts, size_t opts_len,
                  struct privkey_kdf *out)
{
    char name[LIM_NAME + 1];
    struct rd rd;

    memset(out, 0, sizeof(*out));
    if (cipher_len > LIM_NAME || !sshkey_name_eq(kdf, kdf_len, "bcrypt")) {
        return ERR_KEY_TYPE;
    }
    memcpy(name, cipher, cipher_len);
    name[cipher_len] = '\0';
    if (strlen(name) != cipher_len ||
        (out->cipher = cipher_by_name(name)) == NULL ||
        out->cipher->key_len + out->cipher->iv_len > PRIVKEY_KDF_MAX) {
        return ERR_KEY_TYPE;
    }
    rd_init(&rd, opts, opts_len);
    if (rd_string(&rd, &out->salt, &out->salt_len, LIM_KDF_SALT) != 0 ||
        rd_u32(&rd, &out->rounds) != 0 || rd_end(&rd) != 0 ||
        out->salt_len == 0 || out->rounds == 0) {
        return ERR_KEY_FORMAT;
    }
    return out->rounds > LIM_KDF_ROUNDS ? ERR_LIMIT : 0;
}

/* The encrypted section's length must be a whole number of blocks. */
bool
privkey_kdf_len_ok(const struct privkey_kdf *kdf, size_t enc_len)
{
    size_t bs = kdf->cipher->block_size;

    return enc_len >= bs && enc_len % bs == 0;
}

int
privkey_decrypt(const struct privkey_kdf *kdf, const char *pass,
                const uint8_t *enc, size_t enc_len, struct buf *out)
{
    const struct cipher_alg *alg = kdf->cipher;
    uint8_t key[PRIVKEY_KDF_MAX], *dst = NULL;
    struct cipher_ctx *ctx = NULL;
    int r;

    if (!privkey_kdf_len_ok(kdf, enc_len)) {
        return ERR_KEY_FORMAT;
    }
    if ((r = bcrypt_pbkdf(pass, strlen(pass), kdf->salt, kdf->salt_len,
                          kdf->rounds, key, alg->key_len + alg->iv_len)) != 0 ||
        (r = cipher_init(&ctx, alg, key, alg->key_len, key + alg->key_len,
                         alg->iv_len, false)) != 0 ||
        (r = buf_reserve(out, enc_len, &dst)) != 0) {
        goto out;
    }
    /* The tag (AEAD ciphers) follows the section; the caller checked that
     * auth_len bytes are there. A bad tag is a wrong passphrase. */
    r = cipher_crypt(ctx, 0, dst, enc, enc_len, 0, alg->auth_len);
    if (r == ERR_MAC) {
        r = ERR_PASSPHRASE;
    } else if (r == 0) {
        buf_commit(out, enc_len);
    }
out:
    mem_wipe(key, sizeof(key));
    cipher_free(ctx);
    return r;
}
