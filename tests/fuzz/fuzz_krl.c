/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: input = an OpenSSH KRL (PROTOCOL.krl) through
 * krl_parse(); one that parses is asked about a certificate (serial 1003,
 * key ID "id-bitmap", from tests/data/keys/krl) and about its CA, so the
 * serial, bitmap, key ID and hash lookups run on whatever was parsed.
 */
#include <stddef.h>

#include "fuzz.h"
#include "keys/krl.h"
#include "keys/sshcert.h"

static const char cert_line[] =
    "ssh-ed25519-cert-v01@openssh.com "
    "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIKuHCA8p5BElOm"
    "5NCOjVMu+uF/JYTYDYkp2aLNBRiywYAAAAINVQ/ujHg0oRxeVdFW256iQO9rVls/4V"
    "q0UVU1gdIgnPAAAAAAAAA+sAAAABAAAACWlkLWJpdG1hcAAAAAgAAAAEdXNlcgAAAA"
    "AAAAAA//////////8AAAAAAAAAggAAABVwZXJtaXQtWDExLWZvcndhcmRpbmcAAAAA"
    "AAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQtcG9ydC1mb3"
    "J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAA"
    "AAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQAAACBJtClpMHv/II/0/il3Rdq1pczNr6"
    "liE5PON92NYGgVjQAAAFMAAAALc3NoLWVkMjU1MTkAAABA4Mobh59E/2Txzo64V/aR"
    "0ScFJ1cEbZFB4XuWKjpQk7yxzIgrZdUIcYudTnMPEkjVwUv//FtuiQhVAAxPSn0XDQ"
    "==";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sshkey *cert = NULL;
    char why[KRL_WHY_LEN];
    struct krl k;

    if (krl_parse(data, size, &k, why, sizeof(why)) != 0) {
        return 0;
    }
    if (sshkey_parse_public(cert_line, &cert, NULL) == 0) {
        (void)krl_revoked(&k, cert, why, sizeof(why));
        (void)krl_revoked(&k, sshkey_cert(cert)->ca, why, sizeof(why));
    }
    sshkey_free(cert);
    krl_cleanup(&k);
    return 0;
}
