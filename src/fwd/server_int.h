/* SPDX-License-Identifier: ISC */
/* aditd internals shared by the server_*.c files. */
#ifndef ADIT_FWD_SERVER_INT_H
#define ADIT_FWD_SERVER_INT_H

#include <stdbool.h>
#include <uv.h>

#include "config/permit.h"
#include "config/server_config.h"
#include "fwd/rfwd_tab.h"
#include "fwd/server.h"
#include "io/io_conn.h"
#include "keys/authkeys.h"
#include "keys/keylist.h"
#include "keys/krl.h"
#include "keys/sshkey.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

#define SERVER_MAX_LISTENERS 128u
/* Paths in AuthorizedKeysFile. */
#define SERVER_MAX_AKFILES 16u
#define SERVER_REASON_LEN 256u
#define SERVER_OWNER_LEN 80u
#define SERVER_OWNER_DESC_LEN 200u

struct server_conn;
struct server_auth;
struct rfwd;
struct rfwd_join;

/* A source address in binary, for PerSourceNetBlockSize blocks. */
struct srcaddr {
    int af; /* AF_INET, AF_INET6; 0 when unknown */
    uint8_t a[16];
};

struct penalty_entry;

/* PerSourcePenalties: the penalised blocks (server_penalty.c). */
struct server_penalties {
    struct penalty_entry *v;
    size_t n, cap;
    size_t n4, n6; /* entries of each family */
};

/* MaxStartups throttling, for sshd's log lines. */
struct server_throttle {
    bool active;
    uint64_t first_ms, last_log_ms;
    unsigned dropped;
};

/* A configuration and the connections made under it: a reload makes a
 * new one for new connections, and an old one goes when its last
 * connection has (a session keeps pointers into its algorithm lists). */
struct server_gen {
    struct server_gen *next;
    const struct server_config *cfg;
    struct server_config *owned; /* freed with it; NULL: the caller's */
    size_t refs;                 /* connections that use it */
};

/* Channel kinds counted in the metrics. */
enum server_chan_kind {
    SCHAN_SESSION,
    SCHAN_DIRECT_TCPIP,
    SCHAN_DIRECT_STREAMLOCAL,
    SCHAN_FORWARDED_TCPIP,
    SCHAN_FORWARDED_STREAMLOCAL,
    SCHAN_OTHER,
    SCHAN_N
};

/* Counters since start, for the metrics and aditd status. */
struct server_stats {
    uint64_t connections;            /* accepted */
    uint64_t logins;                 /* authenticated */
    uint64_t auth_failures;          /* keys refused at login */
    uint64_t preauth_closed;         /* ended before authentication */
    uint64_t chan_opens[SCHAN_N];    /* open requests */
    uint64_t chan_failures[SCHAN_N]; /* refused or failed to connect */
    uint64_t bytes_in, bytes_out;    /* of connections that have ended */
    uint64_t reloads, reload_failures;
    uint64_t takeovers; /* reverse forwards taken over by the same key */
    uint64_t started;   /* wall clock, seconds */
};

/* What logins are checked against, loaded at start and on SIGHUP. */
struct server_trust {
    struct authkeys files[SERVER_MAX_AKFILES]; /* when no path has a token */
    size_t n_files;
    struct keylist cas;     /* TrustedUserCAKeys */
    struct keylist revoked; /* RevokedKeys: a file of keys, */
    struct krl krl;         /* or an OpenSSH KRL */
};

struct server {
    uv_loop_t *loop;
    const struct server_config *cfg;
    struct sshkey *hostkeys[SERVER_CONFIG_MAX_LIST];
    size_t n_hostkeys;
    struct server_trust trust;
    struct io_listener *listeners[SERVER_MAX_LISTENERS];
    size_t n_listeners;
    struct server_conn *conns; /* doubly linked */
    /* Those not yet authenticated (at most MaxStartups): what
     * PerSourceMaxStartups counts at each accept, without a walk over
     * every login. */
    struct server_conn *preauth;
    struct rfwd_tab rfwds;   /* every reverse forward, by address */
    struct rfwd_join *joins; /* named-endpoint opens awaiting the owner */
    uint64_t next_tag;       /* io_chan tags for reverse forwards */
    unsigned n_startups;     /* connections not yet authenticated */
    struct server_throttle throttle;
    struct server_penalties penalties;
    bool shutting_down;     /* connections ended by us earn no penalty */
    struct server_gen *gen; /* for new connections; older ones follow */
    struct server_stats stats;
    uint64_t next_conn_id;
    /* The ports a forward of port 0 is given (server_rfwd.c): the
     * kernel's ephemeral range, read at start. */
    uint16_t port_lo, port_hi;
};

/* What the key that logged in allows, copied at login: the entry itself
 * may be freed by a reload while the connection lives. */
struct server_rights {
    bool fwd;          /* port forwarding on (restrict, no-port-forwarding) */
    bool fwd_explicit; /* "port-forwarding" is written on the key */
    struct permit_list open;   /* the key's permitopen */
    struct permit_list listen; /* the key's permitlisten */
    char fp[SSHKEY_FP_LEN];    /* the key's SHA256 fingerprint */
    unsigned line;             /* its line in the authorized keys file */
    /* Who owns the reverse forwards of this login (listener takeover):
     * the key's fingerprint, or for a certificate a digest of its CA,
     * key ID and the user, so a renewed certificate is the same owner. */
    char owner[SERVER_OWNER_LEN];
    char owner_desc[SERVER_OWNER_DESC_LEN]; /* the same, for the log */
};

/* What a login reads for its user (server_lookup.c, off the loop). */
struct server_userfiles {
    bool loaded; /* the lookup for user is done */
    char *user;
    struct authkeys files[SERVER_MAX_AKFILES]; /* with %u or %h */
    size_t n_files;
    char *principals_path; /* AuthorizedPrincipalsFile, expanded, or NULL */
    struct buf principals; /* its contents, when has_principals */
    bool has_principals;
};

struct server_lookup;

/* Per connection: what was read for its user, and a certificate's rights. */
struct server_auth {
    struct server_userfiles uf;
    struct server_lookup *lookup; /* in flight, or NULL */
    struct authkey cert_entry;    /* the rights of a certificate login */
};

struct server_conn {
    struct server_conn *prev, *next;
    struct server_conn *pa_prev, *pa_next; /* in srv->preauth */
    struct server *srv;
    struct server_gen *gen;          /* pinned for the connection's life */
    const struct server_config *cfg; /* gen->cfg, or own_cfg (Match) */
    struct io_conn *ic;
    uint64_t id;
    uint64_t since; /* wall clock, seconds */
    /* Match blocks (server_match.c): the login's own configuration (cfg
     * then points at it) and trust, when they apply. */
    const struct server_trust *trust;
    struct server_config *own_cfg;
    struct server_trust *own_trust;
    bool match_failed; /* Match could not be applied: no login */
    char addr[64];
    uint16_t port;
    char laddr[64]; /* the address and port it came in on */
    uint16_t lport;
    struct srcaddr src;
    bool authenticated;
    bool auth_attempted; /* a key was offered: authfail, not noauth */
    uint32_t *sessions;  /* open session channels (MaxSessions) */
    size_t n_sessions;
    bool no_more_sessions;
    struct rfwd *rfwds; /* its own reverse forwards, doubly linked */
    size_t n_rfwds;
    struct server_rights rights;
    struct server_auth *auth; /* per-login key files, certificate rights */
};

int server_load_hostkeys(struct server *srv);
/* Does an AuthorizedKeysFile path hold %u or %h (read at each login)? */
bool server_has_user_token(const struct server_config *cfg);
int server_load_authkeys(const char *path, struct authkeys *out);
/* The n-th path of AuthorizedKeysFile into out (malloc'd); ERR_NOTFOUND
 * past the last. */
int server_akfile_path(const struct server_config *cfg, size_t n, char **out);
/* The same over an AuthorizedKeysFile value. */
int server_akfile_path_in(const char *list, size_t n, char **out);
int server_trust_load(const struct server_config *cfg, struct server_trust *t);
void server_trust_cleanup(struct server_trust *t);

/* server_auth.c: the userauth check_key callback, and its state. */
int server_check_key(void *ctx, const char *user, const struct sshkey *key,
                     const void **info);
/* " ID key-id (serial N) CA TYPE SHA256:..." for a certificate, else "". */
#define SERVER_AUTH_DESCRIBE_LEN 256u
void server_auth_describe(const struct sshkey *k, char *out, size_t out_len);
void server_auth_free(struct server_auth *a);
/* A new connection (t accepted, TCP_NODELAY set): start its session. */
void server_accept_conn(struct server *srv, uv_tcp_t *t);
/* ClientAliveCountMax as session_config's alive_count_max (sshd's
 * meaning, see server.c). */
unsigned server_alive_count(const struct server_config *c);

/* server_policy.c: the rights of a login, and every forwarding check.
 * The checks return true when allowed, else false with the reason (which
 * names the rule and the key) in why. */
int server_rights_init(struct server_rights *r, const struct authkey *e,
                       const struct sshkey *k, const char *user);
void server_rights_cleanup(struct server_rights *r);
bool server_may_open(const struct server_conn *sc, const char *host,
                     uint32_t port, char *why, size_t why_len);
/* A listen host that is a name and not an address: a named endpoint. The
 * wildcards ("", "*") and "localhost" keep their sshd meaning. */
bool server_listen_is_name(const char *host);
/* A name is granted only by a permitlisten or PermitListen rule that
 * matches it: with no list, any key could register "db.internal:5432" and
 * receive every other user's connections to it. */
bool server_may_listen(const struct server_conn *sc, const char *host,
                       uint32_t port, bool want_reply, char *why,
                       size_t why_len);
/* path: the socket to connect to (remote false); NULL when listening. */
bool server_may_streamlocal(const struct server_conn *sc, const char *path,
                            bool remote, char *why, size_t why_len);

/* server_rfwd.c: reverse forwards and named endpoints. */
bool server_rfwd_request(struct server_conn *sc, bool want_reply,
                         const uint8_t *p, size_t n, struct buf *reply);
bool server_rfwd_cancel(struct server_conn *sc, const uint8_t *p, size_t n);
/* streamlocal-forward@openssh.com / cancel-streamlocal-forward. */
bool server_rfwd_unix_request(struct server_conn *sc, const char *path);
bool server_rfwd_unix_cancel(struct server_conn *sc, const char *path);
/* A direct-tcpip to a registered name joined to its tunnel: true when
 * host:port is a named endpoint (the open has then been answered). */
bool server_rfwd_join(struct server_conn *sc, uint32_t id,
                      const struct chan_open_info *info);
/* The connection is going: drop its reverse forwards. */
void server_rfwd_drop_conn(struct server_conn *sc);
/* ... and forget it in the joins it was waiting for. */
void server_rfwd_forget_conn(struct server_conn *sc);
void server_rfwd_shutdown(struct server *srv);

/* server_limits.c: MaxStartups and PerSourceMaxStartups. A new
 * connection from addr (src, its binary form) may start, or is refused:
 * told, logged, and t is closed and freed. */
bool server_limits_admit(struct server *srv, uv_tcp_t *t, const char *addr,
                         uint16_t port, const struct srcaddr *src);
/* -1 when text is not a numeric address. */
int srcaddr_parse(const char *text, struct srcaddr *out);
void srcaddr_mask(const struct srcaddr *in, int bits, struct srcaddr *out);
/* Both in one PerSourceNetBlockSize block of cfg. */
bool srcaddr_same_block(const struct server_config *cfg,
                        const struct srcaddr *a, const struct srcaddr *b);

/* server_penalty.c: PerSourcePenalties. */
enum server_penalty {
    PENALTY_AUTHFAIL = 0,
    PENALTY_NOAUTH,
    PENALTY_GRACE,
};
/* false when src's block is penalised (or the table is full in deny-all
 * mode): *reason says why, *loud for the first refusal of a penalty. */
bool server_penalty_allows(struct server *srv, const char *addr,
                           const struct srcaddr *src, const char **reason,
                           bool *loud);
void server_penalise(struct server *srv, const char *addr,
                     const struct srcaddr *src, enum server_penalty kind);
void server_penalties_cleanup(struct server_penalties *p);

/* server_lookup.c: per-user files read in the thread pool. */
bool server_lookup_needs_keys(const struct server_config *cfg);
bool server_lookup_needs_principals(const struct server_config *cfg);
/* Start reading user's files for sc; when done, they are in sc->auth->uf
 * and io_conn_resume() is called. ERR_NOMEM, ERR_INTERNAL. */
int server_lookup_start(struct server_conn *sc, const char *user);
/* The connection goes: the result will be dropped. NULL is fine. */
void server_lookup_detach(struct server_lookup *l);
void server_userfiles_cleanup(struct server_userfiles *uf);

/* server_match.c: at the first userauth request, with the user known,
 * apply the Match blocks (a userauth_server_config.user_known hook). */
void server_match_login(void *ctx, const char *user, const char **algs,
                        unsigned *max_tries);
void server_match_free(struct server_conn *sc);

/* server_session.c: session channels and global requests. */
void server_session_open(struct server_conn *sc, uint32_t id);
/* A channel request on a session channel: shell, exec and subsystem get
 * the one line and a close; the rest are refused (false). */
bool server_session_request(void *ctx, struct io_conn *ic, uint32_t id,
                            const char *type, bool want_reply, const uint8_t *p,
                            size_t n);
/* A channel with no io_chan closed: a session channel, for MaxSessions. */
void server_session_closed(void *ctx, struct io_conn *ic, uint32_t id);
bool server_global_request(void *ctx, struct io_conn *ic, const char *name,
                           bool want_reply, const uint8_t *p, size_t n,
                           struct buf *reply);

/* server_gen.c: configuration generations. */
int server_gen_new(struct server *srv, const struct server_config *cfg,
                   struct server_config *owned);
void server_gen_pin(struct server_conn *sc);
void server_gen_unpin(struct server_conn *sc);
void server_gen_free_all(struct server *srv);

/* server_status.c: counting. */
void server_count_open(struct server *srv, const char *type, bool failed);

/* Refused: log it with the peer's address and tell the client (ssh -v
 * shows "Remote: ..."). */
void server_refused(struct server_conn *sc, const char *what, const char *why);

#endif
