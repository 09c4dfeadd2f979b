/* SPDX-License-Identifier: ISC */
/* Setting libcrypto up once at start-up, with only what adit uses. */
#ifndef ADIT_CRYPTO_CRYPTO_INIT_H
#define ADIT_CRYPTO_CRYPTO_INIT_H

/*
 * Call first thing in main(), before anything else touches libcrypto.
 * The system's OpenSSL configuration (openssl.cnf: providers, FIPS mode,
 * crypto policies) is honoured, as ssh honours it; the legacy tables of
 * every cipher and digest by name are not filled, which is most of
 * libcrypto's start-up and which nothing here looks names up in, except
 * an encrypted PEM key (see crypto_init_pem). 0 or ERR_CRYPTO.
 */
int crypto_init(void);

/*
 * Before reading a PEM key: libcrypto finds the cipher of a "Proc-Type:
 * 4,ENCRYPTED" key by its DEK-Info name in the table crypto_init left
 * empty, so the ciphers such keys are written with are named here
 * (AES-128/192/256-CBC, DES-EDE3-CBC, Camellia-128/192/256-CBC). Cheap
 * to repeat.
 */
void crypto_init_pem(void);

#endif
