/* SPDX-License-Identifier: ISC */
/* Fuzz harness: the input as a known_hosts file, checked for a fixed key. */
#include <string.h>

#include "fuzz.h"
#include "keys/knownhosts.h"

/* tests/data/keys/id_ed25519.pub */
#define FUZZ_KEY                                                               \
    "ssh-ed25519 "                                                             \
    "AAAAC3NzaC1lZDI1NTE5AAAAIA6mhFRUsquRehOUWT7lJGpR9tUewXrNquuUsZ9uCx/w"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sshkey *k = NULL;
    enum hostkey_status st;
    unsigned line;
    bool trusted;

    if (sshkey_parse_public(FUZZ_KEY, &k, NULL) != 0) {
        return 0;
    }
    (void)knownhosts_check_buf((const char *)data, size, "server.example.com",
                               k, &st, &line);
    (void)knownhosts_check_buf((const char *)data, size,
                               "[server.example.com]:2222", k, &st, &line);
    (void)knownhosts_check_ca_buf((const char *)data, size,
                                  "server.example.com", k, &trusted);
    sshkey_free(k);
    return 0;
}
