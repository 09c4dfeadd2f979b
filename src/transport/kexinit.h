/* SPDX-License-Identifier: ISC */
/* KEXINIT encoding, decoding and algorithm negotiation (RFC 4253 7.1). */
#ifndef ADIT_TRANSPORT_KEXINIT_H
#define ADIT_TRANSPORT_KEXINIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"
#include "wire/rd.h"

/* The ten name-lists of a KEXINIT, in wire order. */
enum kexinit_list {
    KI_KEX,
    KI_HOSTKEY,
    KI_ENC_C2S,
    KI_ENC_S2C,
    KI_MAC_C2S,
    KI_MAC_S2C,
    KI_COMP_C2S,
    KI_COMP_S2C,
    KI_LANG_C2S,
    KI_LANG_S2C,
    KI_NLISTS
};

#define KEXINIT_COOKIE_LEN 16

/* Pseudo-algorithms that signal extensions and are never chosen. */
#define KEXINIT_EXT_INFO_C "ext-info-c"
#define KEXINIT_EXT_INFO_S "ext-info-s"
#define KEXINIT_STRICT_C "kex-strict-c-v00@openssh.com"
#define KEXINIT_STRICT_S "kex-strict-s-v00@openssh.com"

struct kexinit {
    uint8_t cookie[KEXINIT_COOKIE_LEN];
    char *lists[KI_NLISTS]; /* malloc'd, NUL-terminated */
    bool first_kex_follows;
    uint32_t reserved;
};

/* Free the lists and clear the struct. NULL lists are fine. */
void kexinit_cleanup(struct kexinit *ki);

/*
 * Decode a KEXINIT payload after its message number:
 *
 *   byte[16]   cookie
 *   name-list  kex_algorithms
 *   name-list  server_host_key_algorithms
 *   name-list  encryption_algorithms_client_to_server
 *   name-list  encryption_algorithms_server_to_client
 *   name-list  mac_algorithms_client_to_server
 *   name-list  mac_algorithms_server_to_client
 *   name-list  compression_algorithms_client_to_server
 *   name-list  compression_algorithms_server_to_client
 *   name-list  languages_client_to_server
 *   name-list  languages_server_to_client
 *   boolean    first_kex_packet_follows
 *   uint32     0 (reserved)
 *
 * Every list is at most LIM_NAMELIST bytes. Trailing bytes are an error.
 * On error *ki is left cleaned up. ERR_TRUNC, ERR_LIMIT, ERR_FORMAT,
 * ERR_TRAILING, ERR_NOMEM.
 */
int kexinit_decode(struct rd *rd, struct kexinit *ki);

/* Append a whole KEXINIT payload (message number included) to out. */
int kexinit_encode(struct buf *out, const struct kexinit *ki);

/* True when name is one of the ext-info / strict-kex markers. */
bool kexinit_is_marker(const char *name);

/* True when the comma-separated list holds name exactly. */
bool kexinit_list_has(const char *list, const char *name);

/*
 * The outcome of a negotiation. Names are malloc'd. mac_* are NULL when
 * the cipher of that direction is an AEAD (no MAC is negotiated).
 */
struct kex_choice {
    char *kex;
    char *hostkey;
    char *enc[2]; /* [0] client to server, [1] server to client */
    char *mac[2];
    char *comp[2];
    bool strict;      /* both sides signalled strict kex */
    bool ext_info_c;  /* the client offered ext-info-c */
    bool guess_wrong; /* a first_kex_packet_follows guess was wrong */
    /* After ERR_KEX_NOMATCH: 1 + the kexinit_list that had no match
     * (0: none), for ssh's "no matching ... found. Their offer: ..." */
    int nomatch;
};

/* What a category is called in "no matching ... found" (ssh's words). */
const char *kexinit_list_what(enum kexinit_list which);

void kex_choice_cleanup(struct kex_choice *c);

/*
 * Choose the algorithms: for each category, the first name in the
 * client's list that is also in the server's (markers never). initial
 * says this is the first key exchange of the connection: only then are
 * markers looked at. A cipher is AEAD when is_aead(name) says so (NULL:
 * never). On ERR_KEX_NOMATCH, err (of errlen bytes, may be 0) receives a
 * sentence such as "no matching cipher found: client X server Y".
 * ERR_KEX_NOMATCH, ERR_NOMEM.
 */
int kexinit_negotiate(const struct kexinit *client,
                      const struct kexinit *server, bool initial,
                      bool (*is_aead)(const char *name), struct kex_choice *c,
                      char *err, size_t errlen);

/*
 * Keep from the comma-separated list only the names accepted by keep(),
 * in order, as a malloc'd string (possibly empty). ERR_NOMEM.
 */
int kexinit_filter(const char *list, bool (*keep)(const char *name),
                   char **out);

#endif
