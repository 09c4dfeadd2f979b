/* SPDX-License-Identifier: ISC */
/* The ssh_config(5) keyword table and the scalar value readers. */
#include "config/client_config_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "config/jumpspec.h"
#include "util/err.h"
#include "util/mem.h"

#define COPT(n, k, f)                                                          \
    {                                                                          \
        n, k, offsetof(struct client_config, f)                                \
    }
#define COPT_NOFIELD(n, k)                                                     \
    {                                                                          \
        n, k, 0                                                                \
    }
#define COPT_IGN(n) COPT_NOFIELD(n, COPT_IGNORED)

/* Keep sorted by name within each group; add rows freely. */
static const struct copt copts[] = {
    /* Implemented. */
    COPT("AddressFamily", COPT_AF, address_family),
    COPT("BatchMode", COPT_BOOL, batch_mode),
    COPT("BindAddress", COPT_STR, bind_address),
    COPT("BindInterface", COPT_STR, bind_interface),
    /* The old name of KbdInteractiveAuthentication, as ssh still takes. */
    COPT("ChallengeResponseAuthentication", COPT_BOOL, kbd_interactive_auth),
    COPT_NOFIELD("CertificateFile", COPT_CERTIFICATE),
    COPT("Ciphers", COPT_STR, ciphers),
    COPT("ClearAllForwardings", COPT_BOOL, clear_all_forwardings),
    COPT("Compression", COPT_BOOL, compression),
    COPT("ConnectionAttempts", COPT_INT, connection_attempts),
    COPT("ConnectTimeout", COPT_TIMEOUT, connect_timeout),
    COPT("ControlMaster", COPT_CTLMASTER, control_master),
    COPT("ControlPath", COPT_STR, control_path),
    COPT_NOFIELD("ControlPersist", COPT_PERSIST),
    COPT_NOFIELD("DynamicForward", COPT_DYNAMICFWD),
    COPT("EnableEscapeCommandline", COPT_BOOL, escape_cmdline),
    COPT("EscapeChar", COPT_ESCAPE, escape_char),
    COPT("ExitOnForwardFailure", COPT_BOOL, exit_on_forward_failure),
    COPT("ForkAfterAuthentication", COPT_BOOL, fork_after_auth),
    COPT_NOFIELD("ForwardAgent", COPT_FWDAGENT),
    COPT("ForwardX11", COPT_BOOL, forward_x11),
    COPT("ForwardX11Timeout", COPT_TIME, forward_x11_timeout),
    COPT("ForwardX11Trusted", COPT_BOOL, forward_x11_trusted),
    COPT("GatewayPorts", COPT_BOOL, gateway_ports),
    COPT("GlobalKnownHostsFile", COPT_LINE, global_known_hosts),
    COPT("HashKnownHosts", COPT_BOOL, hash_known_hosts),
    COPT("HostKeyAlgorithms", COPT_STR, hostkey_algs),
    COPT("HostKeyAlias", COPT_STR, host_key_alias),
    COPT("HostName", COPT_STR, hostname),
    COPT("IdentitiesOnly", COPT_BOOL, identities_only),
    COPT("IdentityAgent", COPT_STR, identity_agent),
    COPT_NOFIELD("IdentityFile", COPT_IDENTITY),
    COPT("IgnoreUnknown", COPT_STR, ignore_unknown),
    COPT("KbdInteractiveAuthentication", COPT_BOOL, kbd_interactive_auth),
    COPT("KexAlgorithms", COPT_STR, kex_algs),
    COPT("LocalCommand", COPT_LINE, local_command),
    COPT_NOFIELD("LocalForward", COPT_LOCALFWD),
    COPT("LogLevel", COPT_LOGLEVEL, log_level),
    COPT("MACs", COPT_STR, macs),
    COPT("NumberOfPasswordPrompts", COPT_INT, password_prompts),
    COPT("PasswordAuthentication", COPT_BOOL, password_auth),
    COPT("PermitLocalCommand", COPT_BOOL, permit_local_command),
    COPT("PermitRemoteOpen", COPT_LINE, permit_remote_open),
    COPT("Port", COPT_PORT, port),
    COPT("PreferredAuthentications", COPT_STR, preferred_auths),
    COPT("ProxyCommand", COPT_PROXY, proxy_command),
    COPT("ProxyJump", COPT_PROXY, proxy_jump),
    COPT("ProxyUseFdpass", COPT_BOOL, proxy_use_fdpass),
    COPT("PubkeyAcceptedAlgorithms", COPT_STR, pubkey_accepted_algs),
    COPT("PubkeyAcceptedKeyTypes", COPT_STR, pubkey_accepted_algs),
    COPT("RekeyLimit", COPT_REKEY, rekey_bytes),
    COPT("RemoteCommand", COPT_LINE, remote_command),
    COPT_NOFIELD("RemoteForward", COPT_REMOTEFWD),
    COPT("RequestTTY", COPT_TTY, request_tty),
    COPT_NOFIELD("SendEnv", COPT_SENDENV),
    COPT("ServerAliveCountMax", COPT_INT, server_alive_count_max),
    COPT("ServerAliveInterval", COPT_TIME, server_alive_interval),
    COPT("SessionType", COPT_SESSION, session_type),
    COPT_NOFIELD("SetEnv", COPT_SETENV),
    COPT("StdinNull", COPT_BOOL, stdin_null),
    COPT("StreamLocalBindUnlink", COPT_BOOL, stream_local_bind_unlink),
    COPT("StrictHostKeyChecking", COPT_STRICT, strict_hostkey),
    COPT("TCPKeepAlive", COPT_BOOL, tcp_keep_alive),
    COPT("User", COPT_STR, user),
    COPT("UserKnownHostsFile", COPT_LINE, user_known_hosts),
    COPT("XAuthLocation", COPT_STR, xauth_location),
    /* adit's own (not ssh's): keeping tunnels up. */
    COPT("Destinations", COPT_LINE, destinations),
    COPT("MetricsListen", COPT_STR, metrics_listen),
    COPT("Reconnect", COPT_BOOL, reconnect),
    COPT_NOFIELD("ReconnectBackoff", COPT_BACKOFF),
    COPT("StatusSocket", COPT_STR, status_socket),
    /* Known to ssh, not implemented by adit: warned about, then ignored. */
    COPT_IGN("AddKeysToAgent"),
    COPT_IGN("CanonicalDomains"),
    COPT_IGN("CanonicalizeFallbackLocal"),
    COPT_IGN("CanonicalizeHostname"),
    COPT_IGN("CanonicalizeMaxDots"),
    COPT_IGN("CanonicalizePermittedCNAMEs"),
    COPT_IGN("CASignatureAlgorithms"),
    COPT_IGN("CheckHostIP"),
    COPT_IGN("EnableSSHKeysign"),
    COPT_IGN("FingerprintHash"),
    COPT_IGN("GSSAPIAuthentication"),
    COPT_IGN("GSSAPIClientIdentity"),
    COPT_IGN("GSSAPIDelegateCredentials"),
    COPT_IGN("GSSAPIKexAlgorithms"),
    COPT_IGN("GSSAPIKeyExchange"),
    COPT_IGN("GSSAPIRenewalForcesRekey"),
    COPT_IGN("GSSAPIServerIdentity"),
    COPT_IGN("GSSAPITrustDns"),
    COPT_IGN("HostbasedAcceptedAlgorithms"),
    COPT_IGN("HostbasedAuthentication"),
    COPT_IGN("HostbasedKeyTypes"),
    COPT_IGN("IPQoS"),
    COPT_IGN("KbdInteractiveDevices"),
    COPT_IGN("KnownHostsCommand"),
    COPT_IGN("LogVerbose"),
    COPT_IGN("NoHostAuthenticationForLocalhost"),
    COPT_IGN("PKCS11Provider"),
    COPT_IGN("PubkeyAuthentication"),
    COPT_IGN("RequiredRSASize"),
    COPT_IGN("RevokedHostKeys"),
    COPT_IGN("SecurityKeyProvider"),
    COPT_IGN("SmartcardDevice"),
    COPT_IGN("StreamLocalBindMask"),
    COPT_IGN("SyslogFacility"),
    COPT_IGN("Tunnel"),
    COPT_IGN("TunnelDevice"),
    COPT_IGN("UpdateHostKeys"),
    COPT_IGN("UseKeychain"),
    COPT_IGN("VerifyHostKeyDNS"),
    COPT_IGN("VisualHostKey"),
    /* Deprecated or removed in ssh: ignored there too. */
    COPT_IGN("Cipher"),
    COPT_IGN("CompressionLevel"),
    COPT_IGN("Protocol"),
    COPT_IGN("RhostsRSAAuthentication"),
    COPT_IGN("RSAAuthentication"),
    COPT_IGN("UsePrivilegedPort"),
    COPT_IGN("UseRoaming"),
};

const struct copt *
client_config_table_find(const char *keyword)
{
    size_t i;

    for (i = 0; i < sizeof(copts) / sizeof(copts[0]); i++) {
        if (strcasecmp(keyword, copts[i].name) == 0) {
            return &copts[i];
        }
    }
    return NULL;
}

int
client_config_table_is_word(const struct copt *o)
{
    switch (o->kind) {
    case COPT_LINE:
    case COPT_PROXY:
    case COPT_REKEY:
    case COPT_SENDENV:
    case COPT_SETENV:
    case COPT_LOCALFWD:
    case COPT_REMOTEFWD:
    case COPT_IGNORED:
        return 0;
    default:
        return 1;
    }
}

void
client_config_table_unset(struct client_config *c)
{
    size_t i;

    for (i = 0; i < sizeof(copts) / sizeof(copts[0]); i++) {
        switch (copts[i].kind) {
        case COPT_PORT:
        case COPT_BOOL:
        case COPT_STRICT:
        case COPT_TIMEOUT:
        case COPT_TIME:
        case COPT_INT:
        case COPT_LOGLEVEL:
        case COPT_AF:
        case COPT_SESSION:
        case COPT_TTY:
        case COPT_ESCAPE:
        case COPT_CTLMASTER:
            *(int *)(void *)((char *)c + copts[i].off) = -1;
            break;
        default:
            break;
        }
    }
    c->rekey_bytes = -1;
    c->rekey_seconds = -1;
    c->reconnect_backoff_min = -1;
    c->reconnect_backoff_max = -1;
    c->control_persist = -1;
    c->control_persist_timeout = 0;
    c->forward_agent = -1;
}

void
client_config_table_free_strings(struct client_config *c)
{
    char **sp;
    size_t i;

    for (i = 0; i < sizeof(copts) / sizeof(copts[0]); i++) {
        if (copts[i].kind == COPT_STR || copts[i].kind == COPT_LINE ||
            copts[i].kind == COPT_PROXY) {
            sp = (char **)(void *)((char *)c + copts[i].off);
            free(*sp);
            *sp = NULL;
        }
    }
}

static int
copt_strict(const char *v, int *out)
{
    int b;

    if (strcasecmp(v, "accept-new") == 0) {
        *out = STRICT_HOSTKEY_ACCEPT_NEW;
    } else if (strcasecmp(v, "ask") == 0) {
        *out = STRICT_HOSTKEY_ASK;
    } else if (strcasecmp(v, "off") == 0) {
        *out = STRICT_HOSTKEY_NO;
    } else if (cfgline_bool(v, &b) == 0) {
        *out = b ? STRICT_HOSTKEY_YES : STRICT_HOSTKEY_NO;
    } else {
        return ERR_FORMAT;
    }
    return 0;
}

/* A word from a fixed list of names, case-insensitive: its index. */
static int
copt_choice(const char *v, const char *const *names, size_t n, int *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcasecmp(v, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return ERR_FORMAT;
}

#define COPT_CHOICE(v, names, out)                                             \
    copt_choice(v, names, sizeof(names) / sizeof(names[0]), out)

int
client_config_escape_char(const char *v, int *out)
{
    const unsigned char *u = (const unsigned char *)v;

    if (strcmp(v, "none") == 0) {
        *out = CLIENT_ESCAPE_NONE;
    } else if (u[0] != '\0' && u[1] == '\0') {
        *out = u[0];
    } else if (u[0] == '^' && u[1] >= 64 && u[1] < 128 && u[2] == '\0') {
        *out = u[1] & 31;
    } else {
        return ERR_FORMAT;
    }
    return 0;
}

static int
copt_int_value(const struct copt *o, const char *v, int *out)
{
    static const char *const af[] = {"any", "inet", "inet6"};
    static const char *const session[] = {"default", "none", "subsystem"};
    static const char *const tty[] = {"auto", "no", "yes", "force"};
    /* In enum client_ctlmaster's order. */
    static const char *const master[] = {"no", "yes", "ask", "auto", "autoask"};
    int b;

    switch (o->kind) {
    case COPT_PORT:
        return cfgline_int(v, 1, 65535, out);
    case COPT_BOOL:
        return cfgline_bool(v, out);
    case COPT_STRICT:
        return copt_strict(v, out);
    case COPT_TIMEOUT:
        *out = 0;
        return strcasecmp(v, "none") == 0 ? 0 : cfgline_time(v, out);
    case COPT_TIME:
        return cfgline_time(v, out);
    case COPT_INT:
        return cfgline_int(v, 0, 1000000, out);
    case COPT_LOGLEVEL:
        return cfgline_loglevel(v, out);
    case COPT_AF:
        return COPT_CHOICE(v, af, out);
    case COPT_SESSION:
        return COPT_CHOICE(v, session, out);
    case COPT_TTY:
        /* RequestTTY also takes yes/no spelled as booleans. */
        if (cfgline_bool(v, &b) == 0) {
            *out = b ? CLIENT_TTY_YES : CLIENT_TTY_NO;
            return 0;
        }
        return COPT_CHOICE(v, tty, out);
    case COPT_ESCAPE:
        return client_config_escape_char(v, out);
    case COPT_CTLMASTER:
        if (cfgline_bool(v, &b) == 0) {
            *out = b ? CLIENT_MASTER_YES : CLIENT_MASTER_NO;
            return 0;
        }
        return COPT_CHOICE(v, master, out);
    default:
        return ERR_INTERNAL;
    }
}

/* ProxyCommand and ProxyJump exclude each other: the first one wins. A
 * ProxyJump list is checked here, so a bad one is reported where it was
 * written (as ssh's "Invalid ProxyJump"). */
static int
copt_proxy(struct client_config *c, const struct copt *o, const char *v)
{
    char **sp = (char **)(void *)((char *)c + o->off);
    struct jumpspec j;
    int r;

    if (c->proxy_command != NULL || c->proxy_jump != NULL) {
        return 0;
    }
    if (sp == &c->proxy_jump) {
        if ((r = jumpspec_parse(v, &j)) != 0) {
            return r;
        }
        jumpspec_cleanup(&j);
    }
    return (*sp = str_ndup(v, strlen(v))) == NULL ? ERR_NOMEM : 0;
}

int
client_config_table_scalar(struct client_config *c, const struct copt *o,
                           const char *v)
{
    void *field = (char *)c + o->off;
    char **sp = field;
    int *ip = field, tmp = 0, r;

    if (o->kind == COPT_PROXY) {
        return copt_proxy(c, o, v);
    }
    if (o->kind == COPT_STR || o->kind == COPT_LINE) {
        if (strlen(v) > LIM_LINE) {
            return ERR_FORMAT;
        }
        if (*sp == NULL && (*sp = str_ndup(v, strlen(v))) == NULL) {
            return ERR_NOMEM;
        }
        return 0;
    }
    if ((r = copt_int_value(o, v, &tmp)) == 0 && *ip == -1) {
        *ip = tmp;
    }
    return r;
}

void
client_config_table_why(const struct copt *o, const char *v, char *why,
                        size_t why_len)
{
    switch (o->kind) {
    case COPT_PORT:
        snprintf(why, why_len, "Bad port '%s'.", v);
        break;
    case COPT_TIMEOUT:
    case COPT_TIME:
        snprintf(why, why_len, "invalid time value.");
        break;
    case COPT_INT:
        snprintf(why, why_len, "integer value invalid.");
        break;
    case COPT_LOGLEVEL:
        snprintf(why, why_len, "unsupported log level '%s'", v);
        break;
    case COPT_REKEY:
        snprintf(why, why_len, "Bad number '%s': Invalid argument", v);
        break;
    case COPT_BACKOFF:
        snprintf(why, why_len, "invalid ReconnectBackoff \"%s\".", v);
        break;
    case COPT_PERSIST:
        snprintf(why, why_len, "Bad ControlPersist argument.");
        break;
    case COPT_SETENV:
        snprintf(why, why_len, "Invalid SetEnv.");
        break;
    case COPT_ESCAPE:
        snprintf(why, why_len, "Bad escape character.");
        break;
    case COPT_FWDAGENT:
        snprintf(why, why_len, "Invalid environment name %s.", v);
        break;
    case COPT_LOCALFWD:
    case COPT_REMOTEFWD:
    case COPT_DYNAMICFWD:
        snprintf(why, why_len, "Bad forwarding specification.");
        break;
    case COPT_BOOL:
    case COPT_STRICT:
    case COPT_AF:
    case COPT_SESSION:
    case COPT_TTY:
    case COPT_CTLMASTER:
        snprintf(why, why_len, "unsupported option \"%s\".", v);
        break;
    default:
        snprintf(why, why_len, "Bad %s argument '%s'.", o->name, v);
        break;
    }
}
