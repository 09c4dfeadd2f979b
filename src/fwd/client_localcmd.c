/* SPDX-License-Identifier: ISC */
/*
 * LocalCommand (with PermitLocalCommand) and ~C's !command: run through
 * the user's shell with adit's stdin, stdout and stderr, as ssh's
 * ssh_local_cmd; ssh waits for it, adit's loop goes on meanwhile and the
 * caller's next step waits for its end.
 */
#include "fwd/client_int.h"

#include <stdlib.h>
#include <string.h>

#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

struct client_localcmd {
    uv_process_t proc;
    struct client *c;
    void (*then)(struct client *c);
};

static void
client_localcmd_closed(uv_handle_t *h)
{
    free(h->data);
}

static void
client_localcmd_exit(uv_process_t *p, int64_t status, int sig)
{
    struct client_localcmd *lc = p->data;

    log_debug("local command exited: status %lld, signal %d", (long long)status,
              sig);
    uv_close((uv_handle_t *)p, client_localcmd_closed);
    if (lc->then != NULL) {
        lc->then(lc->c);
    }
}

int
client_local_run(struct client *c, const char *cmd,
                 void (*then)(struct client *c))
{
    struct client_localcmd *lc = calloc(1, sizeof(*lc));
    const char *shell = getenv("SHELL");
    uv_process_options_t o;
    uv_stdio_container_t io[3];
    char *args[4];
    int i, r;

    if (lc == NULL) {
        return ERR_NOMEM;
    }
    if (shell == NULL || shell[0] == '\0') {
        shell = "/bin/sh";
    }
    lc->c = c;
    lc->then = then;
    args[0] = (char *)shell;
    args[1] = "-c";
    args[2] = (char *)cmd;
    args[3] = NULL;
    memset(&o, 0, sizeof(o));
    for (i = 0; i < 3; i++) {
        io[i].flags = UV_INHERIT_FD;
        io[i].data.fd = i;
    }
    o.file = shell;
    o.args = args;
    o.stdio = io;
    o.stdio_count = 3;
    o.exit_cb = client_localcmd_exit;
    lc->proc.data = lc;
    log_debug("Executing %s -c \"%s\"", shell, cmd);
    if ((r = io_spawn(c->loop, &lc->proc, &o)) != 0) {
        log_error("Couldn't execute %s -c \"%s\": %s", shell, cmd,
                  uv_strerror(r));
        uv_close((uv_handle_t *)&lc->proc, client_localcmd_closed);
        return ERR_IO;
    }
    return 0;
}
