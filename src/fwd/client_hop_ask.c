/* SPDX-License-Identifier: ISC */
/*
 * adit: a hop's password and keyboard-interactive questions, put to the
 * user off the loop (io_ask.h), one destination's prompt at a time, so
 * the other connections go on while someone types.
 */
#include "fwd/client_int.h"

#include <string.h>

#include "io/io_ask.h"
#include "util/err.h"
#include "util/log.h"

static void
client_hop_answered(void *ctx, char *const *answers, size_t n)
{
    struct client_hop *hop = ctx;

    hop->ask = NULL;
    if (hop->ic != NULL) {
        io_conn_auth_answered(hop->ic, answers, n);
    }
}

int
client_hop_ask(void *ctx, const struct userauth_questions *q)
{
    struct client_hop *hop = ctx;
    const char *prompts[LIM_KBDINT_PROMPTS];
    bool echo[LIM_KBDINT_PROMPTS];
    struct io_ask_req req;
    size_t i;
    int r;

    if (hop->ask != NULL || q->n > LIM_KBDINT_PROMPTS) {
        return ERR_INVAL;
    }
    for (i = 0; i < q->n; i++) {
        prompts[i] = q->prompts[i].text;
        echo[i] = q->prompts[i].echo;
    }
    memset(&req, 0, sizeof(req));
    req.notice = q->notice;
    req.name = q->name;
    req.instruction = q->instruction;
    req.prompts = prompts;
    req.echo = echo;
    req.n = q->n;
    if ((r = io_ask_start(&hop->ask, hop->c->loop, &hop->c->sup->askq, &req,
                          client_hop_answered, hop)) != 0) {
        log_debug("cannot ask: %s", err_str(r));
    }
    return r;
}

void
client_hop_ask_stop(struct client_hop *hop)
{
    io_ask_cancel(hop->ask);
    hop->ask = NULL;
}
