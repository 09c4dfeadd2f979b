/* SPDX-License-Identifier: ISC */
/*
 * Tests for io/sandbox: each case forks a child that enters the same
 * sandbox aditd enters, then tries what the sandbox must refuse; the
 * parent checks how the child ended (and its /proc status).
 */
#define _GNU_SOURCE /* unshare, chroot */
#include "io/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* The sanitizer build lets execve and fork fail with EPERM instead. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER 1
#endif
#endif
#ifndef SANITIZER
#define SANITIZER 0
#endif

/* Kernels without Landlock (or with it off) get seccomp only. */
static bool
has_landlock(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, 1) >= 1;
}

struct dirs {
    char ro[512], sock[512], other[512];
};

static void
mkfile(const char *dir, const char *name)
{
    char p[600];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    assert_non_null(f = fopen(p, "w"));
    fputs("data\n", f);
    fclose(f);
}

static void
make_dirs(struct dirs *d, const char *tag)
{
    snprintf(d->ro, sizeof(d->ro), "%s/%s-ro", test_tmpdir(), tag);
    snprintf(d->sock, sizeof(d->sock), "%s/%s-sock", test_tmpdir(), tag);
    snprintf(d->other, sizeof(d->other), "%s/%s-other", test_tmpdir(), tag);
    assert_int_equal(mkdir(d->ro, 0700), 0);
    assert_int_equal(mkdir(d->sock, 0700), 0);
    assert_int_equal(mkdir(d->other, 0700), 0);
    mkfile(d->ro, "keys");
    mkfile(d->other, "secret");
}

/* In the child: the sandbox with ro read-only and sock for sockets. */
static void
enter(const struct dirs *d)
{
    struct sandbox sb;
    char why[256];

    sandbox_init(&sb);
    if (sandbox_allow(&sb, d->ro, SANDBOX_READ) != 0 ||
        sandbox_allow(&sb, d->sock, SANDBOX_SOCKETS) != 0 ||
        sandbox_apply(&sb, why, sizeof(why)) != 0) {
        _exit(90);
    }
    sandbox_cleanup(&sb);
}

/* Run fn in a sandboxed child; its wait status. */
static int
run_child(const struct dirs *d, int (*fn)(const struct dirs *))
{
    int st = 0;
    pid_t pid;

    assert_true((pid = fork()) >= 0);
    if (pid == 0) {
        enter(d);
        _exit(fn(d));
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static int
open_errno(const char *dir, const char *name, int flags)
{
    char p[600];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    if ((fd = open(p, flags | O_CLOEXEC, 0600)) >= 0) {
        close(fd);
        return 0;
    }
    return errno;
}

static int
child_files(const struct dirs *d)
{
    if (open_errno(d->ro, "keys", O_RDONLY) != 0) {
        return 1; /* an allowed file must stay readable */
    }
    if (open_errno(d->ro, "keys", O_WRONLY) != EACCES) {
        return 2;
    }
    if (open_errno(d->ro, "new", O_WRONLY | O_CREAT) != EACCES) {
        return 3;
    }
    if (open_errno(d->other, "secret", O_RDONLY) != EACCES) {
        return 4;
    }
    if (open_errno("/etc", "passwd", O_RDONLY) != EACCES) {
        return 5;
    }
    return 0;
}

/* Landlock: read-only where allowed, nothing elsewhere. */
static void
test_files(void **state)
{
    struct dirs d;
    int st;

    (void)state;
    if (!has_landlock()) {
        skip();
    }
    make_dirs(&d, "files");
    st = run_child(&d, child_files);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static int
bind_in(const char *dir)
{
    struct sockaddr_un sun;
    int fd, r = 0;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
        r = errno;
    } else if (unlink(sun.sun_path) != 0) {
        r = -2;
    }
    close(fd);
    return r;
}

static int
child_sockets(const struct dirs *d)
{
    if (bind_in(d->sock) != 0) {
        return 1;
    }
    return bind_in(d->ro) == EACCES ? 0 : 2;
}

/* Unix sockets only in the directories named for them. */
static void
test_sockets(void **state)
{
    struct dirs d;
    int st;

    (void)state;
    if (!has_landlock()) {
        skip();
    }
    make_dirs(&d, "sockets");
    st = run_child(&d, child_sockets);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void *
thread_fn(void *arg)
{
    return arg;
}

static int
child_calls(const struct dirs *d)
{
    pthread_t t;
    void *ret = NULL;

    (void)d;
    /* Calls aditd never makes fail with EPERM, and the child lives on. */
    if (chroot("/") != -1 || errno != EPERM) {
        return 1;
    }
    if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM) {
        return 2;
    }
    if (syscall(SYS_setuid, 0) != -1 || errno != EPERM) {
        return 3;
    }
    /* Threads (libuv's pool) still start. */
    if (pthread_create(&t, NULL, thread_fn, (void *)d) != 0 ||
        pthread_join(t, &ret) != 0 || ret != d) {
        return 4;
    }
    if (!SANITIZER && (fork() != -1 || errno != EPERM)) {
        return 5;
    }
    return 0;
}

static void
test_forbidden_calls(void **state)
{
    struct dirs d;
    int st;

    (void)state;
    make_dirs(&d, "calls");
    st = run_child(&d, child_calls);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* socket(family, type): 0 if made, else its errno. */
static int
socket_errno(int family, int type, int proto)
{
    int fd = socket(family, type | SOCK_CLOEXEC, proto);

    if (fd < 0) {
        return errno;
    }
    close(fd);
    return 0;
}

static int
child_net(const struct dirs *d)
{
    int sv[2], fd, n = 0, on = 1;

    (void)d;
    /* What aditd uses still works, with or without SOCK_NONBLOCK. */
    if (socket_errno(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0) != 0 ||
        socket_errno(AF_INET6, SOCK_STREAM, 0) != 0 ||
        socket_errno(AF_INET, SOCK_DGRAM, 0) != 0 ||
        socket_errno(AF_UNIX, SOCK_STREAM, 0) != 0 ||
        socket_errno(AF_UNIX, SOCK_DGRAM, 0) != 0) {
        return 1;
    }
    /* Raw, packet and netlink sockets are refused. */
    if (socket_errno(AF_INET, SOCK_RAW, IPPROTO_ICMP) != EPERM ||
        socket_errno(AF_PACKET, SOCK_RAW, 0) != EPERM ||
        socket_errno(AF_NETLINK, SOCK_RAW, 0) != EPERM ||
        socket_errno(AF_INET, SOCK_SEQPACKET, 0) != EPERM) {
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        return 3;
    }
    close(sv[1]);
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != -1 || errno != EPERM) {
        return 4;
    }
    /* ioctl: libuv's and glibc's requests pass, any other is refused
     * before the kernel sees it (TIOCSTI would inject terminal input). */
    fd = sv[0];
    if (ioctl(fd, FIONBIO, &on) != 0 || ioctl(fd, FIONREAD, &n) != 0 ||
        ioctl(fd, FIOCLEX) != 0) {
        return 5;
    }
    if (ioctl(fd, TIOCSTI, "x") != -1 || errno != EPERM ||
        ioctl(fd, SIOCGIFCONF, NULL) != -1 || errno != EPERM) {
        return 6;
    }
    close(fd);
    /* A scoped address's interface (fe80::1%lo) is still looked up. */
    if (if_nametoindex("lo") == 0) {
        return 7;
    }
    return 0;
}

/* seccomp: socket() by family and type, ioctl() by request. */
static void
test_socket_and_ioctl_args(void **state)
{
    struct dirs d;
    int st;

    (void)state;
    make_dirs(&d, "net");
    st = run_child(&d, child_net);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static int
child_exec(const struct dirs *d)
{
    char *argv[] = {"/bin/true", NULL};

    (void)d;
    execve(argv[0], argv, environ);
    return errno == EPERM ? 77 : 78;
}

/* execve kills the process (SIGSYS); the sanitizer build refuses it. */
static void
test_execve(void **state)
{
    struct dirs d;
    int st;

    (void)state;
    make_dirs(&d, "exec");
    st = run_child(&d, child_exec);
    if (SANITIZER) {
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 77);
    } else {
        assert_true(WIFSIGNALED(st));
        assert_int_equal(WTERMSIG(st), SIGSYS);
    }
}

/* /proc/PID/status of a sandboxed child: NoNewPrivs 1, Seccomp 2. */
static void
test_status(void **state)
{
    char line[256], path[64], c = 0;
    int up[2], down[2], nnp = -1, sc = -1, st;
    struct dirs d;
    FILE *f;
    pid_t pid;

    (void)state;
    make_dirs(&d, "status");
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    assert_true((pid = fork()) >= 0);
    if (pid == 0) {
        enter(&d);
        _exit(write(up[1], "x", 1) == 1 && read(down[0], &c, 1) == 1 ? 0 : 1);
    }
    assert_int_equal(read(up[0], &c, 1), 1);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    assert_non_null(f = fopen(path, "r"));
    while (fgets(line, sizeof(line), f) != NULL) {
        sscanf(line, "NoNewPrivs: %d", &nnp);
        sscanf(line, "Seccomp: %d", &sc);
    }
    fclose(f);
    assert_int_equal(write(down[1], "x", 1), 1);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_int_equal(nnp, 1);
    assert_int_equal(sc, 2);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_sockets),
        cmocka_unit_test(test_forbidden_calls),
        cmocka_unit_test(test_socket_and_ioctl_args),
        cmocka_unit_test(test_execve),
        cmocka_unit_test(test_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
