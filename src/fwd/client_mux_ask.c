/* SPDX-License-Identifier: ISC */
/*
 * ControlMaster ask and autoask: the askpass program confirms each use of
 * the master, with ssh's prompts. It runs in a child (io_ask.h), so the
 * master's loop goes on serving its forwards and other clients while the
 * user thinks; the request waits, its descriptors kept, and is done or
 * refused once the answer comes. Checks and cancels are not asked about,
 * as in ssh.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl_mux.h"
#include "io/io_ask.h"
#include "io/io_ctl.h"
#include "util/err.h"
#include "util/log.h"

#define CLIENT_MUX_DENIED "Permission denied"

/* A request waiting for its answer. */
struct client_mux_asking {
    struct client_sup *sup;
    struct io_svc_client *cl;
    struct io_ask *ask;
    struct ctl_request req; /* a copy: the words outlive the handler */
    int fds[LIM_CTL_FDS];
    size_t n_fds;
};

static void
client_mux_stdio_prompt(const struct ctl_mux *m, char *prompt, size_t len)
{
    if (m->path != NULL) {
        snprintf(prompt, len, "Allow forward to %s? ", m->path);
    } else {
        snprintf(prompt, len, "Allow forward to %s:%u? ", m->host,
                 (unsigned)m->port);
    }
}

bool
client_mux_prompt(const struct client_sup *sup, const struct ctl_mux *m,
                  char *prompt, size_t len)
{
    const char *host = sup->d[0]->t->host;
    char spec[LIM_CTL_REQUEST];

    if (sup->cfg->control_master != CLIENT_MASTER_ASK &&
        sup->cfg->control_master != CLIENT_MASTER_AUTOASK) {
        return false;
    }
    switch (m->cmd) {
    case CTL_MUX_EXIT:
        snprintf(prompt, len, "Terminate shared connection to %s? ", host);
        return true;
    case CTL_MUX_STOP:
        snprintf(prompt, len,
                 "Disable further multiplexing on shared connection to %s? ",
                 host);
        return true;
    case CTL_MUX_FORWARD:
        if (ctl_mux_fwd_format(&m->fwd, m->kind, spec, sizeof(spec)) != 0) {
            spec[0] = '\0';
        }
        snprintf(prompt, len, "Open %s forward %s on %s?",
                 m->kind == FWDSPEC_LOCAL    ? "local"
                 : m->kind == FWDSPEC_REMOTE ? "remote"
                                             : "dynamic",
                 spec, host);
        return true;
    case CTL_MUX_SESSION:
        snprintf(prompt, len, "Allow shared connection to %s? ", host);
        return true;
    case CTL_MUX_STDIO:
        client_mux_stdio_prompt(m, prompt, len);
        return true;
    default:
        return false;
    }
}

static void
client_mux_asking_free(struct client_mux_asking *a)
{
    size_t i;

    for (i = 0; i < a->n_fds; i++) {
        if (a->fds[i] >= 0) {
            close(a->fds[i]);
        }
    }
    free(a);
}

/* The client left (or the master closes) before the answer. */
static void
client_mux_ask_gone(void *ctx)
{
    struct client_mux_asking *a = ctx;

    io_ask_cancel(a->ask); /* no callback after this */
    client_mux_asking_free(a);
}

/* Allowed: the request done as if it had just come, answered as
 * io_ctl answers a handler's result. */
static void
client_mux_ask_run(struct client_mux_asking *a)
{
    struct io_ctl_call call;
    struct ctl_mux m;
    struct buf body;
    char why[256] = "";
    int r = ERR_INVAL;

    memset(&call, 0, sizeof(call));
    call.cl = a->cl;
    memcpy(call.fds, a->fds, sizeof(call.fds));
    call.n_fds = a->n_fds;
    buf_init(&body);
    buf_set_nowipe(&body);
    if (a->sup->mux == NULL || a->sup->stopping) {
        snprintf(why, sizeof(why), "not a multiplexing master");
    } else if ((r = ctl_mux_decode(&a->req, &m, why, sizeof(why))) == 0) {
        r = client_mux_do(a->sup, &m, &call, &body, why, sizeof(why));
        ctl_mux_cleanup(&m);
    }
    /* What the request took is its own now; the rest is closed. */
    memcpy(a->fds, call.fds, sizeof(a->fds));
    if (r != 0) {
        if (why[0] == '\0') {
            snprintf(why, sizeof(why), "%s: %s", a->req.argv[0], err_str(r));
        }
        io_ctl_answer(a->cl, false, why, strlen(why));
        io_ctl_next(a->cl);
    } else if (!call.later) {
        io_ctl_answer(a->cl, true, buf_ptr(&body), buf_len(&body));
        io_ctl_next(a->cl);
    }
    buf_cleanup(&body);
}

static void
client_mux_ask_done(void *ctx, char *const *answers, size_t n)
{
    struct client_mux_asking *a = ctx;

    a->ask = NULL;
    if (answers != NULL && n == 1 && strcmp(answers[0], "yes") == 0) {
        client_mux_ask_run(a);
    } else {
        log_debug("%s request from a multiplexing client refused",
                  a->req.argv[0]);
        io_ctl_answer(a->cl, false, CLIENT_MUX_DENIED,
                      strlen(CLIENT_MUX_DENIED));
        io_ctl_next(a->cl);
    }
    client_mux_asking_free(a);
}

/* req's words copied, pointing into the copy's own text. */
static void
client_mux_req_copy(const struct ctl_request *req, struct ctl_request *out)
{
    size_t i;

    memcpy(out, req, sizeof(*out));
    for (i = 0; i < req->argc; i++) {
        out->argv[i] = out->text + (req->argv[i] - req->text);
    }
    out->argv[req->argc] = NULL;
}

int
client_mux_ask(struct client_sup *sup, const struct ctl_request *req,
               struct io_ctl_call *call, const char *prompt, char *why,
               size_t why_len)
{
    const char *prompts[1] = {prompt};
    const bool echo[1] = {false};
    struct client_mux_asking *a;
    struct io_ask_req q;
    size_t i;

    if ((a = calloc(1, sizeof(*a))) == NULL) {
        return ERR_NOMEM;
    }
    memset(&q, 0, sizeof(q));
    q.prompts = prompts;
    q.echo = echo;
    q.n = 1;
    q.confirm = true;
    if (io_ask_start(&a->ask, sup->loop, &sup->askq, &q, client_mux_ask_done,
                     a) != 0) {
        free(a);
        snprintf(why, why_len, CLIENT_MUX_DENIED);
        return ERR_DENIED;
    }
    a->sup = sup;
    client_mux_req_copy(req, &a->req);
    for (i = 0; i < call->n_fds; i++) {
        a->fds[i] = call->fds[i];
        call->fds[i] = -1;
    }
    a->n_fds = call->n_fds;
    a->cl = io_ctl_later(call, client_mux_ask_gone, a);
    return 0;
}
