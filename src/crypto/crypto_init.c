/* SPDX-License-Identifier: ISC */
/* libcrypto's start-up: the configuration, not every algorithm's name. */
#include "crypto/crypto_init.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/err.h"

int
crypto_init(void)
{
    /*
     * libcrypto's implicit start-up (on the first EVP call) loads the
     * configuration and then, on the first fetch, registers every cipher
     * and digest under every name in its legacy tables and copies those
     * names into the provider name map: about 30% of the instructions of
     * `adit -G` for tables nothing reads. The configuration stays: an
     * administrator's openssl.cnf (FIPS, providers) applies to adit as it
     * does to ssh, which loads it too.
     */
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG |
                                OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                                OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                            NULL) != 1) {
        return ERR_CRYPTO;
    }
    return 0;
}

void
crypto_init_pem(void)
{
    const EVP_CIPHER *(*const ciphers[])(void) = {
        EVP_aes_128_cbc,      EVP_aes_192_cbc,      EVP_aes_256_cbc,
        EVP_des_ede3_cbc,     EVP_camellia_128_cbc, EVP_camellia_192_cbc,
        EVP_camellia_256_cbc,
    };
    size_t i;

    for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        (void)EVP_add_cipher(ciphers[i]());
    }
}
