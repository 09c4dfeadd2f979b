/* SPDX-License-Identifier: ISC */
/*
 * What each channel is, in words, for ssh's ~# list (channels.c
 * channel_open_message): a name built when the channel is opened, either
 * way, and the list itself.
 */
#include "conn/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn_impl.h"
#include "util/err.h"

/* The channel types a name may start with: static strings, so the table
 * keeps a pointer and no copy. */
static const char *const conn_types[] = {
    "session",
    "direct-tcpip",
    "forwarded-tcpip",
    CONN_X11,
    CONN_AUTH_AGENT,
    CONN_DIRECT_STREAMLOCAL,
    CONN_FORWARDED_STREAMLOCAL,
};

static const char *
conn_type_static(const char *type)
{
    size_t i;

    for (i = 0; i < sizeof(conn_types) / sizeof(conn_types[0]); i++) {
        if (strcmp(type, conn_types[i]) == 0) {
            return conn_types[i];
        }
    }
    return "unknown";
}

/* What the peer names is shown on a terminal: bytes that are no printable
 * ASCII become '?'. */
static void
conn_name_clean(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            *s = '?';
        }
    }
}

static const char *
conn_str(const char *s)
{
    return s != NULL ? s : "";
}

/* The label's strings: type, host, orig_host, path, in that order. */
static void
conn_label_strs(const struct conn_label *l, const char *v[4])
{
    size_t i;

    v[0] = l->s;
    for (i = 1; i < 4; i++) {
        v[i] = v[i - 1] + strlen(v[i - 1]) + 1;
    }
}

/* The words for a label, as ssh names its channels: "client-session",
 * "direct-tcpip: ...", "x11: ...". */
static void
conn_name_format(const struct conn_label *l, char *out, size_t n)
{
    const char *v[4], *t;

    conn_label_strs(l, v);
    t = v[0];
    if (strcmp(t, "session") == 0) {
        snprintf(out, n, "%s-session", l->ours ? "client" : "server");
    } else if (strcmp(t, "direct-tcpip") == 0 ||
               strcmp(t, "forwarded-tcpip") == 0) {
        snprintf(out, n, "%s: %s %s port %u, connect from %s port %u", t,
                 t[0] == 'd' ? "to" : "listening on", v[1], (unsigned)l->port,
                 v[2], (unsigned)l->orig_port);
    } else if (strcmp(t, CONN_X11) == 0) {
        snprintf(out, n, "x11: connect from %s port %u", v[2],
                 (unsigned)l->orig_port);
    } else if (strcmp(t, CONN_AUTH_AGENT) == 0) {
        snprintf(out, n, "authentication agent connection");
    } else if (strcmp(t, CONN_DIRECT_STREAMLOCAL) == 0) {
        snprintf(out, n, "direct-streamlocal: to %s", v[3]);
    } else if (strcmp(t, CONN_FORWARDED_STREAMLOCAL) == 0) {
        snprintf(out, n, "forwarded-streamlocal: listening on %s", v[3]);
    } else {
        snprintf(out, n, "%s", t);
    }
    conn_name_clean(out);
}

/* Copy s (NULL: empty), cut at CONN_CHAN_NAME_MAX, NUL-ended, to *p. */
static void
conn_label_put(char **p, const char *s, size_t n)
{
    memcpy(*p, conn_str(s), n);
    (*p)[n] = '\0';
    *p += n + 1;
}

static size_t
conn_label_len(const char *s)
{
    return s != NULL ? strnlen(s, CONN_CHAN_NAME_MAX) : 0;
}

int
conn_chan_name(struct conn *c, uint32_t id, const struct chan_open_info *info,
               bool ours)
{
    struct channel *ch = conn_chan(c, id);
    struct conn_label *l;
    size_t n[4] = {conn_label_len(info->type), conn_label_len(info->host),
                   conn_label_len(info->orig_host), conn_label_len(info->path)};
    char *p;

    if (ch == NULL) {
        return ERR_CHANNEL;
    }
    free(ch->label);
    ch->label = NULL;
    ch->type = conn_type_static(info->type);
    if ((l = malloc(sizeof(*l) + n[0] + n[1] + n[2] + n[3] + 4)) == NULL) {
        return ERR_NOMEM;
    }
    l->port = info->port;
    l->orig_port = info->orig_port;
    l->ours = ours;
    p = l->s;
    conn_label_put(&p, info->type, n[0]);
    conn_label_put(&p, info->host, n[1]);
    conn_label_put(&p, info->orig_host, n[2]);
    conn_label_put(&p, info->path, n[3]);
    ch->label = l;
    return 0;
}

bool
conn_chan_next(const struct conn *c, uint32_t from, struct conn_chan_desc *d)
{
    const struct channel *ch;
    size_t i;

    memset(d, 0, sizeof(*d));
    for (i = from; i < c->n_alloc; i++) {
        ch = &c->chans[i];
        if (ch->state == CHAN_FREE) {
            continue;
        }
        d->id = (uint32_t)i;
        d->type = ch->type != NULL ? ch->type : "unknown";
        d->name = d->type;
        if (ch->label != NULL) {
            conn_name_format(ch->label, d->name_buf, sizeof(d->name_buf));
            d->name = d->name_buf;
        }
        d->has_remote_id = ch->state != CHAN_OPENING;
        d->remote_id = ch->remote_id;
        d->input_closed = ch->sent_eof || ch->sent_close;
        d->output_closed = ch->rcvd_eof;
        return true;
    }
    return false;
}

/* nchan.c's states as ssh prints them: 0 open, 3 closed. */
#define CONN_NCHAN_OPEN 0
#define CONN_NCHAN_CLOSED 3

int
conn_open_message(const struct conn *c, struct buf *out)
{
    static const char head[] = "The following connections are open:\r\n";
    struct conn_chan_desc d;
    char line[CONN_CHAN_NAME_MAX + 128];
    uint32_t id = 0;
    int n;

    if (buf_put(out, head, sizeof(head) - 1) != 0) {
        return ERR_NOMEM;
    }
    while (conn_chan_next(c, id, &d)) {
        n = snprintf(line, sizeof(line), "  #%u %s ([%s] %s%u i%d o%d)\r\n",
                     (unsigned)d.id, d.name, d.type,
                     d.has_remote_id ? "r" : "nr", (unsigned)d.remote_id,
                     d.input_closed ? CONN_NCHAN_CLOSED : CONN_NCHAN_OPEN,
                     d.output_closed ? CONN_NCHAN_CLOSED : CONN_NCHAN_OPEN);
        if (n < 0 || buf_put(out, line, strlen(line)) != 0) {
            return ERR_NOMEM;
        }
        id = d.id + 1;
    }
    return 0;
}
