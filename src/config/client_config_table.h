/* SPDX-License-Identifier: ISC */
/*
 * The keyword table behind client_config: one row per ssh_config(5)
 * keyword ssh 9.x knows, naming the field it sets and how its value reads.
 * Internal to src/config/client_config*.c.
 */
#ifndef ADIT_CONFIG_CLIENT_CONFIG_TABLE_H
#define ADIT_CONFIG_CLIENT_CONFIG_TABLE_H

#include <stddef.h>

#include "config/client_config.h"
#include "util/adit_limits.h"

#define LIM_CFG_WORD LIM_STRING_SMALL

enum copt_kind {
    COPT_IGNORED, /* ssh knows it, adit does not implement it yet */
    COPT_STR,     /* one word, first wins */
    COPT_LINE,    /* the rest of the line (ProxyCommand, lists), first wins */
    COPT_PROXY,   /* ProxyCommand / ProxyJump: the first of the two wins */
    COPT_PORT,
    COPT_BOOL,
    COPT_STRICT,
    COPT_TIMEOUT, /* "none" or a time */
    COPT_TIME,    /* a time (s m h d w units) */
    COPT_INT,     /* a non-negative integer */
    COPT_LOGLEVEL,
    COPT_AF,
    COPT_SESSION,
    COPT_TTY,
    COPT_ESCAPE, /* EscapeChar: none, a character or ^X */
    COPT_REKEY,
    COPT_IDENTITY,
    COPT_CERTIFICATE,
    COPT_SENDENV,
    COPT_SETENV,
    COPT_LOCALFWD,
    COPT_REMOTEFWD,
    COPT_DYNAMICFWD,
    COPT_BACKOFF,   /* ReconnectBackoff min[,max]: two times */
    COPT_CTLMASTER, /* ControlMaster: yes no ask auto autoask */
    COPT_PERSIST,   /* ControlPersist: yes, no or a time */
    COPT_FWDAGENT,  /* ForwardAgent: yes, no, or a socket path */
};

struct copt {
    const char *name;
    enum copt_kind kind;
    size_t off; /* the field, for scalar kinds */
};

/* The row for keyword (any case), or NULL if ssh does not know it. */
const struct copt *client_config_table_find(const char *keyword);

/* Set a scalar field from v unless it is already set. ERR_FORMAT. */
int client_config_table_scalar(struct client_config *c, const struct copt *o,
                               const char *v);

/* ssh's message for a bad value of o. */
void client_config_table_why(const struct copt *o, const char *v, char *why,
                             size_t why_len);

/* Every scalar field to its unset value; free every string field. */
void client_config_table_unset(struct client_config *c);
void client_config_table_free_strings(struct client_config *c);

/* Whether the value of o is one word (a second word is an error). */
int client_config_table_is_word(const struct copt *o);

#endif
