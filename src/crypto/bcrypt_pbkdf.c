/* SPDX-License-Identifier: ISC */
/* bcrypt_pbkdf through Botan's C API. */
#include "crypto/bcrypt_pbkdf.h"

#include <botan/ffi.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

int
bcrypt_pbkdf(const char *pass, size_t pass_len, const uint8_t *salt,
             size_t salt_len, uint32_t rounds, uint8_t *out, size_t out_len)
{
    /* Botan takes pass_len 0 to mean strlen(): never hand it an empty one. */
    if (pass_len == 0 || rounds == 0 || salt_len == 0 || out_len == 0) {
        return ERR_INVAL;
    }
    if (rounds > LIM_KDF_ROUNDS || salt_len > LIM_KDF_SALT ||
        out_len > LIM_KDF_OUT) {
        return ERR_LIMIT;
    }
    if (botan_pwdhash("Bcrypt-PBKDF", rounds, 0, 0, out, out_len, pass,
                      pass_len, salt, salt_len) != 0) {
        mem_wipe(out, out_len);
        return ERR_CRYPTO;
    }
    return 0;
}
