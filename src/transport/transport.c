/* SPDX-License-Identifier: ISC */
/* The SSH transport (RFC 4253): set-up, input and message dispatch. */
#include "transport/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshcert.h"
#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "transport/version.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/alglist.h"
#include "util/log.h"
#include "util/mem.h"

const char *
transport_default_hostkey_algs(void)
{
    return KEXALG_CLIENT_HOSTKEY_ALGS;
}

static bool
keep_kex(const char *name)
{
    return kex_alg_by_name(name) != NULL;
}

static bool
keep_cipher(const char *name)
{
    return cipher_by_name(name) != NULL;
}

static bool
keep_mac(const char *name)
{
    return mac_by_name(name) != NULL;
}

/* Our host key algorithms, and their certificate forms (client only:
 * the server's list comes from its keys). */
static bool
keep_comp(const char *name)
{
    return comp_is_known(name);
}

static bool
keep_hostkey(const char *name)
{
    char plain[LIM_NAME + 1];

    if (sshcert_plain_alg(name, plain, sizeof(plain)) == 0) {
        return kexinit_list_has(KEXALG_CLIENT_HOSTKEY_ALGS, plain);
    }
    return kexinit_list_has(KEXALG_CLIENT_HOSTKEY_ALGS, name);
}

/*
 * Server: keep from the list (malloc'd, replaced) only the names in allow
 * (HostKeyAlgorithms), in the list's order, as sshd filters its host key
 * types. ERR_NOMEM.
 */
static int
server_hostkey_allow(char **list, const char *allow)
{
    char *copy = strdup(*list), *name, *save = NULL;
    struct buf b;
    int r = 0;

    if (copy == NULL) {
        return ERR_NOMEM;
    }
    buf_init(&b);
    for (name = strtok_r(copy, ",", &save); name != NULL && r == 0;
         name = strtok_r(NULL, ",", &save)) {
        if (!kexinit_list_has(allow, name)) {
            continue;
        }
        if (buf_len(&b) > 0) {
            r = buf_put_u8(&b, ',');
        }
        if (r == 0) {
            r = buf_put(&b, name, strlen(name));
        }
    }
    free(copy);
    if (r == 0 && (r = buf_put_u8(&b, 0)) == 0) {
        free(*list);
        if ((*list = strdup((const char *)buf_ptr(&b))) == NULL) {
            r = ERR_NOMEM;
        }
    }
    buf_cleanup(&b);
    return r;
}

/* Server: the host key algorithms our keys can make, in key order. */
static int
server_hostkey_algs(struct transport *t)
{
    struct buf b;
    size_t i;
    int r = 0;

    buf_init(&b);
    for (i = 0; i < t->n_hostkeys && r == 0; i++) {
        const struct sshkey *k = t->hostkeys[i];
        const char *names = sshkey_type(k) == SSHKEY_RSA
                                ? "rsa-sha2-512,rsa-sha2-256"
                                : sshkey_type_name(k);

        if (buf_len(&b) > 0) {
            r = buf_put_u8(&b, ',');
        }
        if (r == 0) {
            r = buf_put(&b, names, strlen(names));
        }
    }
    if (r == 0 && (r = buf_put_u8(&b, 0)) == 0 &&
        (t->hostkey_algs = strdup((const char *)buf_ptr(&b))) == NULL) {
        r = ERR_NOMEM;
    }
    buf_cleanup(&b);
    return r;
}

/* The list spec (NULL for the defaults, or ssh's +, - and ^ forms)
 * against defaults, less the names keep() refuses. */
static int
configure_list(const char *spec, const char *defaults,
               bool (*keep)(const char *name), char **out)
{
    char *full;
    int r;

    if ((r = alglist_assemble(spec, defaults, &full)) != 0) {
        return r;
    }
    r = kexinit_filter(full, keep, out);
    free(full);
    return r;
}

static int
configure(struct transport *t, const struct transport_config *cfg)
{
    const char *sw =
        cfg->software_version != NULL ? cfg->software_version : "adit";
    size_t n = strlen("SSH-2.0-") + strlen(sw) + 1;
    int r;

    if ((t->our_version = malloc(n)) == NULL) {
        return ERR_NOMEM;
    }
    snprintf(t->our_version, n, "SSH-2.0-%s", sw);
    if ((r = configure_list(cfg->kex_algs,
                            t->is_server ? kex_server_default_list()
                                         : kex_default_list(),
                            keep_kex, &t->kex_algs)) != 0 ||
        (r = configure_list(cfg->ciphers, cipher_default_list(), keep_cipher,
                            &t->ciphers)) != 0 ||
        (r = configure_list(cfg->macs, mac_default_list(), keep_mac,
                            &t->macs)) != 0 ||
        (r = kexinit_filter(cfg->compression != NULL ? cfg->compression
                                                     : "none",
                            keep_comp, &t->comp_algs)) != 0) {
        return r;
    }
    if (t->is_server) {
        r = server_hostkey_algs(t);
        if (r == 0 && cfg->hostkey_algs != NULL) {
            r = server_hostkey_allow(&t->hostkey_algs, cfg->hostkey_algs);
        }
    } else {
        r = configure_list(cfg->hostkey_algs, KEXALG_CLIENT_HOSTKEY_ALGS,
                           keep_hostkey, &t->hostkey_algs);
    }
    if (r != 0) {
        return r;
    }
    if (t->kex_algs[0] == '\0' || t->ciphers[0] == '\0' || t->macs[0] == '\0' ||
        t->hostkey_algs[0] == '\0' || t->comp_algs[0] == '\0') {
        return ERR_CONFIG;
    }
    return 0;
}

int
transport_new(struct transport **out, const struct transport_config *cfg)
{
    struct transport *t;
    int r;

    *out = NULL;
    if ((t = calloc(1, sizeof(*t))) == NULL) {
        return ERR_NOMEM;
    }
    t->is_server = cfg->is_server;
    t->hostkeys = cfg->hostkeys;
    t->n_hostkeys = cfg->n_hostkeys;
    t->verify_hostkey = cfg->verify_hostkey;
    t->verify_ctx = cfg->verify_ctx;
    t->rekey_bytes = cfg->rekey_bytes != 0 ? cfg->rekey_bytes : LIM_REKEY_BYTES;
    t->rekey_ms = (uint64_t)(cfg->rekey_seconds != 0 ? cfg->rekey_seconds
                                                     : LIM_REKEY_SECONDS) *
                  1000u;
    pkt_dir_init(&t->in);
    pkt_dir_init(&t->out);
    /* Network bytes: public kex, ciphertext, forwarded payload (buf.h). */
    buf_set_nowipe(&t->inbuf);
    buf_set_nowipe(&t->outbuf);
    if ((r = configure(t, cfg)) != 0) {
        transport_free(t);
        return r;
    }
    *out = t;
    return 0;
}

void
transport_free(struct transport *t)
{
    if (t == NULL) {
        return;
    }
    tp_kex_reset(t);
    pkt_dir_cleanup(&t->in);
    pkt_dir_cleanup(&t->out);
    buf_cleanup(&t->inbuf);
    buf_cleanup(&t->outbuf);
    buf_cleanup(&t->held);
    buf_cleanup(&t->my_kexinit);
    buf_cleanup(&t->peer_kexinit);
    kexinit_cleanup(&t->my_ki);
    kex_choice_cleanup(&t->choice);
    free(t->kex_algs);
    free(t->ciphers);
    free(t->macs);
    free(t->comp_algs);
    free(t->hostkey_algs);
    free(t->our_version);
    free(t->peer_version);
    free(t->server_sig_algs);
    sshkey_free(t->hostkey);
    mem_free_wiped(t, sizeof(*t));
}

int
transport_start(struct transport *t, uint64_t now_ms)
{
    int r;

    if (t->started) {
        return ERR_INVAL;
    }
    t->started = true;
    t->now_ms = t->kex_done_ms = now_ms;
    if ((r = buf_put(&t->outbuf, t->our_version, strlen(t->our_version))) !=
            0 ||
        (r = buf_put(&t->outbuf, "\r\n", 2)) != 0) {
        return r;
    }
    t->stats.bytes_out += strlen(t->our_version) + 2;
    return tp_kex_start(t);
}

int
transport_feed_space(struct transport *t, size_t max, uint8_t **p, size_t *n)
{
    size_t have;
    int r;

    *p = NULL;
    *n = 0;
    if (t->err != 0) {
        return t->err;
    }
    buf_consume(&t->inbuf, t->in_consume);
    t->in_consume = 0;
    have = buf_len(&t->inbuf);
    if (have >= 2 * LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    if (max > 2 * LIM_PACKET_RECV - have) {
        max = 2 * LIM_PACKET_RECV - have;
    }
    if ((r = buf_reserve(&t->inbuf, max, p)) != 0) {
        return r;
    }
    *n = max;
    return 0;
}

int
transport_feed_commit(struct transport *t, size_t n)
{
    if (t->err != 0) {
        return t->err;
    }
    t->stats.bytes_in += n;
    buf_commit(&t->inbuf, n);
    return 0;
}

int
transport_feed(struct transport *t, const uint8_t *p, size_t n)
{
    uint8_t *dst;
    size_t room;
    int r;

    if (n > 2 * LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    if ((r = transport_feed_space(t, n, &dst, &room)) != 0) {
        return r;
    }
    if (room < n) {
        return ERR_LIMIT;
    }
    if (n > 0) {
        memcpy(dst, p, n);
    }
    return transport_feed_commit(t, n);
}

const char *
transport_error(const struct transport *t)
{
    return t->errmsg;
}

bool
transport_is_ready(const struct transport *t)
{
    return t->stats.kex_count > 0;
}

const uint8_t *
transport_session_id(const struct transport *t, size_t *len)
{
    if (t->stats.kex_count == 0) {
        *len = 0;
        return NULL;
    }
    *len = t->sid_len;
    return t->session_id;
}

const uint8_t *
transport_session_id_sent(const struct transport *t, size_t *len)
{
    if (t->stats.kex_count == 0 && !t->sent_newkeys) {
        *len = 0;
        return NULL;
    }
    *len = t->sid_len;
    return t->session_id;
}

const char *
transport_peer_version(const struct transport *t)
{
    return t->peer_version;
}

bool
transport_peer_is_adit(const struct transport *t)
{
    static const char prefix[] = "SSH-2.0-adit_";

    return t->peer_version != NULL &&
           strncmp(t->peer_version, prefix, sizeof(prefix) - 1) == 0;
}

const char *
transport_server_sig_algs(const struct transport *t)
{
    return t->server_sig_algs;
}

const struct sshkey *
transport_hostkey(const struct transport *t)
{
    return t->hostkey;
}

void
transport_get_algs(const struct transport *t, struct transport_algs *a)
{
    static const char implicit[] = "<implicit>";

    memset(a, 0, sizeof(*a));
    a->kex = t->choice.kex;
    a->hostkey = t->choice.hostkey;
    a->cipher_c2s = t->choice.enc[0];
    a->cipher_s2c = t->choice.enc[1];
    if (t->choice.enc[0] != NULL) {
        a->mac_c2s = t->choice.mac[0] != NULL ? t->choice.mac[0] : implicit;
    }
    if (t->choice.enc[1] != NULL) {
        a->mac_s2c = t->choice.mac[1] != NULL ? t->choice.mac[1] : implicit;
    }
    a->comp_c2s = t->choice.comp[0];
    a->comp_s2c = t->choice.comp[1];
    a->strict_kex = t->strict;
}

void
transport_get_stats(const struct transport *t, struct transport_stats *s)
{
    *s = t->stats;
}
