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

/* ssh cuts a channel's name at 300 characters (%.300s). */
#define CONN_NAME_MAX 300u

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

/* The words for info (ours: we opened it), as ssh names its channels:
 * "client-session", "direct-tcpip: ...", "x11: ...". */
static void
conn_name_format(const struct chan_open_info *info, bool ours, char *out,
                 size_t n)
{
    const char *t = info->type;

    if (strcmp(t, "session") == 0) {
        snprintf(out, n, "%s-session", ours ? "client" : "server");
    } else if (strcmp(t, "direct-tcpip") == 0 ||
               strcmp(t, "forwarded-tcpip") == 0) {
        snprintf(out, n, "%s: %s %s port %u, connect from %s port %u", t,
                 t[0] == 'd' ? "to" : "listening on", conn_str(info->host),
                 (unsigned)info->port, conn_str(info->orig_host),
                 (unsigned)info->orig_port);
    } else if (strcmp(t, CONN_X11) == 0) {
        snprintf(out, n, "x11: connect from %s port %u",
                 conn_str(info->orig_host), (unsigned)info->orig_port);
    } else if (strcmp(t, CONN_AUTH_AGENT) == 0) {
        snprintf(out, n, "authentication agent connection");
    } else if (strcmp(t, CONN_DIRECT_STREAMLOCAL) == 0) {
        snprintf(out, n, "direct-streamlocal: to %s", conn_str(info->path));
    } else if (strcmp(t, CONN_FORWARDED_STREAMLOCAL) == 0) {
        snprintf(out, n, "forwarded-streamlocal: listening on %s",
                 conn_str(info->path));
    } else {
        snprintf(out, n, "%s", t);
    }
}

int
conn_chan_name(struct conn *c, uint32_t id, const struct chan_open_info *info,
               bool ours)
{
    struct channel *ch = conn_chan(c, id);
    char name[CONN_NAME_MAX + 1];

    if (ch == NULL) {
        return ERR_CHANNEL;
    }
    conn_name_format(info, ours, name, sizeof(name));
    conn_name_clean(name);
    free(ch->name);
    if ((ch->name = strdup(name)) == NULL) {
        return ERR_NOMEM;
    }
    ch->type = conn_type_static(info->type);
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
        d->name = ch->name != NULL ? ch->name : d->type;
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
    char line[CONN_NAME_MAX + 128];
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
