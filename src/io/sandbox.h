/* SPDX-License-Identifier: ISC */
/*
 * The process sandbox aditd enters once start-up is over (listeners bound,
 * host keys loaded): no new privileges, Landlock limiting the file system
 * to a list of paths, and a seccomp filter allowing only the system calls
 * the event loop, the resolver threads and the forwards make. Linux only;
 * once applied it cannot be undone for the life of the process.
 */
#ifndef ADIT_IO_SANDBOX_H
#define ADIT_IO_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_MAX_PATHS 1024u

/* What a path grants beneath it (bits). */
#define SANDBOX_READ 1u    /* read files, list directories */
#define SANDBOX_SOCKETS 2u /* create and remove Unix sockets (directories) */

struct sandbox_path {
    char *path; /* owned */
    unsigned access;
};

struct sandbox {
    struct sandbox_path paths[SANDBOX_MAX_PATHS];
    size_t n_paths;
};

void sandbox_init(struct sandbox *sb);
void sandbox_cleanup(struct sandbox *sb);

/*
 * Allow path (a file or a directory; the same path twice keeps the wider
 * accesses together). A path that does not exist when the sandbox is applied is
 * skipped. ERR_LIMIT past SANDBOX_MAX_PATHS, ERR_NOMEM.
 */
int sandbox_allow(struct sandbox *sb, const char *path, unsigned access);

/*
 * Apply to the calling process and every thread it starts later (call it
 * before any thread exists: libuv's pool starts on first use).
 * PR_SET_NO_NEW_PRIVS, then Landlock where the kernel has it (its absence
 * is logged, not an error), then the seccomp filter. A forbidden system
 * call fails with EPERM, except execve/execveat/ptrace and friends, which
 * kill the process. ERR_IO with a reason in why if a step failed.
 */
int sandbox_apply(const struct sandbox *sb, char *why, size_t why_len);

#endif
