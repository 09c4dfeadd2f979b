/* SPDX-License-Identifier: ISC */
/* Asking the user from a forked child, off the loop (see io_ask.h). */
#define _GNU_SOURCE /* pipe2 */
#include "io/io_ask.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/io_util.h"
#include "io/readpass.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* How often a child that closed its pipe is looked for, and after how
 * many looks it is killed (it should be gone at once). */
#define ASK_REAP_MS 10u
#define ASK_REAP_KILL 300u
#define ASK_READ_CHUNK 1024u

enum ask_phase {
    ASK_QUEUED,  /* waiting for the terminal */
    ASK_RUNNING, /* the child asks */
    ASK_REAPING, /* answers taken, the child not yet reaped */
    ASK_CLOSING, /* handles closing */
};

struct io_ask {
    uv_loop_t *loop;
    struct io_ask_queue *q;
    struct io_ask *next;
    enum ask_phase phase;
    char *notice, *name, *instruction;
    char *prompts[LIM_KBDINT_PROMPTS];
    bool echo[LIM_KBDINT_PROMPTS];
    size_t n;
    bool confirm;
    io_ask_cb cb;
    void *ctx;
    bool cancelled;
    uv_timer_t timer; /* start, then reaping */
    uv_pipe_t pipe;   /* the child's answers */
    bool has_pipe;
    int open; /* handles not yet closed */
    struct buf in;
    uint8_t chunk[ASK_READ_CHUNK];
    pid_t pid;
    unsigned ticks;
};

static void ask_timer_run(uv_timer_t *t);

static char *
ask_dup(const char *s)
{
    return s != NULL ? str_ndup(s, strlen(s)) : NULL;
}

static void
ask_free(struct io_ask *a)
{
    size_t i;

    free(a->notice);
    free(a->name);
    free(a->instruction);
    for (i = 0; i < a->n; i++) {
        free(a->prompts[i]);
    }
    buf_cleanup(&a->in); /* wipes */
    free(a);
}

static void
ask_closed(uv_handle_t *h)
{
    struct io_ask *a = h->data;

    if (--a->open == 0) {
        ask_free(a);
    }
}

/* Take a off its queue; the next one, if a was running, gets its turn. */
static void
ask_dequeue(struct io_ask *a)
{
    struct io_ask **pp = &a->q->head, *prev = NULL;

    while (*pp != NULL && *pp != a) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == NULL) {
        return;
    }
    *pp = a->next;
    if (a->q->tail == a) {
        a->q->tail = prev;
    }
    if (prev == NULL && a->q->head != NULL) {
        uv_timer_start(&a->q->head->timer, ask_timer_run, 0, 0);
    }
}

static void
ask_release(struct io_ask *a)
{
    ask_dequeue(a);
    a->phase = ASK_CLOSING;
    uv_timer_stop(&a->timer);
    uv_close((uv_handle_t *)&a->timer, ask_closed);
    if (a->has_pipe) {
        uv_close((uv_handle_t *)&a->pipe, ask_closed);
    }
}

/* Is the child gone? Looked for until it is; killed if it lingers. */
static void
ask_reap(struct io_ask *a)
{
    int status;
    pid_t r = waitpid(a->pid, &status, WNOHANG);

    if (r == a->pid || (r < 0 && errno != EINTR)) {
        a->pid = 0;
        ask_release(a);
        return;
    }
    if (++a->ticks == ASK_REAP_KILL) {
        kill(a->pid, SIGKILL);
    }
    uv_timer_start(&a->timer, ask_timer_run, ASK_REAP_MS, 0);
}

/* The answers (or NULL) to the caller, unless cancelled; then reaping. */
static void
ask_finish(struct io_ask *a, char *const *answers)
{
    if (a->has_pipe) {
        uv_read_stop((uv_stream_t *)&a->pipe);
    }
    if (!a->cancelled) {
        a->cancelled = true;
        a->cb(a->ctx, answers, answers != NULL ? a->n : 0);
    }
    if (a->pid <= 0) {
        ask_release(a);
        return;
    }
    a->phase = ASK_REAPING;
    ask_reap(a);
}

/* The child's output: one string per prompt, nothing after. */
static void
ask_parse(struct io_ask *a)
{
    char *answers[LIM_KBDINT_PROMPTS];
    const uint8_t *p;
    size_t i, len;
    struct rd rd;
    int r = 0;

    rd_init(&rd, buf_ptr(&a->in), buf_len(&a->in));
    for (i = 0; i < a->n && r == 0; i++) {
        answers[i] = NULL;
        if ((r = rd_string(&rd, &p, &len, LIM_PASSPHRASE)) == 0 &&
            (answers[i] = str_ndup((const char *)p, len)) == NULL) {
            r = ERR_NOMEM;
        }
    }
    if (r == 0) {
        r = rd_end(&rd);
    }
    ask_finish(a, r == 0 ? answers : NULL);
    while (i > 0) {
        str_free_wiped(answers[--i]);
    }
    buf_reset(&a->in);
}

static void
ask_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct io_ask *a = h->data;

    (void)suggested;
    *b = uv_buf_init((char *)a->chunk, sizeof(a->chunk));
}

static void
ask_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct io_ask *a = st->data;
    size_t max = a->n * (LIM_PASSPHRASE + 4u);

    (void)b;
    if (a->phase != ASK_RUNNING || nread == 0) {
        return;
    }
    if (nread > 0 && buf_len(&a->in) + (size_t)nread <= max &&
        buf_put(&a->in, a->chunk, (size_t)nread) == 0) {
        mem_wipe(a->chunk, sizeof(a->chunk));
        return;
    }
    mem_wipe(a->chunk, sizeof(a->chunk));
    if (nread == UV_EOF) {
        ask_parse(a);
        return;
    }
    ask_finish(a, NULL);
}

/*
 * The child: ssh's dispositions for the signals the loop catches, so a
 * ^C outside readpass's own window kills it; then every prompt in turn,
 * each answer a string on the pipe.
 */
static void
ask_child(const struct io_ask *a, int fd)
{
    static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP, SIGPIPE,
                               SIGQUIT, SIGCHLD, SIGTSTP};
    struct buf out;
    sigset_t none;
    char *ans = NULL;
    size_t i, off = 0;
    ssize_t w;

    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        signal(sigs[i], SIG_DFL);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    io_nofile_child(); /* its askpass, if any, runs with the start's */
    buf_init(&out);
    if (a->confirm) {
        bool allowed = false;

        if (readpass_confirm(a->prompts[0], &allowed) != 0 ||
            buf_put_cstring(&out, allowed ? "yes" : "no") != 0) {
            _exit(1);
        }
    }
    for (i = 0; !a->confirm && i < a->n; i++) {
        if (readpass(a->prompts[i], a->echo[i], &ans) != 0 ||
            buf_put_cstring(&out, ans) != 0) {
            _exit(1);
        }
        str_free_wiped(ans);
    }
    while (off < buf_len(&out)) {
        w = write(fd, buf_ptr(&out) + off, buf_len(&out) - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
    }
    buf_cleanup(&out);
    _exit(0);
}

/* The lines before the prompts, shown where ssh shows them (its INFO
 * level, the default; LogLevel ERROR and -q hide them). The core cleaned the
 * server's text of control characters. */
static void
ask_say(const struct io_ask *a)
{
    const char *lines[3] = {a->notice, a->name, a->instruction};
    size_t i;

    for (i = 0; i < 3; i++) {
        /* The notice is ssh's error(), the server's lines its logit(). */
        if (lines[i] != NULL && lines[i][0] != '\0' &&
            log_get_level() >= (i == 0 ? LOG_ERROR : LOG_INFO)) {
            log_plain("%s\r\n", lines[i]);
        }
    }
}

/* a's turn: the lines, then the child. */
static void
ask_run(struct io_ask *a)
{
    int fds[2];

    a->phase = ASK_RUNNING;
    ask_say(a);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        log_error("ask: pipe: %s", strerror(errno));
        ask_finish(a, NULL);
        return;
    }
    if ((a->pid = fork()) == 0) {
        close(fds[0]);
        ask_child(a, fds[1]);
    }
    close(fds[1]);
    if (a->pid < 0) {
        log_error("ask: fork: %s", strerror(errno));
        close(fds[0]);
        a->pid = 0;
        ask_finish(a, NULL);
        return;
    }
    uv_pipe_init(a->loop, &a->pipe, 0);
    a->pipe.data = a;
    a->has_pipe = true;
    a->open++;
    if (uv_pipe_open(&a->pipe, fds[0]) != 0) {
        close(fds[0]);
        ask_finish(a, NULL);
        return;
    }
    if (uv_read_start((uv_stream_t *)&a->pipe, ask_alloc, ask_read) != 0) {
        ask_finish(a, NULL);
    }
}

static void
ask_timer_run(uv_timer_t *t)
{
    struct io_ask *a = t->data;

    if (a->phase == ASK_QUEUED) {
        ask_run(a);
    } else if (a->phase == ASK_REAPING) {
        ask_reap(a);
    }
}

int
io_ask_start(struct io_ask **out, uv_loop_t *loop, struct io_ask_queue *q,
             const struct io_ask_req *req, io_ask_cb cb, void *ctx)
{
    struct io_ask *a;
    size_t i;

    *out = NULL;
    if (req->n == 0 || req->n > LIM_KBDINT_PROMPTS ||
        (req->confirm && req->n != 1)) {
        return ERR_INVAL;
    }
    if ((a = calloc(1, sizeof(*a))) == NULL) {
        return ERR_NOMEM;
    }
    buf_init(&a->in);
    a->notice = ask_dup(req->notice);
    a->name = ask_dup(req->name);
    a->instruction = ask_dup(req->instruction);
    for (i = 0; i < req->n; i++) {
        a->n = i + 1;
        a->echo[i] = req->echo[i];
        if ((a->prompts[i] = ask_dup(req->prompts[i])) == NULL) {
            ask_free(a);
            return ERR_NOMEM;
        }
    }
    a->confirm = req->confirm;
    a->loop = loop;
    a->q = q;
    a->cb = cb;
    a->ctx = ctx;
    uv_timer_init(loop, &a->timer);
    a->timer.data = a;
    a->open = 1;
    if (q->tail != NULL) {
        q->tail->next = a;
    } else {
        q->head = a;
        uv_timer_start(&a->timer, ask_timer_run, 0, 0);
    }
    q->tail = a;
    *out = a;
    return 0;
}

void
io_ask_cancel(struct io_ask *a)
{
    if (a == NULL || a->cancelled) {
        return;
    }
    a->cancelled = true;
    if (a->phase == ASK_QUEUED) {
        ask_release(a);
    } else if (a->phase == ASK_RUNNING && a->pid > 0) {
        /* readpass puts the terminal back, then dies of it; the pipe's
         * end then finishes and reaps as usual. */
        kill(a->pid, SIGTERM);
    }
}
