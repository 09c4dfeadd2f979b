/* SPDX-License-Identifier: ISC */
/*
 * When compression starts and stops (OpenSSH PROTOCOL 1.2, packet.c):
 * "zlib" at each NEWKEYS of its direction, "zlib@openssh.com" at the first
 * packet after USERAUTH_SUCCESS (the server after sending it, the client
 * after receiving it) and then at each NEWKEYS. OpenSSH begins a new zlib
 * stream at every NEWKEYS, so both ends do here too.
 */
#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "util/err.h"
#include "util/log.h"

static bool
comp_on(const struct transport *t, enum comp_type type)
{
    return type == COMP_TYPE_ZLIB ||
           (type == COMP_TYPE_DELAYED && t->after_auth);
}

static int
comp_start(struct pkt_dir *d, bool is_out)
{
    comp_free(d->z);
    d->z = NULL;
    log_debug("compression %s on", is_out ? "out" : "in");
    return comp_new(&d->z, is_out);
}

int
tp_comp_newkeys(struct transport *t, bool is_out)
{
    /* comp[0] is client to server. */
    const char *name = t->choice.comp[is_out == t->is_server ? 1 : 0];
    enum comp_type type = comp_type_by_name(name);
    struct pkt_dir *d = is_out ? &t->out : &t->in;

    if (is_out) {
        t->comp_out = type;
    } else {
        t->comp_in = type;
    }
    if (comp_on(t, type)) {
        return comp_start(d, is_out);
    }
    comp_free(d->z);
    d->z = NULL;
    return 0;
}

static int
comp_auth_done(struct transport *t)
{
    int r;

    t->after_auth = true;
    if (t->comp_out == COMP_TYPE_DELAYED && t->out.z == NULL &&
        (r = comp_start(&t->out, true)) != 0) {
        return r;
    }
    if (t->comp_in == COMP_TYPE_DELAYED && t->in.z == NULL &&
        (r = comp_start(&t->in, false)) != 0) {
        return r;
    }
    return 0;
}

int
tp_comp_sent(struct transport *t, uint8_t type)
{
    if (!t->is_server || t->after_auth || type != SSH_MSG_USERAUTH_SUCCESS) {
        return 0;
    }
    return comp_auth_done(t);
}

int
tp_comp_received(struct transport *t, uint8_t type)
{
    if (t->is_server || t->after_auth || type != SSH_MSG_USERAUTH_SUCCESS) {
        return 0;
    }
    return comp_auth_done(t);
}

void
transport_compressing(const struct transport *t, bool *in, bool *out)
{
    *in = t->in.z != NULL;
    *out = t->out.z != NULL;
}
