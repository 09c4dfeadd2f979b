/* SPDX-License-Identifier: ISC */
/* adit -X / -Y: the display and its cookie, from xauth, at start-up. */
#include "fwd/client_x11.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "crypto/rand.h"
#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

extern char **environ;

/* ssh's names: the one auth protocol it asks xauth for, the characters
 * it lets through in $DISPLAY, and the slack an untrusted cookie gets
 * beyond ForwardX11Timeout (so the X server never outlives our refusal
 * the wrong way round). */
#define X11_PROTO "MIT-MAGIC-COOKIE-1"
#define X11_DISPLAY_CHARS ":/.-_"
#define X11_TIMEOUT_SLACK 60u
#define X11_FAKE_LEN 16u

static uint64_t
client_x11_ms_left(uint64_t deadline_ns)
{
    uint64_t now = uv_hrtime();

    return now >= deadline_ns ? 0 : (deadline_ns - now) / 1000000u;
}

/* Read the child's stdout into out until EOF or the deadline. */
static void
client_x11_read(int fd, char *out, size_t out_len, uint64_t deadline_ns)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    size_t n = 0;
    ssize_t got;
    char chunk[512];

    for (;;) {
        int ms = (int)client_x11_ms_left(deadline_ns);

        if (ms == 0 || poll(&pfd, 1, ms) == 0) {
            break;
        }
        got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        if ((size_t)got > out_len - 1 - n) {
            got = (ssize_t)(out_len - 1 - n); /* the rest is not needed */
        }
        memcpy(out + n, chunk, (size_t)got);
        n += (size_t)got;
    }
    out[n] = '\0';
    mem_wipe(chunk, sizeof(chunk)); /* xauth's list line: the real cookie */
}

/* Wait for pid until the deadline, then kill it. Its exit status. */
static int
client_x11_wait(pid_t pid, uint64_t deadline_ns)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    int status = 0;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (client_x11_ms_left(deadline_ns) == 0) {
            log_debug("xauth did not finish in %u ms", LIM_XAUTH_MS);
            kill(pid, SIGKILL);
            (void)waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&tick, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Run xauth with argv (no shell: $DISPLAY never meets one), stdin and
 * stderr on /dev/null, its stdout into out. 0 when it exits 0.
 */
static int
client_x11_run(char *const argv[], char *out, size_t out_len)
{
    uint64_t deadline = uv_hrtime() + (uint64_t)LIM_XAUTH_MS * 1000000u;
    posix_spawn_file_actions_t fa;
    struct rlimit was;
    bool lowered;
    int fds[2], r;
    pid_t pid;

    out[0] = '\0';
    if (pipe(fds) != 0) {
        return ERR_IO;
    }
    /* Only the child's dup of the write end may outlive the spawn. */
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    lowered = io_nofile_lower(&was);
    r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    if (lowered) {
        io_nofile_restore(&was);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (r != 0) {
        close(fds[0]);
        log_debug("%s: %s", argv[0], strerror(r));
        return ERR_IO;
    }
    client_x11_read(fds[0], out, out_len, deadline);
    close(fds[0]);
    return client_x11_wait(pid, deadline) == 0 ? 0 : ERR_IO;
}

int
client_x11_parse_list(const char *out, struct x11_cookie *ck)
{
    char proto[X11_PROTO_MAX + 1], hex[2 * X11_COOKIE_MAX + 1];
    const char *p = out;
    size_t i, n;
    char *words[2] = {proto, hex};
    size_t caps[2] = {sizeof(proto), sizeof(hex)};
    int r;

    /* The display's name, then the protocol and the cookie. */
    p += strcspn(p, " \t\n");
    for (i = 0; i < 2; i++) {
        p += strspn(p, " \t");
        n = strcspn(p, " \t\n");
        if (n == 0 || n >= caps[i]) {
            return ERR_FORMAT;
        }
        memcpy(words[i], p, n);
        words[i][n] = '\0';
        p += n;
    }
    r = x11_cookie_init(ck, proto, hex);
    mem_wipe(hex, sizeof(hex));
    return r == 0 ? 0 : ERR_FORMAT;
}

/* `xauth [-f file] list display`: the cookie into ck. */
static int
client_x11_list(const char *xauth, const char *file, const char *display,
                struct x11_cookie *ck)
{
    char *argv[6], out[LIM_XAUTH_OUTPUT];
    size_t i = 0;
    int r;

    argv[i++] = (char *)xauth;
    if (file != NULL) {
        argv[i++] = "-f";
        argv[i++] = (char *)file;
    }
    argv[i++] = "list";
    argv[i++] = (char *)display;
    argv[i] = NULL;
    log_debug2("x11_get_proto: %s%s%s list %s", xauth,
               file != NULL ? " -f " : "", file != NULL ? file : "", display);
    r = client_x11_run(argv, out, sizeof(out));
    if (r == 0 || out[0] != '\0') {
        r = client_x11_parse_list(out, ck);
    }
    mem_wipe(out, sizeof(out));
    return r;
}

/* -X: an untrusted cookie made by the X server for us alone, in a file
 * of our own, read back, then removed (ssh's xauth generate). */
static int
client_x11_untrusted(const char *xauth, const char *display, unsigned timeout,
                     struct x11_cookie *ck)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], file[600], secs[16];
    char *argv[10] = {
        (char *)xauth, "-f",        file, "generate", (char *)display,
        X11_PROTO,     "untrusted", NULL, NULL,       NULL};
    char out[LIM_XAUTH_OUTPUT];
    int r = ERR_IO;

    snprintf(dir, sizeof(dir), "%s/adit-XXXXXXXXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        log_error("mkdtemp: %s", strerror(errno));
        return ERR_IO;
    }
    snprintf(file, sizeof(file), "%s/xauthfile", dir);
    if (timeout != 0) {
        snprintf(secs, sizeof(secs), "%u",
                 timeout < UINT32_MAX - X11_TIMEOUT_SLACK
                     ? timeout + X11_TIMEOUT_SLACK
                     : UINT32_MAX);
        argv[7] = "timeout";
        argv[8] = secs;
    }
    log_debug2("xauth command: %s -f %s generate %s " X11_PROTO
               " untrusted%s%s",
               xauth, file, display, timeout != 0 ? " timeout " : "",
               timeout != 0 ? secs : "");
    if (client_x11_run(argv, out, sizeof(out)) == 0) {
        r = client_x11_list(xauth, file, display, ck);
    }
    unlink(file);
    rmdir(dir);
    return r;
}

/* ssh's client_x11_display_valid: letters, digits and ":/.-_" only. */
static bool
client_x11_display_ok(const char *display)
{
    size_t i;

    for (i = 0; display[i] != '\0'; i++) {
        if (!isalnum((unsigned char)display[i]) &&
            strchr(X11_DISPLAY_CHARS, display[i]) == NULL) {
            return false;
        }
    }
    return i > 0;
}

/* No cookie from xauth with -Y: made-up data, as ssh; the X server will
 * refuse it, but the remote side still gets a working $DISPLAY. */
static int
client_x11_fake(struct x11_cookie *ck)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t rnd[X11_FAKE_LEN];
    char hex[2 * X11_FAKE_LEN + 1];
    size_t i;
    int r;

    if ((r = rand_bytes(rnd, sizeof(rnd))) != 0) {
        return r;
    }
    for (i = 0; i < sizeof(rnd); i++) {
        hex[2 * i] = digits[rnd[i] >> 4];
        hex[2 * i + 1] = digits[rnd[i] & 0xfu];
    }
    hex[2 * X11_FAKE_LEN] = '\0';
    return x11_cookie_init(ck, X11_PROTO, hex);
}

/* The cookie for display, as client_x11_get_proto gets it. */
static int
client_x11_cookie(const struct client_config *cfg, const char *display,
                  struct client_x11 *x)
{
    const char *xauth = cfg->xauth_location != NULL ? cfg->xauth_location
                                                    : CLIENT_XAUTH_DEFAULT;
    bool trusted = cfg->forward_x11_trusted == 1;
    char xdisplay[512];
    struct stat st;
    unsigned timeout = cfg->forward_x11_timeout < 0
                           ? CLIENT_X11_TIMEOUT_DEFAULT
                           : (unsigned)cfg->forward_x11_timeout;
    int r = ERR_NOTFOUND;

    /* xauth knows a local display as unix:N, not localhost:N. */
    if (strncmp(display, "localhost:", 10) == 0) {
        snprintf(xdisplay, sizeof(xdisplay), "unix:%s", display + 10);
        display = xdisplay;
    }
    if (stat(xauth, &st) != 0) {
        log_debug("No xauth program.");
    } else if (trusted) {
        r = client_x11_list(xauth, NULL, display, &x->ck);
    } else {
        if (timeout != 0) {
            x->refuse_at_ns =
                uv_hrtime() + (uint64_t)(timeout + 1) * 1000000000u;
        }
        r = client_x11_untrusted(xauth, display, timeout, &x->ck);
    }
    if (r == 0) {
        return 0;
    }
    if (!trusted) {
        log_plain("Warning: untrusted X11 forwarding setup failed: xauth "
                  "key data not generated\r\n");
        return r;
    }
    if (log_get_level() > LOG_QUIET) {
        log_plain("Warning: No xauth data; using fake authentication data "
                  "for X11 forwarding.\r\n");
    }
    return client_x11_fake(&x->ck);
}

void
client_x11_prepare(const struct client_config *cfg, const char *display,
                   struct client_x11 *x)
{
    char why[256];

    memset(x, 0, sizeof(*x));
    if (display == NULL) {
        log_debug("X11 forwarding requested but DISPLAY not set");
        return;
    }
    if (!client_x11_display_ok(display)) {
        if (log_get_level() > LOG_QUIET) {
            log_plain("DISPLAY \"%s\" invalid; disabling X11 forwarding\r\n",
                      display);
        }
        return;
    }
    if (fwd_x11_display_parse(display, &x->d, why, sizeof(why)) != 0) {
        log_plain("%s\r\n", why);
        return;
    }
    if (client_x11_cookie(cfg, display, x) != 0) {
        client_x11_cleanup(x);
        return;
    }
    x->is_ready = true;
}

void
client_x11_cleanup(struct client_x11 *x)
{
    x11_cookie_wipe(&x->ck);
    memset(x, 0, sizeof(*x));
}

bool
client_x11_expired(const struct client_x11 *x)
{
    return x->refuse_at_ns != 0 && uv_hrtime() >= x->refuse_at_ns;
}
