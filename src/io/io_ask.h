/* SPDX-License-Identifier: ISC */
/*
 * Asking the user (passwords, keyboard-interactive answers) without
 * stopping the loop: each set of questions is put by a forked child that
 * runs readpass() (the terminal or SSH_ASKPASS, as ssh) and hands the
 * answers back over a pipe, while the loop goes on serving every other
 * connection. A ^C at the prompt reaches the child, which puts the
 * terminal back before it dies, and the parent, which ends as for any
 * SIGINT. One question set at a time per queue (one terminal), in the
 * order asked.
 */
#ifndef ADIT_IO_IO_ASK_H
#define ADIT_IO_IO_ASK_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct io_ask;

/* The asks waiting for the terminal; zeroed by its owner. */
struct io_ask_queue {
    struct io_ask *head, *tail;
};

struct io_ask_req {
    const char *notice;      /* printed at error level first, or NULL */
    const char *name;        /* then at info level: NULL or "" skipped */
    const char *instruction; /* idem */
    const char *const *prompts;
    const bool *echo;
    size_t n; /* 1 to LIM_KBDINT_PROMPTS */
    /* A yes/no question (ControlMaster ask) put to the askpass program
     * only (readpass_confirm), n 1: the answer is "yes" or "no". */
    bool confirm;
};

/* answers[0..n) in prompt order ("" where nothing could be asked, as
 * ssh), or NULL when the child failed; they are wiped after the call. */
typedef void (*io_ask_cb)(void *ctx, char *const *answers, size_t n);

/*
 * Queue req (copied) on q; cb is called once, never from inside this
 * call, unless io_ask_cancel comes first. 0, ERR_NOMEM or ERR_INVAL.
 */
int io_ask_start(struct io_ask **out, uv_loop_t *loop, struct io_ask_queue *q,
                 const struct io_ask_req *req, io_ask_cb cb, void *ctx);

/* No callback any more; a child asking is ended (SIGTERM) and reaped.
 * NULL is a no-op. */
void io_ask_cancel(struct io_ask *a);

#endif
