/* SPDX-License-Identifier: ISC */
/*
 * aditd's connection limits, as sshd_config(5) of OpenSSH 9.8 defines
 * them: MaxStartups, PerSourceMaxStartups, PerSourceNetBlockSize,
 * PerSourcePenalties, PerSourcePenaltyExemptList and MaxSessions. Part of
 * struct server_config; kept apart so the table of the other keywords
 * stays small.
 */
#ifndef ADIT_CONFIG_SERVER_CONFIG_LIMITS_H
#define ADIT_CONFIG_SERVER_CONFIG_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

/* PerSourceMaxStartups none. */
#define LIMITS_NO_LIMIT (-2)

enum penalty_overflow {
    PENALTY_PERMISSIVE = 0, /* forget the soonest-to-expire penalty */
    PENALTY_DENY_ALL,       /* refuse everyone not exempt */
};

/* PerSourcePenalties: seconds, -1 unset. */
struct penalty_config {
    int enabled; /* -1 unset (sshd 9.8: on) */
    int crash;   /* aditd does not crash a connection alone: never used */
    int authfail;
    int noauth;
    int grace;
    int max;
    int min;
    int max_sources4;
    int max_sources6;
    int overflow;  /* enum penalty_overflow */
    int overflow6; /* enum penalty_overflow */
};

struct server_limits_config {
    int startups_begin; /* MaxStartups start:rate:full; -1 unset */
    int startups_rate;
    int startups_max;
    int per_source_max; /* -1 unset, LIMITS_NO_LIMIT for none */
    int netblock4;      /* PerSourceNetBlockSize; -1 unset */
    int netblock6;
    int max_sessions; /* -1 unset */
    struct penalty_config pen;
    char *penalty_exempt; /* PerSourcePenaltyExemptList, or NULL */
};

void server_limits_config_init(struct server_limits_config *l);
void server_limits_config_cleanup(struct server_limits_config *l);
/* sshd's defaults for what was not set: 10:30:100, none, 32:128, 10, and
 * penalties on (crash:90 authfail:5 noauth:1 grace-exceeded:10 max:600
 * min:15 max-sources4/6:65536 overflow/overflow6:permissive). */
void server_limits_config_finish(struct server_limits_config *l);

/*
 * Apply "key value" when key is one of the keywords above (case-
 * insensitive). ERR_NOTFOUND when it is not; ERR_CONFIG with a reason in
 * why for a bad value. MaxStartups and PerSourceNetBlockSize take the last
 * value, the others the first, as sshd.
 */
int server_limits_config_line(struct server_limits_config *l, const char *key,
                              const char *value, char *why, size_t why_len);

#endif
