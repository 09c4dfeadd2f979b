/* SPDX-License-Identifier: ISC */
/* adit client internals shared by the client_*.c files. */
#ifndef ADIT_FWD_CLIENT_INT_H
#define ADIT_FWD_CLIENT_INT_H

#include <stdbool.h>
#include <uv.h>

#include "config/client_config.h"
#include "fwd/client.h"
#include "fwd/client_sessfwd.h"
#include "fwd/client_state.h"
#include "fwd/fwd_local.h"
#include "fwd/fwd_pick.h"
#include "fwd/fwd_rdynamic.h"
#include "fwd/fwd_remote.h"
#include "io/io_ask.h"
#include "io/io_chan.h"
#include "io/io_connect.h"
#include "io/io_conn.h"
#include "io/io_proxy.h"
#include "keys/knownhosts.h"
#include "keys/sshkey.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

#define CLIENT_MAX_KEYS 100u
#define CLIENT_MAX_FWDS 256u
#define CLIENT_MAX_HOPS (LIM_JUMP_HOPS + 1u)
#define CLIENT_EXIT_FAIL 255
#define CLIENT_MAX_DESTS 8u
#define CLIENT_RT_RFWDS 32u
/* What ssh calls a peer reached through a proxy or a jump host. */
#define CLIENT_PROXY_PEER "UNKNOWN port 65535"

struct client;
struct client_sup;
struct client_sess;

/*
 * One SSH connection of the chain: the jump hosts (-J), first hop first,
 * then the target. Hop 0 is reached over TCP or the ProxyCommand; every
 * later hop over a direct-tcpip channel of the hop before it.
 */
struct client_keys {
    struct sshkey *k[CLIENT_MAX_KEYS]; /* private, or public (.pub) only */
    char *name[CLIENT_MAX_KEYS];       /* the file it came from */
    bool certfile[CLIENT_MAX_KEYS];    /* from CertificateFile */
    /* k is the public half (.pub) of the encrypted file name: its
     * passphrase is asked once the server accepts it (client_hop_pass.c);
     * or k is NULL (no public half without the passphrase): it is asked
     * when the key's turn comes */
    bool encrypted[CLIENT_MAX_KEYS];
    size_t n;
};

/* A hop's known_hosts files: the user files first (new keys go to the
 * first), then the global ones. */
struct client_kh {
    char *files[2 * LIM_KNOWN_HOSTS_FILES];
    size_t n_user;
    size_t n;
};

/* What the files say of one key: the deciding file and line. */
struct client_kh_result {
    enum hostkey_status status;
    const char *file; /* a view into struct client_kh; NULL when new */
    unsigned line;
};

/*
 * The keys one connection offers, in ssh's order (client_ids.c): private
 * keys sign here, the others through the agent (via_agent) or, for an
 * encrypted file, once its passphrase is given (file_idx is then its
 * index in struct client_keys, else -1).
 */
struct client_ids {
    struct sshkey *offer[CLIENT_MAX_KEYS]; /* borrowed or in agent_keys */
    const char *name[CLIENT_MAX_KEYS];     /* file or agent comment */
    bool via_agent[CLIENT_MAX_KEYS];
    int file_idx[CLIENT_MAX_KEYS];
    size_t n;
    struct sshkey *agent_keys[CLIENT_MAX_KEYS]; /* owned */
    char *agent_names[CLIENT_MAX_KEYS];         /* owned */
    size_t n_agent;
};

struct agent_call;
struct agent_identities;
struct io_ask;

struct client_hop {
    struct client *c;
    size_t idx;
    const struct client_config *cfg; /* the target's, or a jump host's */
    struct client_keys *keys;        /* the client's, or the hop's own */
    struct client_kh kh;             /* from cfg, as ssh -J's own ssh */
    struct client_ids ids;           /* this connection's offer */
    struct agent_call *agent;        /* listing or signing under way */
    struct io_ask *ask;              /* the user is being asked */
    struct buf pass_data;            /* what the unlocked key is to sign */
    char pass_alg[LIM_NAME];         /* ... with this algorithm */
    size_t pass_idx;                 /* the ids entry being unlocked */
    unsigned pass_tries;
    bool pass_load;       /* ... for the core's load, not sign */
    char agent_path[108]; /* "" when there is no agent */
    uv_stream_t *held;    /* the stream, while the agent lists */
    char *held_peer;
    char agent_key_label[16]; /* the key the agent is signing with, */
    char agent_key_name[256]; /* for ssh's message when it refuses */
    char *host;
    char *user;
    char *alias; /* a jump host's name as written in -J (its %n), or NULL */
    uint16_t port;
    struct io_conn *ic;
    uv_stream_t *pending; /* our end, until the channel to it is open */
    uv_timer_t banner;    /* ConnectTimeout covers the version line too */
    bool has_timer;
    bool authenticated;
    /* The key this hop's server accepted last time (public blob) and its
     * signature algorithm: a reconnect offers it signed at once. */
    struct buf last_key;
    char last_alg[LIM_NAME];
};

/*
 * One destination's connection: the chain of hops to it, its -R
 * forwards, and (in Reconnect mode) its attempts and backoff. The
 * listeners and signals belong to the supervisor, shared by all.
 */
struct client {
    struct client_sup *sup;
    size_t idx; /* priority: 0 first */
    uv_loop_t *loop;
    const struct client_config *cfg;
    const struct client_target *t;
    struct client_keys keys; /* the target's identities */
    struct client_hop hops[CLIENT_MAX_HOPS];
    size_t n_hops; /* the last one is the target */
    struct io_connect *connecting;
    struct io_proxy *proxy;
    uv_timer_t retry; /* ConnectionAttempts: one second between tries */
    int attempts_left;
    struct io_conn *ic;       /* the target's connection, once authenticated */
    struct fwd_remote *rfwd;  /* the -R forwards */
    struct permit_list rperm; /* PermitRemoteOpen, for rdyn */
    struct fwd_rdynamic rdyn; /* -R with no target: shared state */
    bool stopping;            /* this attempt is being taken down */
    bool is_down;             /* ... and the supervisor has been told */
    bool said;                /* the reason is printed: closed() stays quiet */
    bool permanent;           /* the reason is one retrying cannot cure */
    bool stdio_open;          /* -W: the channel is open */
    bool stdio_ok;            /* -W or the session ran to its end */
    struct client_sess *sess; /* the session, while it runs */
    struct client_sessfwd sessfwd; /* -A, -X/-Y on the session */
    struct io_pump *pumps[3];      /* its stdio when a plain file (io_pump.h) */
    struct client_term *term;      /* its local terminal (client_term.c) */
    bool say_closed; /* a pty session ended: the farewell is due */
    /* The session is over but channels are open (forwarded connections,
     * X11): adit waits for them, as ssh's client_loop (client_shell.c). */
    uv_timer_t linger_kick; /* the first look, once the session is gone */
    uv_check_t linger;      /* a look after each turn of the loop */
    /* -R forwards added at runtime, one fwd_remote each. */
    struct fwd_remote *rt_rfwd[CLIENT_RT_RFWDS];
    size_t n_rt_rfwd;
    int exit_code;
    /* Reconnect mode (client_sup.c). */
    uv_timer_t backoff;     /* the wait before the next attempt */
    uv_timer_t rfwd_retry;  /* the wait before refused -R are asked again */
    bool timers_open;       /* retry and the hops' banner timers */
    bool hup;               /* SIGHUP: the next attempt starts at once */
    unsigned failures;      /* attempts failed since the last success */
    unsigned quick;         /* quick retries made (client_sup.c) */
    uint64_t up_ms;         /* loop time it last came up */
    unsigned rfwd_failures; /* -R refusals in a row on this connection */
    /* Status (client_state.h). */
    enum client_state state;
    int64_t since; /* wall clock seconds of the last change */
    char last_error[160];
    unsigned reconnects;
    unsigned logins;              /* connections that authenticated */
    unsigned auth_failures;       /* logins refused ("Permission denied") */
    uint64_t bytes_in, bytes_out; /* of connections already over */
    struct conn_chan_stats chans; /* channel opens of connections over */
    uv_timer_t probe;    /* Reconnect mode: a timed keepalive each interval */
    uint64_t probe_sent; /* uv_hrtime() of the probe awaiting its answer */
    uint64_t heard_ms;   /* loop time of the last answer */
    int64_t rtt_ms;      /* -1 until measured */
};

/*
 * The supervisor: the destinations in priority order, the local
 * listeners (-L, -D) bound once and shared by them, the signals, and the
 * exit status. Without Reconnect there is one destination and the first
 * end of its connection ends everything, as ssh.
 */
struct client_sup {
    uv_loop_t *loop;
    const struct client_config *cfg; /* the first destination's: forwards */
    struct client *d[CLIENT_MAX_DESTS];
    size_t n;
    struct io_ask_queue askq; /* one prompt at a time on the terminal */
    struct fwd_local *fwds[CLIENT_MAX_FWDS];
    const struct fwdspec *fwd_specs[CLIENT_MAX_FWDS]; /* each one's spec */
    size_t n_fwds;
    /* Forwards added at runtime (client_rtfwd.c): their specs, kept to
     * the end (a closed listener's may still be read while it closes). */
    struct fwdspec *rt_specs[CLIENT_MAX_FWDS];
    size_t n_rt_specs;
    struct client_rtfwd_req *rt_reqs; /* bind names being resolved */
    bool fwds_started;
    struct fwd_pick pick;
    uv_signal_t sig[3];
    int ready_fd; /* -f: tell the waiting parent (client_fork.h) */
    bool reconnect;
    bool stopping;
    int exit_code;
    /* Seen from outside (client_ctl.c). */
    struct io_svc *ctl;     /* StatusSocket */
    struct io_svc *metrics; /* MetricsListen */
    uv_timer_t notify_timer;
    bool has_notify, has_notify_timer, ready_sent;
    char notify_status[256]; /* the last STATUS= sent */
    uint64_t watchdog_ms;    /* WatchdogSec, 0 off */
    uint64_t watchdog_next;  /* loop time of the next WATCHDOG=1 due */
    /* The ControlMaster (client_mux.c). */
    struct io_svc *mux;   /* at ControlPath; NULL: not a master */
    uv_timer_t mux_timer; /* -O exit; ControlPersist's idle check */
    bool has_mux_timer;
    size_t mux_clients;      /* -W forwards run for clients, under way */
    uint64_t mux_idle_since; /* loop ms idle since; 0 while busy */
    /* forwards added by clients (client_mux_fwd.c); NULL: free room */
    struct client_mux_fwd *mux_fwds[LIM_MUX_FWDS];
    struct client_mux_shell *mux_ttys; /* sessions with a client's pty */
    uv_signal_t mux_winch;             /* relayed by those clients */
    bool has_mux_winch;
};

/* client.c */
/* End c's current attempt (every hop is disconnected); once all is
 * closed the supervisor hears of it (client_sup_down). */
void client_stop(struct client *c);
/* Whether c's attempt is fully over; if so, tell the supervisor once. */
void client_check_down(struct client *c);
/* Known hosts, keys, hops: once per destination. */
int client_start(struct client *c);
/* Start a connection attempt (state reset from the last one). */
int client_attempt(struct client *c);
void client_free(struct client *c);
/* ExitOnForwardFailure: end c's connection with 255, as ssh's fatal(). */
void client_forward_failed(struct client *c);
/* Add ic's wire byte counts to c's (the target's, before it goes). */
void client_count_totals(struct client *c, struct io_conn *ic);
/* "~/x" -> client_home() "/x", "~bob/x" -> bob's home "/x" into out
 * (truncated to out_len); path as it is if bob is unknown. */
void client_tilde(const char *path, char *out, size_t out_len);
/* Load cfg's identity files (or the default ones) into keys. */
void client_load_keys(const struct client_config *cfg,
                      struct client_keys *keys);
void client_free_keys(struct client_keys *keys);

/* c's -R state, made if there is none yet (for the first -R or one
 * added through the master). */
int client_rfwd_ensure(struct client *c);
/* The target hop (the last one) authenticated: start forwarding. */
void client_target_ready(struct client *c, struct io_conn *ic);
/* The target opens a channel: only forwarded ones for our -R forwards.
 * ctx is the target's struct client_hop. */
void client_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                         const struct chan_open_info *info);
/* A -R connection's local target refused: ssh's words ("connect_to HOST
 * port N: failed."; for a Unix path ssh names its internal port -2). */
void client_connect_failed(void *ctx, struct io_conn *ic, const char *target,
                           int port, int status);

/* client_sup.c */
/* c's attempt is over (c->permanent, c->exit_code, c->last_error say
 * how): retry it, give up on it, or end everything. */
void client_sup_down(struct client_sup *sup, struct client *c);
/* Close the -L and -D listeners (~&: no new connections); those they
 * accepted go on. */
void client_sup_stop_listening(struct client_sup *sup);
/* End everything with code: listeners, signals, every destination. */
void client_sup_stop(struct client_sup *sup, int code);
/* Bind every -L and -D once; false when ExitOnForwardFailure ended all. */
bool client_sup_start_local(struct client_sup *sup, struct client *c);
/* c is up: reset its backoff. */
void client_sup_up(struct client_sup *sup, struct client *c);
/* A -R forward was refused on c: ask again after a backoff. */
void client_sup_rfwd_refused(struct client_sup *sup, struct client *c);
/* Record the state change and the reason (may be NULL) for status. */
void client_set_state(struct client *c, enum client_state st, const char *why);

/* client_ctl.c */
/* The control socket, the metrics endpoint and systemd notification, as
 * configured; ERR_* (said) when a socket cannot be set up. */
int client_ctl_start(struct client_sup *sup);
void client_ctl_stop(struct client_sup *sup);
/* Something changed: tell systemd what there is to tell (READY=1,
 * STATUS=, WATCHDOG=1); a no-op without $NOTIFY_SOCKET. */
void client_notify(struct client_sup *sup);

/* client_mux.c */
struct ctl_request;
struct io_ctl_call;
/* Listen at ControlPath when cfg makes this process a master (a path
 * already there disables it, as ssh); requests go to handler. ERR_* (said)
 * when the socket cannot be made. */
int client_mux_listen(struct client_sup *sup,
                      int (*handler)(void *ctx, const struct ctl_request *req,
                                     struct io_ctl_call *call, struct buf *body,
                                     char *why, size_t why_len));
/* client_mux.c: a decoded request, done (as client_mux_request). */
struct ctl_mux;
int client_mux_do(struct client_sup *sup, const struct ctl_mux *m,
                  struct io_ctl_call *call, struct buf *body, char *why,
                  size_t why_len);

/* client_mux_ask.c */
/* ControlMaster ask or autoask: whether m is asked about (with ssh's
 * prompt, into prompt). */
bool client_mux_prompt(const struct client_sup *sup, const struct ctl_mux *m,
                       char *prompt, size_t len);
/* Ask the askpass program (a child: the loop goes on), then do req for
 * call's client or refuse it ("Permission denied"). 0 (answered later),
 * or ERR_* with why when nothing could be asked. */
int client_mux_ask(struct client_sup *sup, const struct ctl_request *req,
                   struct io_ctl_call *call, const char *prompt, char *why,
                   size_t why_len);

/* client_mux_fwd.c */
/* forward and cancel requests: answered at once (0, or ERR_* with why),
 * or later for a -R (c: the connection asked, NULL when none is up). */
int client_mux_fwd_add(struct client_sup *sup, struct client *c,
                       const struct ctl_mux *m, struct io_ctl_call *call,
                       char *why, size_t why_len);
int client_mux_fwd_cancel(struct client_sup *sup, const struct ctl_mux *m,
                          char *why, size_t why_len);
/* c's new connection ic (its -R state made): the -R added by clients
 * asked for again. */
int client_mux_fwd_restart(struct client *c, struct io_conn *ic);
/* For status: the rows of the added forwards (a -R one per destination),
 * and row's spec (NULL past the end) with its kind, destination, state
 * and port. */
size_t client_mux_fwd_rows(const struct client_sup *sup);
const struct fwdspec *client_mux_fwd_row(const struct client_sup *sup,
                                         size_t row, enum fwdspec_kind *kind,
                                         size_t *dest, bool *is_up,
                                         uint16_t *port);
void client_mux_fwd_free(struct client_sup *sup);

/* client_mux_sess.c */
/* A "session" request: the session opened on c's connection with the
 * call's descriptors, answered later (0), or ERR_* with why. */
int client_mux_shell(struct client_sup *sup, struct client *c,
                     const struct ctl_mux *q, struct io_ctl_call *call,
                     char *why, size_t why_len);
/* The master ends: no more window changes. */
void client_mux_shell_stop(struct client_sup *sup);
/* A descriptor's file status flags, kept to be put back once its stream
 * is done: the loop makes a pipe or socket non-blocking, and a master's
 * client shares that open file description with the shell that started
 * it. keep: fd's flags and a copy of it (no-op, fd -1, if it cannot);
 * restore: the flags back and the copy closed (once; -1 is a no-op). */
struct client_fdflags {
    int fd;
    int flags;
};
/* A descriptor a client passed, as a stream of the master's: polled
 * directly (its flags kept to be put back), or copied by a pump (a
 * regular file, /dev/null). */
struct client_mux_io {
    struct io_pump *pump;
    int pump_fd; /* what the pump copies, or -1 */
    struct client_fdflags flags;
};
void client_mux_io_init(struct client_mux_io *io);
/* *fd as a stream (for input or output); *fd becomes -1 once taken.
 * ERR_IO, ERR_NOMEM. */
int client_mux_io_stream(struct client_sup *sup, int *fd, bool is_input,
                         struct client_mux_io *io, uv_stream_t **out);
/* Once the stream is closed: the pump joined (a file written to its
 * end), what it copied closed, the flags put back. */
void client_mux_io_end(struct client_mux_io *io);

/* A multiplexing request (ctl_mux.h) on the control socket. */
int client_mux_request(struct client_sup *sup, const struct ctl_request *req,
                       struct io_ctl_call *call, struct buf *body, char *why,
                       size_t why_len);
void client_mux_stop(struct client_sup *sup);
/* The forwards clients added: at the very end. */
void client_mux_free(struct client_sup *sup);

/* client_state.c */
/* Reconnect mode: time a keepalive every Interval while c is up. */
void client_probe_start(struct client *c);
void client_probe_stop(struct client *c);

/* client_hop.c */
int client_hops_init(struct client *c);
void client_hops_cleanup(struct client *c);
/* ConnectTimeout in ms (0: none); in Reconnect mode, if unset, the
 * dead-server time (at least CLIENT_LOGIN_MIN_S), which bounds the TCP
 * connect and then the whole login. */
uint64_t client_login_deadline_ms(const struct client_hop *hop);
/* Run hop's SSH session over st (taken over); peer names it in messages. */
void client_hop_start(struct client_hop *hop, uv_stream_t *st,
                      const char *peer);

/* client_connect.c */
/* Connect to hop 0: over TCP (attempts, timeout) or the ProxyCommand. */
int client_hops_start(struct client *c);
/* Disconnect every hop still up; stop their timers. */
void client_hops_stop(struct client *c, const char *why);
/* Close the hops' timers for good (the last attempt is over). */
void client_hops_close(struct client *c);
/* Whether no hop has a connection, a connect or a pending stream. */
bool client_hops_idle(const struct client *c);

/* client_khfiles.c: the files of cfg's UserKnownHostsFile (default
 * ~/.ssh/known_hosts ~/.ssh/known_hosts2) and GlobalKnownHostsFile, at
 * most LIM_KNOWN_HOSTS_FILES each. ERR_NOMEM, ERR_LIMIT, ERR_INVAL. */
int client_kh_init(struct client_kh *kh, const struct client_config *cfg);
void client_kh_cleanup(struct client_kh *kh);
/* The file new keys are added to: the first user file. */
const char *client_kh_user_file(const struct client_kh *kh);
/* The key checked against every file (unreadable ones are skipped). */
void client_kh_check(const struct client_kh *kh, const char *name,
                     const struct sshkey *key, struct client_kh_result *res);
/* An @cert-authority line in any file names host name and ca. */
bool client_kh_ca_trusted(const struct client_kh *kh, const char *name,
                          const struct sshkey *ca);
/* knownhosts_known_types() over every file, OR'd. */
int client_kh_types(const struct client_kh *kh, const char *name,
                    unsigned *mask);
/* The name hop's keys are known by: HostKeyAlias, else "[host]:port". */
void client_hop_kh_name(const struct client_hop *hop, char *out,
                        size_t out_len);

/* client_hostkey.c: ctx is a struct client_hop. */
int client_verify_hostkey(void *ctx, const struct sshkey *key);

/* client_hostcert.c: a hop's host certificate (the key's sshkey_cert()),
 * and the cert forms of a host key algorithm list appended to out. */
int client_verify_hostcert(struct client_hop *hop, const struct sshkey *key);
void client_hostcert_algs(const char *list, char *out, size_t out_len);

/* client_certs.c: the certificate "<key_path>-cert.pub" for k[i], and
 * a CertificateFile for whichever loaded key it certifies; each is
 * offered right after its key. Missing or mismatched files are skipped. */
void client_load_cert_beside(struct client_keys *keys, size_t i,
                             const char *key_path);
void client_load_cert_files(struct client_keys *keys, const char *path);

/* client_ids.c: ids from the files' keys and the agent's (NULL: none),
 * in ssh's order; IdentitiesOnly keeps only agent keys that a file names.
 * ids is cleaned up first. */
int client_ids_build(struct client_ids *ids, const struct client_keys *keys,
                     const struct agent_identities *agent,
                     bool identities_only);
void client_ids_cleanup(struct client_ids *ids);

/* client_hop_agent.c: list the agent's keys for hop, then go on with
 * client_hop_run (with file keys only when there is no agent or it fails);
 * and the userauth signer for the keys it holds. */
void client_hop_agent_list(struct client_hop *hop, uv_stream_t *st,
                           const char *peer);
void client_hop_agent_stop(struct client_hop *hop);
int client_hop_agent_sign(void *ctx, size_t idx, const struct sshkey *key,
                          const char *sig_alg, const uint8_t *data, size_t n);

/* client_hop_ask.c: the userauth asker for password and
 * keyboard-interactive (userauth_ask_fn, ctx the hop), and its end. */
int client_hop_ask(void *ctx, const struct userauth_questions *q);
void client_hop_ask_stop(struct client_hop *hop);

/* client_hop_pass.c: sign with the encrypted identity file of hop's
 * ids entry idx, once its passphrase is asked (off the loop) and it
 * decrypts; the key stays unlocked for later logins. As
 * client_hop_agent_sign. */
int client_hop_pass_sign(struct client_hop *hop, size_t idx,
                         const char *sig_alg, const uint8_t *data, size_t n);
/* The userauth loader (ctx the hop) for an encrypted file with no public
 * half: asked for now, its private key put in ids entry idx for the core
 * to offer (io_conn_auth_loaded either way); ERR_DENIED in BatchMode. */
int client_hop_pass_load(void *ctx, size_t idx);

/* client_hop.c: NumberOfPasswordPrompts (default 3). */
unsigned client_hop_prompts(const struct client_hop *hop);

/* client_hop.c: run hop's SSH session over st (taken over). */
void client_hop_run(struct client_hop *hop, uv_stream_t *st, const char *peer);

/*
 * The host key algorithms to offer: when the user did not set
 * HostKeyAlgorithms and the hop's known_hosts have keys for it, the default
 * list with the known key types first (as ssh orders it); otherwise out is
 * left empty, meaning "the configured or default list".
 */
int client_hostkey_algs(struct client_hop *hop, char *out, size_t out_len);

/* client_shell.c: adit's session on stdin, stdout and stderr; adit
 * exits with its status when it closes. */
int client_shell_start(struct client *c, struct io_conn *ic);
/* Wait for the pumps of stdio files to finish writing (at the end). */
void client_shell_join(struct client *c);

/* client_localcmd.c: run cmd through $SHELL -c with our stdio; then
 * (may be NULL) is called once it has exited. ERR_IO (said) when it
 * could not start: nothing is called back. */
int client_local_run(struct client *c, const char *cmd,
                     void (*then)(struct client *c));
/* client_term.c: ~C's !command, the terminal cooked while it runs. */
void client_local_command(struct client *c, const char *cmd);

/* client_rtfwd.c: forwards added and cancelled while connected (~C;
 * a ControlMaster's forward requests can use the same). Each says what
 * became of it in ssh's words; 0 or ERR_*. spec is copied. */
int client_rtfwd_add(struct client *c, enum fwdspec_kind kind,
                     const struct fwdspec *spec);
int client_rtfwd_cancel(struct client *c, enum fwdspec_kind kind,
                        const struct fwdspec *spec);
/* A forwarded channel for a -R added at runtime: answered (true). */
bool client_rtfwd_open(struct client *c, struct io_conn *ic, uint32_t id,
                       const struct chan_open_info *info);
/* The connection is gone: its runtime -R go with it. */
void client_rtfwd_drop(struct client *c);
/* The end: bind names still being resolved are given up. */
void client_rtfwd_stop(struct client_sup *sup);
/* At the very end: the runtime specs. */
void client_rtfwd_free(struct client_sup *sup);

/* client_term.c: the session's local terminal, with a pty: raw mode
 * (restored on every way out), SIGWINCH, the escape characters. */
struct client_sess_cfg;
/* Raw mode (when stdin is a terminal), the modes and size for pty-req
 * in sc, the escape filter as sc's input. ERR_NOMEM. */
int client_term_start(struct client *c, struct client_sess_cfg *sc);
/* The session runs: SIGWINCH sends window-change. */
void client_term_watch(struct client *c);
/* Modes back as they were, handles closed (idempotent); the farewell
 * is due. */
void client_term_stop(struct client *c);
/* "Connection to HOST closed." once the session on a pty is over and
 * adit is down, as ssh says it after its loop (once). */
void client_term_farewell(struct client *c);

/* client_stdio.c */
/* A stream for one of our standard descriptors (a terminal, pipe or
 * socket), malloc'd; a uv error (said) for anything else. */
int client_stdio_stream(uv_loop_t *loop, int fd, uv_stream_t **out);
/* As client_stdio_stream for c's standard descriptor fd (0, 1 or 2), and a
 * regular file or /dev/null too, through a pump in c->pumps[fd] (joined by
 * client_shell_join). ERR_IO, ERR_NOMEM. */
int client_stdio_any(struct client *c, int fd, uv_stream_t **out);

/* client_fdflags_keep, client_fdflags_restore: see struct client_fdflags. */
void client_fdflags_keep(struct client_fdflags *k, int fd);
void client_fdflags_restore(struct client_fdflags *k);
/* -W: join stdin/stdout to a channel of ic; exit when it closes. */
int client_stdio_start(struct client *c, struct io_conn *ic);
/* "channel N: open failed: ...", "stdio forwarding failed"; exit 255. */
void client_say_stdio_failed(struct client *c, struct io_chan *ch,
                             uint32_t reason, const char *msg);
/* ProxyCommand with %h %p %r %n %% (hop's host, port and user, orig its
 * name as written) expanded into a malloc'd string, or NULL (printed) for
 * an unknown token. */
char *client_proxy_expand(const struct client_hop *hop, const char *orig,
                          const char *cmd);

#endif
