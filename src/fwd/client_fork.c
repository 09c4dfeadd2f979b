/* SPDX-License-Identifier: ISC */
/* adit -f: background after authentication, with the status passed back. */
#include "fwd/client_fork.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

#define CLIENT_FORK_FAIL 255

/* The parent: wait for one status byte from the child. A child that
 * failed is about to exit: reap it rather than leave a zombie behind.
 * With go_on, a ready child lets the parent return (0). */
static int
client_fork_parent(int rfd, pid_t child, bool go_on)
{
    uint8_t status = CLIENT_FORK_FAIL;
    ssize_t n;

    do {
        n = read(rfd, &status, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        status = CLIENT_FORK_FAIL; /* the child died without a word */
    }
    if (status != 0) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    close(rfd);
    if (status == 0 && go_on) {
        return 0;
    }
    _exit(status);
}

static int
client_fork_common(int *ready_fd, bool *is_parent)
{
    int fds[2], devnull;
    pid_t pid;

    *ready_fd = -1;
    if (pipe(fds) != 0) {
        return ERR_IO;
    }
    if ((pid = fork()) < 0) {
        close(fds[0]);
        close(fds[1]);
        return ERR_IO;
    }
    if (pid > 0) {
        close(fds[1]);
        *is_parent = true;
        return client_fork_parent(fds[0], pid, true);
    }
    *is_parent = false;
    close(fds[0]);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
        (void)dup2(devnull, STDIN_FILENO);
        if (devnull > STDERR_FILENO) {
            close(devnull);
        }
    }
    *ready_fd = fds[1];
    return 0;
}

int
client_fork(int *ready_fd)
{
    bool is_parent = false;
    int r = client_fork_common(ready_fd, &is_parent);

    if (r == 0 && is_parent) {
        _exit(0); /* the child is ready: the parent's work is done */
    }
    return r;
}

int
client_fork_detach(int *ready_fd, bool *is_parent)
{
    *is_parent = false;
    return client_fork_common(ready_fd, is_parent);
}

static void
client_fork_send(int *ready_fd, uint8_t status)
{
    ssize_t n;

    if (*ready_fd <= STDERR_FILENO) {
        return;
    }
    do {
        n = write(*ready_fd, &status, 1);
    } while (n < 0 && errno == EINTR);
    close(*ready_fd);
    *ready_fd = -1;
}

void
client_fork_ready(int *ready_fd, int log_level)
{
    int devnull;

    if (*ready_fd <= STDERR_FILENO) {
        return;
    }
    log_debug("forking to background");
    /* Leave the terminal's session only now: until ready, ^C at the
     * terminal stops both processes, as it stops ssh before its fork. */
    (void)setsid();
    /* Quiet the standard streams first, so the parent's caller (a shell
     * capturing our output) sees them close once the parent exits. */
    if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
        (void)dup2(devnull, STDOUT_FILENO);
        if (log_level < LOG_DEBUG1) {
            (void)dup2(devnull, STDERR_FILENO);
        }
        if (devnull > STDERR_FILENO) {
            close(devnull);
        }
    }
    client_fork_send(ready_fd, 0);
}

void
client_fork_failed(int *ready_fd, int status)
{
    client_fork_send(ready_fd, (uint8_t)(status > 0 ? status : 0));
}
