/* SPDX-License-Identifier: ISC */
/* A user certificate's critical options and extensions (PROTOCOL.certkeys). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshcert.h"
#include "util/adit_limits.h"
#include "util/addrmatch.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/rd.h"

/* The data of force-command and source-address: one string, nothing more. */
static int
opt_string(const struct sshcert_opt *o, char **out)
{
    struct rd rd;
    int r;

    rd_init(&rd, o->data, o->data_len);
    if ((r = rd_cstring(&rd, out, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(&rd)) != 0) {
        free(*out);
        *out = NULL;
        return r == ERR_NOMEM ? r : ERR_FORMAT;
    }
    return 0;
}

static int
crit_one(const struct sshcert_opt *o, struct sshcert_user_opts *out, char *why,
         size_t why_len)
{
    int r;

    if (strcmp(o->name, "force-command") == 0) {
        return opt_string(o, &out->force_command);
    }
    if (strcmp(o->name, "source-address") == 0) {
        if ((r = opt_string(o, &out->source_address)) != 0) {
            return r;
        }
        if (addrmatch_cidr_list(NULL, out->source_address) != ADDRMATCH_NONE) {
            snprintf(why, why_len,
                     "Certificate source-address contents "
                     "invalid");
            return ERR_FORMAT;
        }
        return 0;
    }
    /*
     * verify-required asks for user verification, which only FIDO keys
     * can assert; we have none, so like any option we cannot honour it
     * refuses the certificate.
     */
    snprintf(why, why_len,
             "Certificate critical option \"%.64s\" is not "
             "supported",
             o->name);
    return ERR_DENIED;
}

/* Flags whose data must be empty; other extensions are ignored. */
static int
ext_one(const struct sshcert_opt *o, struct sshcert_user_opts *out)
{
    static const struct {
        const char *name;
        size_t off;
    } flags[] = {
        {"no-touch-required",
         offsetof(struct sshcert_user_opts, no_touch_required)},
        {"permit-X11-forwarding",
         offsetof(struct sshcert_user_opts, permit_x11_forwarding)},
        {"permit-agent-forwarding",
         offsetof(struct sshcert_user_opts, permit_agent_forwarding)},
        {"permit-port-forwarding",
         offsetof(struct sshcert_user_opts, permit_port_forwarding)},
        {"permit-pty", offsetof(struct sshcert_user_opts, permit_pty)},
        {"permit-user-rc", offsetof(struct sshcert_user_opts, permit_user_rc)},
    };
    size_t i;

    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcmp(o->name, flags[i].name) == 0) {
            if (o->data_len != 0) {
                return ERR_FORMAT;
            }
            *(bool *)(void *)((char *)out + flags[i].off) = true;
        }
    }
    return 0;
}

int
sshcert_user_opts(const struct sshcert *c, struct sshcert_user_opts *out,
                  char *why, size_t why_len)
{
    size_t i;
    int r = 0;

    memset(out, 0, sizeof(*out));
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "Certificate option corrupt");
    }
    for (i = 0; i < c->n_critical && r == 0; i++) {
        r = crit_one(&c->critical[i], out, why, why_len);
    }
    for (i = 0; i < c->n_extensions && r == 0; i++) {
        r = ext_one(&c->extensions[i], out);
    }
    if (r != 0) {
        sshcert_user_opts_cleanup(out);
    }
    return r;
}

void
sshcert_user_opts_cleanup(struct sshcert_user_opts *o)
{
    free(o->force_command);
    free(o->source_address);
    memset(o, 0, sizeof(*o));
}
