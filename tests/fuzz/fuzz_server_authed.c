/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the server session past the key exchange and user authentication,
 * into the connection protocol: channel opens, global requests, window
 * adjusts, data, EOF and close, rekeying, compression after auth. The
 * input is what a client sends, as raw network bytes in chunks (each a
 * 2-byte length and that many bytes); the server is fuzz_peers.h's, as
 * aditd answers forwards. With the fixed random stream and the "none"
 * cipher of a fuzzing build, a recorded login (seedgen.c) replays with
 * its signature still valid, so the fuzzer starts from a logged-in
 * session. In a normal build the corpus replays up to the failed
 * negotiation: "none" is not there.
 */
#include "fuzz.h"
#include "fuzz_peers.h"
#include "fuzz_rand.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_peer sp;

    (void)fuzz_key(FUZZ_KEY_ED25519); /* loaded before the stream starts */
    fuzz_rand_reset(0, FUZZ_SERVER_SEED);
    if (fuzz_server_new(&sp) == 0) {
        fuzz_peer_replay(&sp, data, size);
    }
    session_free(sp.s);
    return 0;
}
