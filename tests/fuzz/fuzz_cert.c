/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: input = a certificate blob (PROTOCOL.certkeys). Parsing
 * runs to the end before the CA signature is checked, so mutated blobs
 * still exercise every field; valid ones also go through the checks and
 * the option decoding.
 */
#include "fuzz.h"
#include "keys/sshcert.h"
#include "util/addrmatch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sshcert_user_opts o;
    const struct sshcert *c;
    struct sshkey *k = NULL;
    char why[SSHCERT_WHY_LEN];

    if (sshkey_from_blob(data, size, &k) != 0) {
        return 0;
    }
    if ((c = sshkey_cert(k)) != NULL) {
        (void)sshcert_check(c, SSHCERT_TYPE_USER, 1700000000, "alice", true,
                            why, sizeof(why));
        (void)sshcert_check(c, SSHCERT_TYPE_HOST, 1700000000, NULL, false, why,
                            sizeof(why));
        if (sshcert_user_opts(c, &o, why, sizeof(why)) == 0) {
            if (o.source_address != NULL) {
                (void)addrmatch_cidr_list("127.0.0.1", o.source_address);
            }
            sshcert_user_opts_cleanup(&o);
        }
    }
    sshkey_free(k);
    return 0;
}
