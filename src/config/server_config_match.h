/* SPDX-License-Identifier: ISC */
/*
 * aditd's Match blocks, as sshd_config(5) defines them: a "Match" line
 * holds criteria (All alone, or User, Group, Host, Address, LocalAddress,
 * LocalPort, each with an argument, all of which must match); the lines up
 * to the next Match apply to the connections it matches, each keyword
 * taking the first value among the matching blocks, ahead of the global
 * one. Only some keywords may appear in a block.
 */
#ifndef ADIT_CONFIG_SERVER_CONFIG_MATCH_H
#define ADIT_CONFIG_SERVER_CONFIG_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/* What a connection is matched on (sshd's struct connection_info). NULL
 * fields are unknown: a criterion on them does not match, except that
 * aditd -T refuses a LocalPort criterion without lport, as sshd -T. */
struct match_info {
    const char *user;
    const char *host; /* no DNS: the client's address, as UseDNS no */
    const char *addr;
    const char *laddr;
    int lport; /* -1 unknown */
    bool test; /* aditd -T -C */
    /*
     * Group: is user in a group whose name matches the pattern list
     * (negation wins, as sshd's ga_match_pattern_list)? 1 yes, 0 no, < 0
     * when the group database could not answer (the Match then fails, and
     * a login is refused rather than judged without the block). NULL:
     * Group never matches. It may read the group database.
     */
    int (*in_group)(const char *user, const char *list);
};

/*
 * Check the criteria of a Match line (the text after "Match").
 * ERR_CONFIG with sshd's words in why ("Bad Match condition", "Invalid
 * Match address argument ...").
 */
int server_match_check(const char *criteria, char *why, size_t why_len);

/* 1 when the criteria match mi, 0 when not; ERR_CONFIG (why) for aditd -T
 * with a LocalPort criterion and no lport. */
int server_match_eval(const char *criteria, const struct match_info *mi,
                      char *why, size_t why_len);

/* Is keyword allowed inside a Match block? 0; ERR_CONFIG with sshd's
 * words in why when sshd refuses it there, or when aditd cannot apply it
 * per connection (LogLevel, RekeyLimit). */
int server_match_keyword(const char *keyword, char *why, size_t why_len);

/*
 * aditd -C "user=u,host=h,addr=a,laddr=l,lport=p" into mi; the strings
 * point into *buf (malloc'd, the caller frees it). ERR_CONFIG with why.
 */
int server_match_spec(const char *spec, struct match_info *mi, char **buf,
                      char *why, size_t why_len);

#endif
