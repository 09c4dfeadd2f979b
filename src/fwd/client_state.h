/* SPDX-License-Identifier: ISC */
/*
 * What a running adit reports about itself (adit status, metrics,
 * sd_notify): a snapshot per destination and per forward, copied out of
 * the supervisor so the caller may keep it.
 */
#ifndef ADIT_FWD_CLIENT_STATE_H
#define ADIT_FWD_CLIENT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"

struct client_sup;

/* Where a destination is. */
enum client_state {
    CLIENT_CONNECTING, /* an attempt is under way */
    CLIENT_UP,         /* authenticated, forwarding */
    CLIENT_RETRYING,   /* waiting out the backoff before the next attempt */
    CLIENT_FAILED,     /* a permanent failure: given up */
};

/* "connecting", "up", "retrying", "failed". */
const char *client_state_str(enum client_state st);

struct client_dest_snap {
    char name[256]; /* as given (command line or Destinations) */
    char host[256]; /* HostName */
    uint16_t port;
    enum client_state state;
    int64_t since;        /* wall clock seconds of the last state change */
    char last_error[160]; /* "" when none yet */
    uint64_t bytes_in;    /* on the wire, every connection so far */
    uint64_t bytes_out;
    int64_t rtt_ms;      /* last keepalive round trip; -1 unknown */
    size_t channels;     /* open now */
    unsigned reconnects; /* attempts after the first */
    unsigned logins;     /* connections that authenticated */
    unsigned auth_failures;
    struct conn_chan_stats chans; /* channel opens, every connection so far */
};

enum client_fwd_kind {
    CLIENT_FWD_LOCAL,   /* -L */
    CLIENT_FWD_DYNAMIC, /* -D */
    CLIENT_FWD_REMOTE,  /* -R, one per destination */
};

struct client_fwd_snap {
    enum client_fwd_kind kind;
    size_t dest;    /* -R: the destination's index */
    char spec[512]; /* as -G prints it: "[bind]:port host:port" */
    bool is_up;     /* -L/-D: listening; -R: granted by the server */
    uint16_t port;  /* the listen port; a -R 0's allocated one once known */
};

/* a += b, field by field. */
void client_chan_stats_add(struct conn_chan_stats *a,
                           const struct conn_chan_stats *b);

/* How many destinations; destination i's snapshot. */
size_t client_status_dests(const struct client_sup *sup);
void client_status_dest(const struct client_sup *sup, size_t i,
                        struct client_dest_snap *out);

/* How many forwards (every -L and -D, then every -R once per
 * destination); forward i's snapshot. */
size_t client_status_fwds(const struct client_sup *sup);
void client_status_fwd(const struct client_sup *sup, size_t i,
                       struct client_fwd_snap *out);

/* Every forward is up: the listeners bound, a destination up, and each
 * -R granted on every destination that is up (sd_notify READY=1). */
bool client_status_ready(const struct client_sup *sup);

/* A destination is up and its server answered within Interval x Count
 * (sd_notify WATCHDOG=1 only while true). */
bool client_status_alive(const struct client_sup *sup);

#endif
