/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the client session against a hostile server: the input is what a
 * server sends, as raw network bytes in chunks (each a 2-byte length and
 * that many bytes), after one byte whose low bit makes the client ask for
 * compression. The client is fuzz_peers.h's, as adit runs -L and -R
 * forwards. With the fixed random stream and the "none" cipher of a
 * fuzzing build, a recorded server (seedgen.c) replays with its host key
 * signature still valid, so the fuzzer reaches the client's user
 * authentication and connection protocol. In a normal build the corpus
 * replays up to the failed negotiation: "none" is not there.
 */
#include "fuzz.h"
#include "fuzz_peers.h"
#include "fuzz_rand.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_peer cp;

    if (size < 1) {
        return 0;
    }
    (void)fuzz_key(FUZZ_KEY_ED25519);
    fuzz_rand_reset(1, FUZZ_CLIENT_SEED);
    if (fuzz_client_new(&cp, (data[0] & 1) != 0) == 0) {
        fuzz_peer_replay(&cp, data + 1, size - 1);
    }
    session_free(cp.s);
    return 0;
}
