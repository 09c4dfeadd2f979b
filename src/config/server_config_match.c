/* SPDX-License-Identifier: ISC */
/* aditd's Match criteria and the keywords a Match block may hold. */
#include "config/server_config_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "util/addrmatch.h"
#include "util/err.h"
#include "util/mem.h"

#define MATCH_WORD 1024u

/*
 * What a Match block may set, as sshd allows (servconf.c SSHCFG_MATCH)
 * and aditd applies per connection.
 */
static const char *const match_keywords[] = {
    "AllowTcpForwarding",
    "AllowStreamLocalForwarding",
    "DisableForwarding",
    "PermitOpen",
    "PermitListen",
    "GatewayPorts",
    "AuthorizedKeysFile",
    "AuthorizedPrincipalsFile",
    "TrustedUserCAKeys",
    "RevokedKeys",
    "MaxSessions",
    "MaxAuthTries",
    "ClientAliveInterval",
    "ClientAliveCountMax",
    "PubkeyAcceptedAlgorithms",
    "PubkeyAcceptedKeyTypes",
};

/* sshd allows these in a Match block too; aditd sets them once for the
 * whole process or at the start of a connection, before any user is
 * known, so a Match block cannot change them. */
static const char *const match_unsupported[] = {
    "LogLevel",
    "RekeyLimit",
};

static bool
in_list(const char *word, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcasecmp(word, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

int
server_match_keyword(const char *keyword, char *why, size_t why_len)
{
    if (in_list(keyword, match_keywords,
                sizeof(match_keywords) / sizeof(match_keywords[0]))) {
        return 0;
    }
    if (in_list(keyword, match_unsupported,
                sizeof(match_unsupported) / sizeof(match_unsupported[0]))) {
        snprintf(why, why_len,
                 "Directive '%s' is not supported within a Match block by "
                 "aditd",
                 keyword);
    } else {
        snprintf(why, why_len,
                 "Directive '%s' is not allowed within a Match block", keyword);
    }
    return ERR_CONFIG;
}

/* The next blank-separated word of *s into w; false at the end. */
static bool
next_word(const char **s, char *w, size_t cap, bool *too_long)
{
    size_t n;

    *s += strspn(*s, " \t");
    if ((n = strcspn(*s, " \t")) == 0) {
        return false;
    }
    if (n >= cap) {
        *too_long = true;
        return false;
    }
    memcpy(w, *s, n);
    w[n] = '\0';
    *s += n;
    return true;
}

/* One criterion: 1 match, 0 no match, ERR_CONFIG (why) when bad. With mi
 * NULL only the argument is checked. */
static int
match_one(const char *attr, const char *arg, const struct match_info *mi,
          char *why, size_t why_len)
{
    int port = 0;

    if (strcasecmp(attr, "user") == 0) {
        return mi != NULL && mi->user != NULL &&
               addrmatch_pattern_list(mi->user, arg, false) == ADDRMATCH_YES;
    }
    if (strcasecmp(attr, "group") == 0) {
        int r;

        if (mi == NULL || mi->user == NULL || mi->in_group == NULL) {
            return 0;
        }
        if ((r = mi->in_group(mi->user, arg)) < 0) {
            snprintf(why, why_len,
                     "Match Group: the group database could not be read "
                     "for user %s (%s)",
                     mi->user, err_str(r));
        }
        return r;
    }
    if (strcasecmp(attr, "host") == 0) {
        return mi != NULL && mi->host != NULL &&
               addrmatch_pattern_list(mi->host, arg, true) == ADDRMATCH_YES;
    }
    if (strcasecmp(attr, "address") == 0 ||
        strcasecmp(attr, "localaddress") == 0) {
        const char *a = mi == NULL                         ? NULL
                        : strcasecmp(attr, "address") == 0 ? mi->addr
                                                           : mi->laddr;
        int r = addrmatch_list(a, arg);

        if (r < 0 && r != ADDRMATCH_NEGATED) {
            snprintf(why, why_len, "Invalid Match %s argument '%s'",
                     strcasecmp(attr, "address") == 0 ? "address"
                                                      : "local address",
                     arg);
            return ERR_CONFIG;
        }
        return a != NULL && r == ADDRMATCH_YES;
    }
    if (strcasecmp(attr, "localport") == 0) {
        if (cfgline_int(arg, 1, 65535, &port) != 0) {
            snprintf(why, why_len, "Invalid LocalPort '%s' on Match line", arg);
            return ERR_CONFIG;
        }
        if (mi != NULL && mi->test && mi->lport < 0) {
            snprintf(why, why_len,
                     "'Match LocalPort' in configuration but 'lport' not "
                     "in connection test specification.");
            return ERR_CONFIG;
        }
        return mi != NULL && mi->lport == port;
    }
    snprintf(why, why_len, "Unsupported Match attribute %s", attr);
    return ERR_CONFIG;
}

/* Every criterion must match; "All" stands alone. */
static int
match_walk(const char *criteria, const struct match_info *mi, char *why,
           size_t why_len)
{
    char *attr = NULL, *arg = NULL;
    bool too_long = false;
    int r = 0, result = 1, n = 0;

    if ((attr = malloc(MATCH_WORD)) == NULL ||
        (arg = malloc(MATCH_WORD)) == NULL) {
        free(attr);
        return ERR_NOMEM;
    }
    while (next_word(&criteria, attr, MATCH_WORD, &too_long)) {
        n++;
        if (strcasecmp(attr, "all") == 0) {
            if (n > 1 || next_word(&criteria, arg, MATCH_WORD, &too_long)) {
                snprintf(why, why_len,
                         "'all' cannot be combined with other Match "
                         "attributes");
                r = ERR_CONFIG;
                break;
            }
            continue;
        }
        if (!next_word(&criteria, arg, MATCH_WORD, &too_long)) {
            snprintf(why, why_len, "Missing Match criteria for %s", attr);
            r = ERR_CONFIG;
            break;
        }
        if ((r = match_one(attr, arg, mi, why, why_len)) < 0) {
            break;
        }
        result = result && r == 1;
        r = 0;
    }
    if (r == 0 && (n == 0 || too_long)) {
        snprintf(why, why_len, "%s",
                 too_long ? "Match criterion too long"
                          : "no argument after keyword \"Match\"");
        r = ERR_CONFIG;
    }
    free(attr);
    free(arg);
    return r < 0 ? r : result;
}

int
server_match_check(const char *criteria, char *why, size_t why_len)
{
    int r = match_walk(criteria, NULL, why, why_len);

    return r < 0 ? r : 0;
}

int
server_match_eval(const char *criteria, const struct match_info *mi, char *why,
                  size_t why_len)
{
    return match_walk(criteria, mi, why, why_len);
}

/* One "key=value" of a -C spec. */
static int
spec_field(char *kv, struct match_info *mi)
{
    char *v = strchr(kv, '=');
    int port = 0;

    if (v == NULL) {
        return ERR_CONFIG;
    }
    *v++ = '\0';
    if (strcmp(kv, "user") == 0) {
        mi->user = v;
    } else if (strcmp(kv, "host") == 0) {
        mi->host = v;
    } else if (strcmp(kv, "addr") == 0) {
        mi->addr = v;
    } else if (strcmp(kv, "laddr") == 0) {
        mi->laddr = v;
    } else if (strcmp(kv, "lport") == 0 &&
               cfgline_int(v, 1, 65535, &port) == 0) {
        mi->lport = port;
    } else {
        return ERR_CONFIG;
    }
    return 0;
}

int
server_match_spec(const char *spec, struct match_info *mi, char **buf,
                  char *why, size_t why_len)
{
    char *p, *save = NULL, *kv;

    memset(mi, 0, sizeof(*mi));
    mi->lport = -1;
    mi->test = true;
    if ((*buf = p = str_ndup(spec, strlen(spec))) == NULL) {
        return ERR_NOMEM;
    }
    for (kv = strtok_r(p, ",", &save); kv != NULL;
         kv = strtok_r(NULL, ",", &save)) {
        char copy[MATCH_WORD];

        snprintf(copy, sizeof(copy), "%s", kv);
        if (spec_field(kv, mi) != 0) {
            snprintf(why, why_len, "Invalid test mode specification %s", copy);
            return ERR_CONFIG;
        }
    }
    return 0;
}
