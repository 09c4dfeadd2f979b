/* SPDX-License-Identifier: ISC */
/* Reading and atomically writing small files (keys, authorized_keys). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/sshkey_int.h"
#include "util/err.h"
#include "util/mem.h"

static int
keyfile_read_fd(int fd, size_t max, struct buf *out)
{
    struct stat st;
    uint8_t *dst;
    size_t got = 0;
    ssize_t n;
    int r;

    if (fstat(fd, &st) != 0) {
        return ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        return ERR_INVAL;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        return ERR_LIMIT;
    }
    /* One byte more than the size, to notice a file that grew. */
    if ((r = buf_reserve(out, (size_t)st.st_size + 1, &dst)) != 0) {
        return r;
    }
    while (got <= (size_t)st.st_size) {
        n = read(fd, dst + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            mem_wipe(dst, got);
            return ERR_IO;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    if (got > (size_t)st.st_size) {
        mem_wipe(dst, got);
        return ERR_IO; /* changed while we read it */
    }
    buf_commit(out, got);
    return 0;
}

int
keyfile_read(const char *path, size_t max, struct buf *out)
{
    int fd, r;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        return errno == ENOENT || errno == ENOTDIR ? ERR_NOTFOUND : ERR_IO;
    }
    r = keyfile_read_fd(fd, max, out);
    close(fd);
    return r;
}

static int
keyfile_write_all(int fd, const uint8_t *p, size_t n)
{
    size_t off = 0;
    ssize_t w;

    while (off < n) {
        w = write(fd, p + off, n - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return ERR_IO;
        }
        off += (size_t)w;
    }
    return 0;
}

int
keyfile_write_atomic(const char *path, const void *p, size_t n, unsigned mode)
{
    char *tmp = NULL;
    size_t plen = strlen(path);
    bool created = false;
    int fd = -1, r = ERR_IO;

    if ((tmp = malloc(plen + sizeof(".XXXXXX"))) == NULL) {
        return ERR_NOMEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
    /* mkstemp creates the file 0600, so key bytes are never exposed. */
    if ((fd = mkstemp(tmp)) < 0) {
        goto out;
    }
    created = true;
    if (fchmod(fd, (mode_t)mode) != 0 ||
        (r = keyfile_write_all(fd, p, n)) != 0 || fsync(fd) != 0) {
        r = ERR_IO;
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        goto out;
    }
    r = 0;
out:
    if (fd >= 0) {
        close(fd);
    }
    if (r != 0 && created) {
        unlink(tmp);
    }
    free(tmp);
    return r;
}
