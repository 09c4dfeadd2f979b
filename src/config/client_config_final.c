/* SPDX-License-Identifier: ISC */
/* The client's options once read: defaults and %-token expansion. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/client_config.h"
#include "config/ssh_tokens.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"

/* The token values of this connection (strings borrowed from c and e). */
static void
final_tokens(const struct client_config *c, const struct client_env *e,
             struct ssh_tokens *t, char port[8], char short_host[256],
             char hash[41])
{
    memset(t, 0, sizeof(*t));
    snprintf(port, 8, "%d", c->port);
    snprintf(short_host, 256, "%.*s", (int)strcspn(e->local_host, "."),
             e->local_host);
    if (ssh_tokens_conn_hash(e->local_host, c->hostname, port, c->user, hash) !=
        0) {
        hash[0] = '\0';
    }
    t->conn_hash = hash;
    t->home = e->home;
    t->host = c->hostname;
    t->uid = e->uid;
    t->host_key_alias = c->host_key_alias;
    t->local_host = e->local_host;
    t->local_short = short_host;
    t->original_host = e->host_arg;
    t->port = port;
    t->remote_user = c->user;
    t->local_user = e->local_user;
}

/* ~ then tokens, word by word for the known_hosts lists. */
static int
final_path(char **field, const struct ssh_tokens *t, const char *allowed,
           bool by_word, char *why, size_t why_len)
{
    char *tilde = NULL, *exp = NULL, *w;
    struct buf b;
    size_t n;
    int r = 0;

    if (*field == NULL) {
        return 0;
    }
    buf_init(&b);
    buf_set_nowipe(&b);
    for (w = *field; *w != '\0' && r == 0;) {
        n = by_word ? strcspn(w, " ") : strlen(w);
        if ((tilde = str_ndup(w, n)) == NULL) {
            r = ERR_NOMEM;
            break;
        }
        if ((r = ssh_tokens_tilde(tilde, t->home, &exp, why, why_len)) == 0) {
            free(tilde);
            r = ssh_tokens_expand(exp, t, allowed, &tilde, why, why_len);
            free(exp);
        }
        if (r == 0 && ((buf_len(&b) > 0 && (r = buf_put_u8(&b, ' ')) != 0) ||
                       (r = buf_put(&b, tilde, strlen(tilde))) != 0)) {
            break;
        }
        free(tilde);
        tilde = NULL;
        w += n;
        w += strspn(w, " ");
    }
    free(tilde);
    if (r == 0 &&
        (exp = str_ndup((const char *)buf_ptr(&b), buf_len(&b))) == NULL) {
        r = ERR_NOMEM;
    }
    buf_cleanup(&b);
    if (r == 0) {
        free(*field);
        *field = exp;
    }
    return r == ERR_FORMAT || r == ERR_NOTFOUND ? ERR_CONFIG : r;
}

static int
final_str_default(char **field, const char *v)
{
    if (*field == NULL && (*field = str_ndup(v, strlen(v))) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
client_config_hostname(const char *hostname, const char *host_arg, char **out,
                       char *why, size_t why_len)
{
    struct ssh_tokens t;
    uint8_t a[16];
    char *p;
    int r;

    memset(&t, 0, sizeof(t));
    t.host = host_arg;
    if ((r = ssh_tokens_expand(hostname != NULL ? hostname : host_arg, &t,
                               SSH_TOKENS_HOSTNAME, out, why, why_len)) != 0) {
        return r == ERR_FORMAT ? ERR_CONFIG : r;
    }
    if (inet_pton(AF_INET, *out, a) == 1 || inet_pton(AF_INET6, *out, a) == 1) {
        return 0;
    }
    for (p = *out; *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return 0;
}

static void
final_clear_forwards(struct client_config *c)
{
    size_t i;

    for (i = 0; i < c->n_local_fwds; i++) {
        fwdspec_cleanup(&c->local_fwds[i]);
    }
    for (i = 0; i < c->n_remote_fwds; i++) {
        fwdspec_cleanup(&c->remote_fwds[i]);
    }
    for (i = 0; i < c->n_dynamic_fwds; i++) {
        fwdspec_cleanup(&c->dynamic_fwds[i]);
    }
    c->n_local_fwds = c->n_remote_fwds = c->n_dynamic_fwds = 0;
}

/* Unix socket paths of forwards take ~ and tokens, as ssh. */
static int
final_fwd_paths(struct fwdspec *f, size_t n, const struct ssh_tokens *tokens,
                char *why, size_t why_len)
{
    struct ssh_tokens tk = *tokens, *t = &tk;
    size_t i;
    int r = 0;

    tk.is_env_allowed = false; /* ${VAR} went when the line was read */
    for (i = 0; i < n && r == 0; i++) {
        if ((r = final_path(&f[i].listen_path, t, SSH_TOKENS_FILES, false, why,
                            why_len)) == 0) {
            r = final_path(&f[i].connect_path, t, SSH_TOKENS_FILES, false, why,
                           why_len);
        }
    }
    return r;
}

/* A command's tokens and ${VAR}: no ~, the shell sees to that. */
static int
final_command(char **field, const struct ssh_tokens *t, const char *allowed,
              char *why, size_t why_len)
{
    char *exp = NULL;
    int r;

    if ((r = ssh_tokens_expand(*field, t, allowed, &exp, why, why_len)) != 0) {
        return r == ERR_FORMAT ? ERR_CONFIG : r;
    }
    free(*field);
    *field = exp;
    return 0;
}

/* RemoteCommand: "none" is none; tokens and ${VAR} expanded, as ssh
 * does before -G. */
static int
final_remote_command(struct client_config *c, const struct ssh_tokens *t,
                     char *why, size_t why_len)
{
    if (c->remote_command == NULL) {
        return 0;
    }
    if (strcmp(c->remote_command, "none") == 0) {
        free(c->remote_command);
        c->remote_command = NULL;
        return 0;
    }
    return final_command(&c->remote_command, t, SSH_TOKENS_FILES, why, why_len);
}

int
client_config_finish(struct client_config *c, const struct client_env *e,
                     char *why, size_t why_len)
{
    char port[8], short_host[256], hash[41], *h = NULL;
    struct ssh_tokens t;
    int r;

    if (c->port == -1) {
        c->port = 22;
    }
    if ((r = final_str_default(&c->user, e->local_user)) != 0) {
        return r;
    }
    if ((r = client_config_hostname(c->hostname, e->host_arg, &h, why,
                                    why_len)) != 0) {
        return r;
    }
    free(c->hostname);
    c->hostname = h;
    /* -W forwards stdio and nothing else, as ssh. */
    if (c->stdio_forward != NULL) {
        c->clear_all_forwardings = 1;
    }
    if (c->clear_all_forwardings == 1) {
        final_clear_forwards(c);
    }
    final_tokens(c, e, &t, port, short_host, hash);
    /* GlobalKnownHostsFile is left as written, as ssh 9.2 leaves it. */
    t.is_env_allowed = true;
    if ((r = final_path(&c->control_path, &t, SSH_TOKENS_FILES, false, why,
                        why_len)) != 0 ||
        (r = final_path(&c->status_socket, &t, SSH_TOKENS_FILES, false, why,
                        why_len)) != 0 ||
        (r = final_path(&c->identity_agent, &t, SSH_TOKENS_FILES, false, why,
                        why_len)) != 0 ||
        (r = final_path(&c->forward_agent_path, &t, SSH_TOKENS_FILES, false,
                        why, why_len)) != 0 ||
        (r = final_path(&c->user_known_hosts, &t, SSH_TOKENS_FILES, true, why,
                        why_len)) != 0 ||
        (r = final_fwd_paths(c->local_fwds, c->n_local_fwds, &t, why,
                             why_len)) != 0 ||
        (r = final_remote_command(c, &t, why, why_len)) != 0) {
        return r;
    }
    return final_fwd_paths(c->remote_fwds, c->n_remote_fwds, &t, why, why_len);
}

int
client_config_expand_files(struct client_config *c, const struct client_env *e,
                           char *why, size_t why_len)
{
    char port[8], short_host[256], hash[41];
    struct ssh_tokens t;
    size_t i;
    int r = 0;

    final_tokens(c, e, &t, port, short_host, hash);
    t.is_env_allowed = true;
    for (i = 0; i < c->n_identity_files && r == 0; i++) {
        r = final_path(&c->identity_files[i], &t, SSH_TOKENS_FILES, false, why,
                       why_len);
    }
    for (i = 0; i < c->n_certificate_files && r == 0; i++) {
        r = final_path(&c->certificate_files[i], &t, SSH_TOKENS_FILES, false,
                       why, why_len);
    }
    if (r == 0 && c->local_command != NULL) {
        t.tunnel = "NONE"; /* %T: no tun device, as ssh says */
        r = final_command(&c->local_command, &t, SSH_TOKENS_COMMAND, why,
                          why_len);
    }
    return r;
}
