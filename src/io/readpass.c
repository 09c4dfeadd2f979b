/* SPDX-License-Identifier: ISC */
/* Passphrases from the terminal or from SSH_ASKPASS (see readpass.h). */
#include "io/readpass.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define READPASS_TTY "/dev/tty"
#define READPASS_ASKPASS_DEFAULT "/usr/bin/ssh-askpass"

/*
 * The signal that interrupted a terminal prompt. The one piece of mutable
 * static state in src/: a signal handler gets no context pointer, and the
 * prompt must restore the terminal before the signal takes effect (as
 * readpassphrase(3) does).
 */
static volatile sig_atomic_t readpass_signo;

static const int readpass_signals[] = {SIGALRM, SIGHUP,  SIGINT,
                                       SIGPIPE, SIGQUIT, SIGTERM,
                                       SIGTSTP, SIGTTIN, SIGTTOU};
#define READPASS_NSIG (sizeof(readpass_signals) / sizeof(readpass_signals[0]))

static void
readpass_on_signal(int signo)
{
    readpass_signo = signo;
}

static bool
readpass_env_set(const char *name)
{
    const char *s = getenv(name);

    return s != NULL && *s != '\0';
}

/* The answer: buf up to the first CR or LF, copied; buf is wiped. */
static int
readpass_answer(char *buf, size_t size, char **out)
{
    buf[strcspn(buf, "\r\n")] = '\0';
    *out = str_ndup(buf, strlen(buf));
    mem_wipe(buf, size);
    return *out == NULL ? ERR_NOMEM : 0;
}

/* Run the askpass program with the prompt; its stdout is the answer.
 * *ran_ok (may be NULL): the program ran and exited 0. */
static int
readpass_askpass(const char *prompt, char **out, bool *ran_ok)
{
    const char *prog = getenv("SSH_ASKPASS");
    char buf[LIM_PASSPHRASE];
    size_t len = 0;
    int p[2], status = 0;
    ssize_t n;
    pid_t pid;

    if (prog == NULL || *prog == '\0') {
        prog = READPASS_ASKPASS_DEFAULT;
    }
    memset(buf, 0, sizeof(buf));
    if (pipe(p) != 0) {
        log_error("readpass: pipe: %s", strerror(errno));
        return readpass_answer(buf, sizeof(buf), out);
    }
    if ((pid = fork()) < 0) {
        log_error("readpass: fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return readpass_answer(buf, sizeof(buf), out);
    }
    if (pid == 0) {
        close(p[0]);
        io_nofile_child();
        if (dup2(p[1], STDOUT_FILENO) >= 0) {
            execlp(prog, prog, prompt, (char *)NULL);
        }
        log_plain("adit: exec(%s): %s\r\n", prog, strerror(errno));
        _exit(1);
    }
    close(p[1]);
    while (len < sizeof(buf) - 1) {
        n = read(p[0], buf + len, sizeof(buf) - 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        mem_wipe(buf, sizeof(buf)); /* ssh ignores what a failed one said */
    } else if (ran_ok != NULL) {
        *ran_ok = true;
    }
    return readpass_answer(buf, sizeof(buf), out);
}

/*
 * Catch the signals that would leave the terminal without echo. They stay
 * blocked except while readpass_line() waits in pselect(), so one that
 * arrives between two reads is not lost (and cannot leave us blocked in
 * read() after its handler ran).
 */
static void
readpass_catch(struct sigaction *saved, sigset_t *old_mask)
{
    struct sigaction sa;
    sigset_t block;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sigemptyset(&block);
    sa.sa_handler = readpass_on_signal;
    readpass_signo = 0;
    for (i = 0; i < READPASS_NSIG; i++) {
        sigaddset(&block, readpass_signals[i]);
    }
    sigprocmask(SIG_BLOCK, &block, old_mask);
    for (i = 0; i < READPASS_NSIG; i++) {
        sigaction(readpass_signals[i], &sa, &saved[i]);
    }
}

static void
readpass_uncatch(const struct sigaction *saved, const sigset_t *old_mask)
{
    size_t i;

    for (i = 0; i < READPASS_NSIG; i++) {
        sigaction(readpass_signals[i], &saved[i], NULL);
    }
    sigprocmask(SIG_SETMASK, old_mask, NULL);
}

/* Wait until fd is readable or one of our signals arrived (0), with the
 * signals unblocked only during the wait. */
static int
readpass_wait(int fd, const sigset_t *old_mask)
{
    fd_set rfds;

    if (fd >= FD_SETSIZE) {
        return 0; /* cannot select on it: read() blocks with them blocked */
    }
    FD_ZERO(&rfds);
    FD_SET(fd, &rfds);
    if (pselect(fd + 1, &rfds, NULL, NULL, NULL, old_mask) < 0 &&
        errno != EINTR) {
        return ERR_IO;
    }
    return 0;
}

/* Read one line from fd into buf (at most size - 1 bytes kept). */
static void
readpass_line(int fd, char *buf, size_t size, const sigset_t *old_mask)
{
    size_t len = 0;
    ssize_t n;
    char ch;

    for (;;) {
        if (readpass_wait(fd, old_mask) != 0 || readpass_signo != 0) {
            break;
        }
        n = read(fd, &ch, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0 || ch == '\n' || ch == '\r') {
            break;
        }
        if (len < size - 1) {
            buf[len++] = ch;
        }
    }
    buf[len] = '\0';
    mem_wipe(&ch, sizeof(ch));
}

/*
 * One prompt on the terminal. Returns the signal that interrupted it (0
 * if none), after the terminal and the signal dispositions are restored.
 */
static int
readpass_tty_once(int fd, const char *prompt, bool echo, char *buf, size_t size)
{
    struct sigaction saved[READPASS_NSIG];
    struct termios old, quiet;
    bool have_term = tcgetattr(fd, &old) == 0;
    sigset_t old_mask;
    ssize_t w;

    readpass_catch(saved, &old_mask);
    if (have_term && !echo) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        (void)tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    w = write(fd, prompt, strlen(prompt));
    (void)w;
    readpass_line(fd, buf, size, &old_mask);
    if (have_term && !echo) {
        (void)tcsetattr(fd, TCSAFLUSH, &old);
        w = write(fd, "\n", 1); /* the newline the user typed was not shown */
    }
    readpass_uncatch(saved, &old_mask);
    return readpass_signo;
}

/* Prompt on the terminal fd; a signal is delivered again once the
 * terminal is back, and after a stop (^Z, then fg) we ask again. */
static int
readpass_tty(int fd, const char *prompt, bool echo, char **out)
{
    char buf[LIM_PASSPHRASE];
    int sig;

    for (;;) {
        sig = readpass_tty_once(fd, prompt, echo, buf, sizeof(buf));
        if (sig == 0) {
            break;
        }
        mem_wipe(buf, sizeof(buf));
        kill(getpid(), sig);
        if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
            buf[0] = '\0';
            break;
        }
    }
    return readpass_answer(buf, sizeof(buf), out);
}

int
readpass(const char *prompt, bool echo, char **out)
{
    const char *req = getenv("SSH_ASKPASS_REQUIRE");
    bool allow =
        readpass_env_set("DISPLAY") || readpass_env_set("WAYLAND_DISPLAY");
    bool use = false;
    char none[1] = {'\0'};
    int fd = -1, r;

    *out = NULL;
    if (req != NULL && strcasecmp(req, "force") == 0) {
        use = allow = true;
    } else if (req != NULL && strcasecmp(req, "prefer") == 0) {
        use = allow;
    } else if (req != NULL && strcasecmp(req, "never") == 0) {
        allow = false;
    }
    if (!use && (fd = open(READPASS_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        log_debug("readpass: can't open %s: %s", READPASS_TTY, strerror(errno));
        use = true;
    }
    if (use && allow) {
        if (fd >= 0) {
            close(fd);
        }
        return readpass_askpass(prompt, out, NULL);
    }
    if (fd < 0) {
        return readpass_answer(none, sizeof(none), out);
    }
    /* Start the prompt at the line's beginning, over anything typed early
     * while echo was still on (as ssh does). */
    if (write(fd, "\r", 1) < 0) {
        log_debug("readpass: write: %s", strerror(errno));
    }
    r = readpass_tty(fd, prompt, echo, out);
    close(fd);
    return r;
}

int
readpass_confirm(const char *prompt, bool *allowed)
{
    const char *req = getenv("SSH_ASKPASS_REQUIRE");
    bool allow =
        readpass_env_set("DISPLAY") || readpass_env_set("WAYLAND_DISPLAY");
    bool ran_ok = false;
    char *answer = NULL;
    int r;

    *allowed = false;
    if (req != NULL && strcasecmp(req, "force") == 0) {
        allow = true;
    } else if (req != NULL && strcasecmp(req, "never") == 0) {
        allow = false;
    }
    if (!allow) {
        log_debug("readpass: no askpass to confirm \"%s\"", prompt);
        return 0;
    }
    if ((r = readpass_askpass(prompt, &answer, &ran_ok)) != 0) {
        return r;
    }
    /* As ssh's ask_permission: an empty answer or "yes" allows. */
    *allowed = ran_ok && (answer[0] == '\0' || strcasecmp(answer, "yes") == 0);
    str_free_wiped(answer);
    return 0;
}
