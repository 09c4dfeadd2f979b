/* SPDX-License-Identifier: ISC */
/*
 * A fixed random stream for the session harnesses (Dropbear's fuzzing
 * build does the same): every byte libcrypto hands out, to our rand_bytes
 * and to its own key generation and signing, comes from a counter hashed
 * with SHA-256 from a seed the harness resets before each input. So the
 * cookies, ephemeral keys and exchange hashes of a run are those of the
 * recorded run that made a corpus entry, and its signatures verify.
 * Test code only: it replaces libcrypto's generator for the whole process.
 */
#ifndef ADIT_FUZZ_RAND_H
#define ADIT_FUZZ_RAND_H

/* RAND_set_rand_method is deprecated in OpenSSL 3 but is still the one
 * hook that reaches the providers' own key generation. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdint.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

/* One stream; the harness picks which (a client's and a server's). */
struct fuzz_rand_stream {
    uint8_t seed;
    uint64_t counter;
};

static struct fuzz_rand_stream fuzz_rand_streams[2];
static struct fuzz_rand_stream *fuzz_rand_cur = &fuzz_rand_streams[0];

static inline int
fuzz_rand_bytes(unsigned char *p, int n)
{
    uint8_t in[9], out[SHA256_DIGEST_LENGTH];
    int i, take;

    while (n > 0) {
        in[0] = fuzz_rand_cur->seed;
        for (i = 0; i < 8; i++) {
            in[1 + i] = (uint8_t)(fuzz_rand_cur->counter >> (8 * i));
        }
        fuzz_rand_cur->counter++;
        SHA256(in, sizeof(in), out);
        take = n < (int)sizeof(out) ? n : (int)sizeof(out);
        memcpy(p, out, (size_t)take);
        p += take;
        n -= take;
    }
    return 1;
}

static inline int
fuzz_rand_status(void)
{
    return 1;
}

/* Install the fixed stream (once) and restart stream i from its seed. */
static inline void
fuzz_rand_reset(int i, uint8_t seed)
{
    static const RAND_METHOD m = {
        NULL, fuzz_rand_bytes, NULL, NULL, fuzz_rand_bytes, fuzz_rand_status,
    };
    static int installed;

    if (!installed) {
        RAND_set_rand_method(&m);
        installed = 1;
    }
    fuzz_rand_streams[i].seed = seed;
    fuzz_rand_streams[i].counter = 0;
    fuzz_rand_cur = &fuzz_rand_streams[i];
}

/* Draw from stream i from now on. */
static inline void
fuzz_rand_use(int i)
{
    fuzz_rand_cur = &fuzz_rand_streams[i];
}

#endif
