/* SPDX-License-Identifier: ISC */
/* aditd's configuration file: reading it, defaults and path tokens. */
#include "config/server_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* Read the whole file into b (bounded by LIM_FILE_SIZE). */
static int
server_config_read(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    size_t n;
    int r = 0;

    if (f == NULL) {
        return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
    }
    for (;;) {
        if ((r = buf_reserve(b, 4096, &p)) != 0) {
            break;
        }
        if ((n = fread(p, 1, 4096, f)) == 0) {
            r = ferror(f) ? ERR_IO : 0;
            break;
        }
        buf_commit(b, n);
        if (buf_len(b) > LIM_FILE_SIZE) {
            r = ERR_LIMIT;
            break;
        }
    }
    fclose(f);
    return r;
}

/* Next line from rd into line (NUL-terminated); ERR_AGAIN at the end. */
static int
server_config_next_line(struct rd *rd, char *line, size_t cap)
{
    size_t n = 0;
    uint8_t ch = 0;

    if (rd_left(rd) == 0) {
        return ERR_AGAIN;
    }
    while (rd_u8(rd, &ch) == 0 && ch != '\n') {
        if (ch == '\0' || n + 1 >= cap) {
            return ERR_FORMAT;
        }
        line[n++] = (char)ch;
    }
    line[n] = '\0';
    return 0;
}

int
server_config_load(struct server_config *c, const char *path, char *why,
                   size_t why_len)
{
    struct buf b;
    struct rd rd;
    char *line = NULL, msg[256];
    unsigned lineno = 0;
    int r;

    buf_init(&b);
    if ((r = server_config_read(path, &b)) != 0) {
        snprintf(why, why_len, "%s: %s", path, err_str(r));
        goto out;
    }
    if ((line = malloc(LIM_LINE + 1)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    c->cur_match = -1; /* a -o "Match" does not take the file's lines */
    while ((r = server_config_next_line(&rd, line, LIM_LINE + 1)) == 0) {
        lineno++;
        msg[0] = '\0';
        if ((r = server_config_line(c, line, msg, sizeof(msg))) != 0) {
            snprintf(why, why_len, "%s line %u: %s", path, lineno, msg);
            goto out;
        }
    }
    if (r == ERR_FORMAT) {
        snprintf(why, why_len, "%s line %u: line too long or has NUL", path,
                 lineno + 1);
        r = ERR_CONFIG;
        goto out;
    }
    r = 0;
out:
    free(line);
    buf_cleanup(&b);
    return r;
}

static char *
server_config_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (p != NULL) {
        snprintf(p, n, "%s/%s", dir, name);
    }
    return p;
}

/* "none" is the same as not set. */
static void
server_config_none(char **v)
{
    if (*v != NULL && strcmp(*v, "none") == 0) {
        free(*v);
        *v = NULL;
    }
}

int
server_config_finish(struct server_config *c, const char *dir)
{
    if (dir == NULL || dir[0] == '\0') {
        dir = ".";
    }
    if (c->dir == NULL && (c->dir = str_ndup(dir, strlen(dir))) == NULL) {
        return ERR_NOMEM;
    }
    server_fwd_config_finish(&c->fwd);
    server_limits_config_finish(&c->limits);
    server_config_none(&c->control_socket);
    server_config_none(&c->metrics_address);
    if (c->n_ports == 0) {
        c->ports[c->n_ports++] = 22;
    }
    if (c->n_listen == 0) {
        c->n_listen = 1; /* host NULL, port 0: every address, each Port */
    }
    if (c->n_host_keys == 0) {
        c->host_keys[0] = server_config_join(dir, "aditd_host_ed25519_key");
        if (c->host_keys[0] == NULL) {
            return ERR_NOMEM;
        }
        c->n_host_keys = 1;
    }
    if (c->authorized_keys_file == NULL &&
        (c->authorized_keys_file =
             server_config_join(dir, "authorized_keys")) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
server_config_expand(const char *pattern, const char *user, const char *home,
                     char **out)
{
    struct buf b;
    size_t i;
    int r = 0;

    *out = NULL;
    /* The user name comes from the peer: it must not walk the tree. */
    if (user[0] == '\0' || user[0] == '.' || strchr(user, '/') != NULL) {
        return ERR_DENIED;
    }
    buf_init(&b);
    for (i = 0; pattern[i] != '\0' && r == 0; i++) {
        if (pattern[i] != '%') {
            r = buf_put_u8(&b, (uint8_t)pattern[i]);
        } else if (pattern[i + 1] == '%') {
            r = buf_put_u8(&b, '%');
            i++;
        } else if (pattern[i + 1] == 'u') {
            r = buf_put(&b, user, strlen(user));
            i++;
        } else if (pattern[i + 1] == 'h') {
            r = home == NULL ? ERR_NOTFOUND : buf_put(&b, home, strlen(home));
            i++;
        } else {
            r = ERR_CONFIG;
        }
    }
    if (r == 0 &&
        (*out = str_ndup((const char *)buf_ptr(&b), buf_len(&b))) == NULL) {
        r = ERR_NOMEM;
    }
    buf_cleanup(&b);
    return r;
}
