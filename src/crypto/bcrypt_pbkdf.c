/* SPDX-License-Identifier: ISC */
/*
 * bcrypt_pbkdf through Botan's C API, opened when a key file needs it.
 * Botan is not linked: it and what it pulls in (libstdc++, sqlite3, tspi,
 * bz2, lzma) cost every start of adit and aditd some 5 ms of CPU in the
 * dynamic loader (about half of `adit -G`), and only a passphrase-
 * protected key file uses it. Opened per call and closed again: the KDF's
 * rounds take far longer than the open, and nothing is kept between calls.
 */
#include "crypto/bcrypt_pbkdf.h"

#include <dlfcn.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* botan_pwdhash() as botan/ffi.h declares it (Botan 2.8 or newer). */
typedef int (*bcrypt_pwdhash_fn)(const char *algo, size_t param1, size_t param2,
                                 size_t param3, uint8_t out[], size_t out_len,
                                 const char *passphrase, size_t passphrase_len,
                                 const uint8_t salt[], size_t salt_len);

/* Botan's shared library, by its soname, else where the build found it. */
static void *
bcrypt_open_botan(void)
{
    void *h = dlopen(ADIT_BOTAN_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL) {
        h = dlopen(ADIT_BOTAN_PATH, RTLD_NOW | RTLD_LOCAL);
    }
    if (h == NULL) {
        log_error("bcrypt_pbkdf: cannot load %s: %s", ADIT_BOTAN_SONAME,
                  dlerror());
    }
    return h;
}

int
bcrypt_pbkdf(const char *pass, size_t pass_len, const uint8_t *salt,
             size_t salt_len, uint32_t rounds, uint8_t *out, size_t out_len)
{
    bcrypt_pwdhash_fn pwdhash;
    void *h, *sym;
    int r = ERR_CRYPTO;

    /* Botan takes pass_len 0 to mean strlen(): never hand it an empty one. */
    if (pass_len == 0 || rounds == 0 || salt_len == 0 || out_len == 0) {
        return ERR_INVAL;
    }
    if (rounds > LIM_KDF_ROUNDS || salt_len > LIM_KDF_SALT ||
        out_len > LIM_KDF_OUT) {
        return ERR_LIMIT;
    }
    if ((h = bcrypt_open_botan()) == NULL) {
        mem_wipe(out, out_len);
        return ERR_CRYPTO;
    }
    if ((sym = dlsym(h, "botan_pwdhash")) != NULL) {
        /* POSIX: a function's address round-trips through void *. */
        memcpy(&pwdhash, &sym, sizeof(pwdhash));
        if (pwdhash("Bcrypt-PBKDF", rounds, 0, 0, out, out_len, pass, pass_len,
                    salt, salt_len) == 0) {
            r = 0;
        }
    }
    dlclose(h);
    if (r != 0) {
        mem_wipe(out, out_len);
    }
    return r;
}
