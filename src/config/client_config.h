/* SPDX-License-Identifier: ISC */
/*
 * The client's options: ssh_config(5) keywords, from -o "Key=Value",
 * command-line flags and configuration files (ssh_config.h). Keywords are
 * case-insensitive and the first value obtained wins, as in ssh, except
 * for the list keywords which accumulate (IdentityFile, CertificateFile,
 * LocalForward, RemoteForward, DynamicForward, SendEnv). Immutable once
 * main() has finished building it.
 */
#ifndef ADIT_CONFIG_CLIENT_CONFIG_H
#define ADIT_CONFIG_CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/fwdspec.h"

enum strict_hostkey {
    STRICT_HOSTKEY_UNSET = -1,
    STRICT_HOSTKEY_YES = 0,
    STRICT_HOSTKEY_ACCEPT_NEW,
    STRICT_HOSTKEY_NO,
    STRICT_HOSTKEY_ASK,
};

/* AddressFamily (-4, -6). */
enum client_af {
    CLIENT_AF_ANY = 0,
    CLIENT_AF_INET,
    CLIENT_AF_INET6,
};

/* SessionType: -N is "none". */
enum client_session {
    CLIENT_SESSION_DEFAULT = 0,
    CLIENT_SESSION_NONE,
    CLIENT_SESSION_SUBSYSTEM,
};

/* RequestTTY: -T is "no". */
enum client_tty {
    CLIENT_TTY_AUTO = 0,
    CLIENT_TTY_NO,
    CLIENT_TTY_YES,
    CLIENT_TTY_FORCE,
};

/* ControlMaster (-M: yes, -M -M: ask). */
enum client_ctlmaster {
    CLIENT_MASTER_NO = 0,
    CLIENT_MASTER_YES,
    CLIENT_MASTER_ASK,
    CLIENT_MASTER_AUTO,
    CLIENT_MASTER_AUTOASK,
};

/*
 * Integers are -1 while unset; strings NULL; lists empty. Booleans are
 * ints holding -1, 0 or 1. client_config_defaults() fills what is unset.
 */
struct client_config {
    /* Where to connect. */
    char *host_alias; /* the name given on the command line */
    char *hostname;   /* HostName, tokens expanded */
    int port;
    char *user;
    char *proxy_jump;     /* ProxyJump: "none" or [user@]host[:port],... */
    char *proxy_command;  /* ProxyCommand, tokens expanded when used */
    int proxy_use_fdpass; /* bool: the command passes back a connected fd */
    int connect_timeout;  /* seconds, 0 none */
    int connection_attempts;
    int address_family; /* enum client_af */
    char *bind_address;
    char *bind_interface;
    int server_alive_interval; /* seconds, 0 off */
    int server_alive_count_max;
    int tcp_keep_alive; /* bool */
    int compression;    /* bool */
    /* Who we are. */
    char **identity_files; /* as written: ~ and tokens expanded on use */
    size_t n_identity_files;
    char **certificate_files;
    size_t n_certificate_files;
    int identities_only; /* bool */
    char *identity_agent;
    int batch_mode; /* bool */
    /* Prompting methods (ssh's defaults: yes, yes, 3); PreferredAuthentications
     * as written, NULL for ssh's order. */
    int password_auth;        /* bool */
    int kbd_interactive_auth; /* bool */
    int password_prompts;     /* NumberOfPasswordPrompts */
    char *preferred_auths;
    /* Whom we trust. */
    int strict_hostkey; /* enum strict_hostkey */
    char *user_known_hosts;
    char *global_known_hosts;
    char *host_key_alias;
    int hash_known_hosts; /* bool */
    /* Algorithms (ssh's list syntax: +, -, ^ prefixes are kept). */
    char *ciphers;
    char *kex_algs;
    char *macs;
    char *hostkey_algs;
    char *pubkey_accepted_algs;
    int64_t rekey_bytes; /* RekeyLimit: -1 unset, 0 default */
    int rekey_seconds;   /* RekeyLimit: -1 unset, 0 none */
    /* Forwards. */
    struct fwdspec *local_fwds;
    size_t n_local_fwds;
    struct fwdspec *remote_fwds;
    size_t n_remote_fwds;
    struct fwdspec *dynamic_fwds;
    size_t n_dynamic_fwds;
    int gateway_ports;            /* bool */
    int exit_on_forward_failure;  /* bool */
    int clear_all_forwardings;    /* bool */
    char *permit_remote_open;     /* "any", "none" or host:port list */
    int stream_local_bind_unlink; /* bool */
    /* Forwarding on the session: ForwardAgent yes/no, or a socket path
     * (which sets the flag if unset; -G prints the path), X11. */
    int forward_agent;        /* bool, -A -a */
    char *forward_agent_path; /* a path or "$NAME", ~ and tokens expanded */
    int forward_x11;          /* bool, -X -x -Y */
    int forward_x11_trusted;  /* bool, -Y */
    int forward_x11_timeout;  /* seconds, 0 none */
    char *xauth_location;
    /* Session. */
    char **set_env; /* NAME=VALUE */
    size_t n_set_env;
    char **send_env; /* patterns */
    size_t n_send_env;
    int session_type;    /* enum client_session */
    int request_tty;     /* enum client_tty */
    int stdin_null;      /* bool, -n */
    int fork_after_auth; /* bool, -f */
    char *stdio_forward; /* -W host:port or -W /path, as given */
    /* Multiplexing (adit(1) MULTIPLEXING). */
    int control_master;          /* enum client_ctlmaster */
    char *control_path;          /* tokens expanded; "none" means none */
    int control_persist;         /* bool */
    int control_persist_timeout; /* seconds after the last client; 0 never */
    char *remote_command; /* RemoteCommand, tokens expanded; NULL: none */
    int escape_char;      /* -1 unset (~), CLIENT_ESCAPE_NONE, or a byte */
    int escape_cmdline;   /* bool, EnableEscapeCommandline (~C) */
    char *local_command;
    int permit_local_command; /* bool */
    int log_level;            /* enum log_level */
    char *ignore_unknown;     /* IgnoreUnknown patterns */
    /* adit's own: keeping tunnels up (adit(1), RECONNECTING). */
    int reconnect;             /* bool, -r */
    int reconnect_backoff_min; /* seconds, -1 unset */
    int reconnect_backoff_max; /* seconds, -1 unset */
    char *destinations;        /* Destinations: more hosts, space-separated */
    char *status_socket;       /* StatusSocket: the control socket's path */
    char *metrics_listen;      /* MetricsListen: loopback ADDR:PORT */
};

/* EscapeChar none (ssh's SSH_ESCAPECHAR_NONE), and the default. */
#define CLIENT_ESCAPE_NONE (-2)
#define CLIENT_ESCAPE_DEFAULT '~'

/* -e and EscapeChar: "none", one character, or "^X" (a control
 * character). ERR_FORMAT for anything else. */
int client_config_escape_char(const char *v, int *out);

/* What Reconnect mode uses when the options are unset. */
#define CLIENT_BACKOFF_MIN_DEFAULT 1
#define CLIENT_BACKOFF_MAX_DEFAULT 60
#define CLIENT_RECONNECT_ALIVE_INTERVAL 5
#define CLIENT_RECONNECT_ALIVE_COUNT 3
/* ssh's defaults: _PATH_XAUTH, ForwardX11Timeout 20 minutes. */
#define CLIENT_XAUTH_DEFAULT "/usr/bin/xauth"
#define CLIENT_X11_TIMEOUT_DEFAULT 1200

/* ServerAliveInterval and CountMax in effect: in Reconnect mode the
 * defaults are 5 and 3, so a dead server is noticed within seconds. */
int client_config_alive_interval(const struct client_config *c);
int client_config_alive_count(const struct client_config *c);

void client_config_init(struct client_config *c);
void client_config_cleanup(struct client_config *c);

/*
 * Apply one option line, "Keyword=Value", "Keyword Value" or
 * "Keyword = Value". ERR_CONFIG with a message in why (ssh's wording, e.g.
 * "Bad configuration option: foo") for an unknown keyword or a bad value.
 */
int client_config_apply(struct client_config *c, const char *line, char *why,
                        size_t why_len);

/*
 * Set keyword to value: the same rules as a config line. ERR_CONFIG with
 * why filled for a bad value; ERR_NOTFOUND (why: "Bad configuration
 * option: X") for a keyword ssh does not know; ERR_NOMEM.
 * A keyword ssh knows that adit does not implement is accepted and
 * ignored: *is_ignored (may be NULL) tells the caller, so it can warn.
 */
int client_config_set2(struct client_config *c, const char *keyword,
                       const char *value, bool *is_ignored, char *why,
                       size_t why_len);

/* client_config_set2 without the ignored flag (flags -p, -l, -i, -L...);
 * an unknown keyword is ERR_CONFIG here. */
int client_config_set(struct client_config *c, const char *keyword,
                      const char *value, char *why, size_t why_len);

/* ControlPath in effect: NULL when unset or "none". */
const char *client_config_control_path(const struct client_config *c);

/* Whether keyword (any case) names an ssh_config option ssh knows. */
bool client_config_is_keyword(const char *keyword);

/* Add a forward of the given kind (-L, -R, -D): ERR_FORMAT for a bad
 * specification, ERR_LIMIT past the bound, ERR_NOMEM. */
int client_config_add_fwd(struct client_config *c, enum fwdspec_kind kind,
                          const char *v);

/* Append a copy of s to the list *v of *n strings (bounded: ERR_LIMIT). */
int client_config_list_add(char ***v, size_t *n, const char *s);

/* What the local side is, for defaults and %-tokens. */
struct client_env {
    const char *host_arg;   /* the host as given (lowercased), %n */
    const char *local_user; /* %u */
    const char *home;       /* %d and ~ */
    const char *glob_home;  /* ~ in Include (glob(3)'s: $HOME first) */
    const char *uid;        /* %i */
    const char *local_host; /* %l (gethostname) */
};

/*
 * Once every source is read, as ssh before -G: User, HostName (%h) and
 * Port get their defaults, ClearAllForwardings (or -W) empties the
 * forwards, and ControlPath, IdentityAgent, UserKnownHostsFile and the
 * forwards' socket paths have ~, tokens and ${VAR} expanded.
 * ERR_CONFIG with ssh's message in why for a bad token.
 */
int client_config_finish(struct client_config *c, const struct client_env *e,
                         char *why, size_t why_len);

/*
 * The name to connect to, as ssh makes it: HostName with %h expanded (or
 * the host as given), lowercased unless it is an address literal.
 * malloc'd into *out; ERR_CONFIG with why for a bad token.
 */
int client_config_hostname(const char *hostname, const char *host_arg,
                           char **out, char *why, size_t why_len);

/*
 * After -G: ~ and tokens in IdentityFile and CertificateFile, and the
 * tokens of LocalCommand, as ssh expands them when it uses them.
 */
int client_config_expand_files(struct client_config *c,
                               const struct client_env *e, char *why,
                               size_t why_len);

/* The -G output: ssh -G's lines (lowercase keyword, ssh's spellings) for
 * the keywords adit implements, defaults included, in ssh's order. */
struct buf;
int client_config_dump(const struct client_config *c,
                       const struct client_env *e, struct buf *out);

#endif
