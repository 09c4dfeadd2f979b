/* SPDX-License-Identifier: ISC */
/* aditd's sandbox: no_new_privs, Landlock, seccomp (see sandbox.h). */
#define _GNU_SOURCE /* O_PATH, CLONE_THREAD */
#include "io/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

/*
 * The sanitizer build (ASan + UBSan + LeakSanitizer) needs more: see
 * allowed_sanitizer below and /proc/self in the Landlock rules.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

void
sandbox_init(struct sandbox *sb)
{
    memset(sb, 0, sizeof(*sb));
}

void
sandbox_cleanup(struct sandbox *sb)
{
    size_t i;

    for (i = 0; i < sb->n_paths; i++) {
        free(sb->paths[i].path);
    }
    memset(sb, 0, sizeof(*sb));
}

int
sandbox_allow(struct sandbox *sb, const char *path, unsigned access)
{
    size_t i;

    for (i = 0; i < sb->n_paths; i++) {
        if (strcmp(sb->paths[i].path, path) == 0) {
            sb->paths[i].access |= access;
            return 0;
        }
    }
    if (sb->n_paths >= SANDBOX_MAX_PATHS) {
        return ERR_LIMIT;
    }
    if ((sb->paths[sb->n_paths].path = strdup(path)) == NULL) {
        return ERR_NOMEM;
    }
    sb->paths[sb->n_paths++].access = access;
    return 0;
}

/* Landlock: only through syscall(2); glibc has no wrappers. */

#define LL_READ_FILE LANDLOCK_ACCESS_FS_READ_FILE
#define LL_READ_DIR LANDLOCK_ACCESS_FS_READ_DIR
#define LL_SOCK (LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REMOVE_FILE)
/* Every right of ABI 1, then what later ABIs added. */
#define LL_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
#define LL_REFER (1ULL << 13)
#define LL_TRUNCATE (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)

static uint64_t
ll_handled(int abi)
{
    uint64_t h = LL_ABI1;

    if (abi >= 2) {
        h |= LL_REFER;
    }
    if (abi >= 3) {
        h |= LL_TRUNCATE;
    }
    /* IOCTL_DEV (ABI 5) is left out: libuv sets FIONBIO on sockets, and
     * seccomp already limits what aditd can do with a device. */
    return h;
}

/* One path's rule; a directory gets listing and, for SOCKDIR, sockets. */
static int
ll_add(int rfd, const struct sandbox_path *p)
{
    struct landlock_path_beneath_attr pb;
    struct stat st;
    int fd, r;

    if ((fd = open(p->path, O_PATH | O_CLOEXEC)) < 0) {
        return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -1;
    }
    memset(&pb, 0, sizeof(pb));
    pb.parent_fd = fd;
    if ((p->access & SANDBOX_READ) != 0) {
        pb.allowed_access = LL_READ_FILE;
    }
    /* Landlock takes only file rights on a file's own rule. */
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if ((p->access & SANDBOX_READ) != 0) {
            pb.allowed_access |= LL_READ_DIR;
        }
        if ((p->access & SANDBOX_SOCKETS) != 0) {
            pb.allowed_access |= LL_SOCK;
        }
    }
    if (pb.allowed_access == 0) {
        close(fd);
        return 0;
    }
    r = (int)syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
                     &pb, 0);
    close(fd);
    return r;
}

/* LeakSanitizer reads /proc/self/maps and /proc/self/task at exit. */
static const struct sandbox_path proc_self = {"/proc/self", SANDBOX_READ};

static int
sandbox_landlock(const struct sandbox *sb, char *why, size_t why_len)
{
    struct landlock_ruleset_attr ra;
    size_t i;
    int abi, rfd, r = 0;

    abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        log_info("Landlock is not available (%s); the sandbox is seccomp "
                 "only.",
                 strerror(errno));
        return 0;
    }
    memset(&ra, 0, sizeof(ra));
    ra.handled_access_fs = ll_handled(abi);
    rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
    if (rfd < 0) {
        snprintf(why, why_len, "landlock_create_ruleset: %s", strerror(errno));
        return ERR_IO;
    }
    for (i = 0; i < sb->n_paths + SANDBOX_SANITIZER && r == 0; i++) {
        if (ll_add(rfd, i < sb->n_paths ? &sb->paths[i] : &proc_self) != 0) {
            snprintf(why, why_len, "landlock rule for %s: %s",
                     i < sb->n_paths ? sb->paths[i].path : proc_self.path,
                     strerror(errno));
            r = ERR_IO;
        }
    }
    if (r == 0 && syscall(SYS_landlock_restrict_self, rfd, 0) != 0) {
        snprintf(why, why_len, "landlock_restrict_self: %s", strerror(errno));
        r = ERR_IO;
    }
    close(rfd);
    return r;
}

/*
 * The system calls aditd makes after start-up, found by running the
 * integration suite under strace -f -c: libuv's epoll loop and threads,
 * sockets of every kind it forwards (TCP, Unix, the resolver's UDP),
 * reading authorized_keys/CA/KRL files and the passwd database at each
 * login or reload, Unix socket files for streamlocal forwards and the
 * control socket, and what glibc, OpenSSL and zlib call underneath.
 */
static const char *const allowed[] = {
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "close",
    "close_range",
    "openat",
    "open",
    "newfstatat",
    "fstat",
    "stat",
    "lstat",
    "statx",
    "lseek",
    "fcntl",
    "getdents64",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getcwd",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd2",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    "unlink",
    "unlinkat",
    "umask",
    "fchmod", /* not chmod/fchmodat: Landlock cannot limit them by path */
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "brk",
    "madvise",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "getpid",
    "gettid",
    "getppid",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "nanosleep",
    "clock_nanosleep",
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "set_tid_address",
    "exit",
    "exit_group",
    "restart_syscall",
    "getrandom",
    "uname",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "sched_getaffinity",
    "sched_yield",
    "getrlimit",
    "prlimit64",
    "sysinfo",
    "statfs",
    "fstatfs",
    "membarrier",
    "getpriority",
};

/* ASan and LeakSanitizer at exit: /proc reads, a tracer made by clone and
 * ptrace to stop the world, and their own signal handling. */
static const char *const allowed_sanitizer[] = {
    "ptrace", "wait4", "waitid", "prctl", "sched_setaffinity", "kill",
};

/* What an attacker who has the process wants first: new programs, other
 * processes' memory. These kill at once, as OpenSSH's sandbox does. */
static const char *const killed[] = {
    "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
};

static int
sc_add(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n)
{
    size_t i;
    int nr;

    for (i = 0; i < n; i++) {
        /* A name this architecture lacks (open on arm64) is skipped. */
        if ((nr = seccomp_syscall_resolve_name(names[i])) == __NR_SCMP_ERROR) {
            continue;
        }
        if (seccomp_rule_add(ctx, action, nr, 0) != 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * tgkill only at this process's own threads (raise, abort, libuv's
 * wakeups): never a signal to another process.
 */
static int
sc_tgkill(scmp_filter_ctx ctx)
{
    struct scmp_arg_cmp own = {.arg = 0,
                               .op = SCMP_CMP_EQ,
                               .datum_a = (scmp_datum_t)getpid(),
                               .datum_b = 0};

    if (SANDBOX_SANITIZER) {
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 0);
    }
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, own);
}

/*
 * socket() by family and type, as aditd uses them (strace of the
 * integration suite): TCP over IPv4 and IPv6 for listeners and targets,
 * UDP for the resolver, Unix streams for streamlocal forwards and the
 * control socket, Unix datagrams for sd_notify; socketpair only as Unix
 * streams (named endpoints). No raw or packet sockets, no netlink: those
 * fail with EPERM. The type's low bits are the type; SOCK_NONBLOCK and
 * SOCK_CLOEXEC above them may be set or not.
 */
#define SC_SOCK_TYPE_MASK 0xfu

static const int sc_socket_kinds[][2] = {
    {AF_INET, SOCK_STREAM}, {AF_INET6, SOCK_STREAM}, {AF_INET, SOCK_DGRAM},
    {AF_INET6, SOCK_DGRAM}, {AF_UNIX, SOCK_STREAM},  {AF_UNIX, SOCK_DGRAM},
};

static int
sc_socket_rule(scmp_filter_ctx ctx, int nr, int family, int type)
{
    struct scmp_arg_cmp fam = {.arg = 0,
                               .op = SCMP_CMP_EQ,
                               .datum_a = (scmp_datum_t)family,
                               .datum_b = 0};
    struct scmp_arg_cmp ty = {.arg = 1,
                              .op = SCMP_CMP_MASKED_EQ,
                              .datum_a = SC_SOCK_TYPE_MASK,
                              .datum_b = (scmp_datum_t)type};

    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, fam, ty);
}

static int
sc_sockets(scmp_filter_ctx ctx)
{
    size_t i;

    for (i = 0; i < sizeof(sc_socket_kinds) / sizeof(sc_socket_kinds[0]); i++) {
        if (sc_socket_rule(ctx, SCMP_SYS(socket), sc_socket_kinds[i][0],
                           sc_socket_kinds[i][1]) != 0) {
            return -1;
        }
    }
    return sc_socket_rule(ctx, SCMP_SYS(socketpair), AF_UNIX, SOCK_STREAM);
}

/*
 * ioctl() by request: libuv's FIONBIO and FIOCLEX/FIONCLEX, FIONREAD,
 * glibc's isatty (TCGETS) and if_nametoindex (SIOCGIFINDEX, which a
 * scoped target such as fe80::1%eth0 needs; it only reads an index).
 * Compared on the low 32 bits, as the kernel reads the request as an
 * unsigned int.
 */
static const unsigned long sc_ioctls[] = {
    FIONBIO, FIONREAD, FIOCLEX, FIONCLEX, TCGETS, SIOCGIFINDEX,
};

static int
sc_ioctl(scmp_filter_ctx ctx)
{
    size_t i;

    for (i = 0; i < sizeof(sc_ioctls) / sizeof(sc_ioctls[0]); i++) {
        struct scmp_arg_cmp req = {.arg = 1,
                                   .op = SCMP_CMP_MASKED_EQ,
                                   .datum_a = 0xffffffffu,
                                   .datum_b = (scmp_datum_t)sc_ioctls[i]};

        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, req) !=
            0) {
            return -1;
        }
    }
    return 0;
}

/*
 * Threads only: clone with CLONE_THREAD (a fork would not have it), and
 * clone3, whose flags seccomp cannot see, answers ENOSYS so glibc falls
 * back to clone. prctl only to name threads.
 */
static int
sc_threads(scmp_filter_ctx ctx)
{
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) !=
        0) {
        return -1;
    }
    /* LeakSanitizer's tracer is a clone without CLONE_THREAD. */
    if (SANDBOX_SANITIZER) {
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 0);
    }
    if (seccomp_rule_add(
            ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
            SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) != 0) {
        return -1;
    }
    /* Spelled out: SCMP_A0 with one datum leaves datum_b to the
     * compiler, which clang's -Wmissing-field-initializers refuses. */
    struct scmp_arg_cmp set_name = {
        .arg = 0, .op = SCMP_CMP_EQ, .datum_a = PR_SET_NAME, .datum_b = 0};

    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, set_name);
}

/*
 * Anything else fails with EPERM rather than killing: aditd holds every
 * tunnel in one process, and a call missed here (a libc that picks
 * another call on another system) should fail one request, not end every
 * connection. The calls that only an attacker makes kill.
 */
static int
sandbox_seccomp(char *why, size_t why_len)
{
    scmp_filter_ctx ctx;
    int r = -1;

    if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
        snprintf(why, why_len, "seccomp_init failed");
        return ERR_IO;
    }
    if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) == 0 &&
        sc_add(ctx, SCMP_ACT_ALLOW, allowed,
               sizeof(allowed) / sizeof(allowed[0])) == 0 &&
        sc_threads(ctx) == 0 && sc_tgkill(ctx) == 0 && sc_sockets(ctx) == 0 &&
        sc_ioctl(ctx) == 0 &&
        (SANDBOX_SANITIZER
             ? sc_add(ctx, SCMP_ACT_ALLOW, allowed_sanitizer,
                      sizeof(allowed_sanitizer) / sizeof(allowed_sanitizer[0]))
             : sc_add(ctx, SCMP_ACT_KILL_PROCESS, killed,
                      sizeof(killed) / sizeof(killed[0]))) == 0) {
        r = seccomp_load(ctx);
    }
    seccomp_release(ctx);
    if (r != 0) {
        snprintf(why, why_len, "seccomp filter: %s",
                 strerror(r < 0 ? -r : EINVAL));
        return ERR_IO;
    }
    return 0;
}

/* Landlock binds only the calling thread and those it starts later. */
static int
single_threaded(void)
{
    struct dirent *e;
    DIR *d;
    int n = 0;

    if ((d = opendir("/proc/self/task")) == NULL) {
        return 1; /* no /proc: nothing to tell */
    }
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n <= 1;
}

int
sandbox_apply(const struct sandbox *sb, char *why, size_t why_len)
{
    int r;

    if (!single_threaded()) {
        snprintf(why, why_len, "threads are running already");
        return ERR_IO;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(why, why_len, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return ERR_IO;
    }
    if ((r = sandbox_landlock(sb, why, why_len)) != 0) {
        return r;
    }
    return sandbox_seccomp(why, why_len);
}
