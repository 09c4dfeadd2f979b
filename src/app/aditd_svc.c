/* SPDX-License-Identifier: ISC */
/* aditd: control socket, metrics, systemd notification, aditd status. */
#include "app/aditd_svc.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_ctl.h"
#include "io/io_metrics.h"
#include "io/io_svc.h"
#include "io/sdnotify.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define ADITD_TICK_MS 5000u
#define ADITD_STATUS_TIMEOUT_MS 10000

static int
aditd_ctl_handler(void *ctx, const struct ctl_request *req,
                  struct io_ctl_call *call, struct buf *body, char *why,
                  size_t why_len)
{
    struct aditd_svc *s = ctx;
    bool json = req->argc == 2 && strcmp(req->argv[1], "json") == 0;

    if (strcmp(req->argv[0], "status") == 0 && (req->argc == 1 || json)) {
        return json ? server_status_json(s->srv, body)
                    : server_status_text(s->srv, body);
    }
    if (strcmp(req->argv[0], "check") == 0 && req->argc == 1) {
        /* as ssh -O check: the answer is the pid */
        char pid[32];
        snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
        return buf_put(body, pid, strlen(pid));
    }
    snprintf(why, why_len, "%s: unknown command or arguments", req->argv[0]);
    return ERR_NOTFOUND;
}

static int
aditd_metrics_cb(void *ctx, struct buf *out)
{
    struct aditd_svc *s = ctx;

    return server_metrics(s->srv, out);
}

static bool
aditd_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
aditd_open_ctl(struct aditd_svc *s, const char *path)
{
    int r;

    if (path == NULL) {
        return 0;
    }
    if ((r = io_ctl_listen(&s->ctl, s->loop, path, aditd_ctl_handler, s)) !=
        0) {
        log_error("ControlSocket %s: %s", path,
                  r == ERR_IO       ? strerror(errno)
                  : r == ERR_EXISTS ? "in use by a running process or not "
                                      "a socket"
                                    : err_str(r));
        return r;
    }
    if ((s->ctl_path = str_ndup(path, strlen(path))) == NULL) {
        return ERR_NOMEM;
    }
    log_info("Control socket %s.", path);
    return 0;
}

static int
aditd_open_metrics(struct aditd_svc *s, const char *spec)
{
    char why[256];
    uint16_t port = 0;
    int r;

    if (spec == NULL) {
        return 0;
    }
    if ((r = io_metrics_listen(&s->metrics, s->loop, spec, aditd_metrics_cb, s,
                               &port, why, sizeof(why))) != 0) {
        log_error("MetricsAddress %s", why);
        return r;
    }
    if ((s->metrics_addr = str_ndup(spec, strlen(spec))) == NULL) {
        return ERR_NOMEM;
    }
    log_info("Metrics listening on port %u (%s).", (unsigned)port, spec);
    return 0;
}

static void
aditd_close_services(struct aditd_svc *s)
{
    io_svc_close(s->ctl);
    io_svc_close(s->metrics);
    s->ctl = NULL;
    s->metrics = NULL;
    free(s->ctl_path);
    free(s->metrics_addr);
    s->ctl_path = NULL;
    s->metrics_addr = NULL;
}

/* STATUS= when it changed; WATCHDOG=1 whenever the loop gets here, which
 * is what the watchdog asks: the loop is turning. */
static void
aditd_tick(uv_timer_t *t)
{
    struct aditd_svc *s = t->data;
    char line[sizeof(s->last_status)];

    server_status_line(s->srv, line, sizeof(line));
    if (strcmp(line, s->last_status) != 0) {
        memcpy(s->last_status, line, sizeof(line));
        (void)sdnotify_printf("STATUS=%s", line);
    }
    if (sdnotify_watchdog_usec() > 0) {
        (void)sdnotify_send("WATCHDOG=1");
    }
}

static void
aditd_ready(struct aditd_svc *s)
{
    server_status_line(s->srv, s->last_status, sizeof(s->last_status));
    (void)sdnotify_printf("READY=1\nSTATUS=%s", s->last_status);
}

static void
aditd_start_tick(struct aditd_svc *s)
{
    uint64_t wd = sdnotify_watchdog_usec() / 1000u / 2u, every = ADITD_TICK_MS;

    if (!sdnotify_enabled()) {
        return;
    }
    if (wd > 0 && wd < every) {
        every = wd;
    }
    uv_timer_init(s->loop, &s->tick);
    s->tick.data = s;
    s->has_tick = true;
    uv_timer_start(&s->tick, aditd_tick, every, every);
    if (wd > 0) {
        (void)sdnotify_send("WATCHDOG=1");
    }
}

int
aditd_svc_start(struct aditd_svc *s, uv_loop_t *loop, struct server *srv,
                const struct server_config *cfg)
{
    int r;

    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->srv = srv;
    if ((r = aditd_open_ctl(s, cfg->control_socket)) != 0 ||
        (r = aditd_open_metrics(s, cfg->metrics_address)) != 0) {
        aditd_close_services(s);
        return r;
    }
    aditd_start_tick(s);
    aditd_ready(s);
    return 0;
}

int
aditd_svc_check(const struct server_config *cfg, char *why, size_t why_len)
{
    struct sockaddr_storage ss;

    if (cfg->metrics_address == NULL) {
        return 0;
    }
    return io_metrics_addr(cfg->metrics_address, &ss, why, why_len);
}

void
aditd_svc_reloading(struct aditd_svc *s)
{
    (void)sdnotify_reloading();
}

/* A service whose setting changed is opened anew; one that then cannot
 * be opened is logged and left closed: the server goes on. */
void
aditd_svc_reloaded(struct aditd_svc *s, const struct server_config *cfg)
{
    if (cfg != NULL && !aditd_same(cfg->control_socket, s->ctl_path)) {
        io_svc_close(s->ctl);
        s->ctl = NULL;
        free(s->ctl_path);
        s->ctl_path = NULL;
        (void)aditd_open_ctl(s, cfg->control_socket);
    }
    if (cfg != NULL && !aditd_same(cfg->metrics_address, s->metrics_addr)) {
        io_svc_close(s->metrics);
        s->metrics = NULL;
        free(s->metrics_addr);
        s->metrics_addr = NULL;
        (void)aditd_open_metrics(s, cfg->metrics_address);
    }
    aditd_ready(s);
}

void
aditd_svc_stop(struct aditd_svc *s)
{
    (void)sdnotify_send("STOPPING=1");
    aditd_close_services(s);
    if (s->has_tick) {
        uv_close((uv_handle_t *)&s->tick, NULL);
        s->has_tick = false;
    }
}

/* The control socket named by -S, or by ControlSocket in -f's file. */
static int
aditd_status_path(const char *sock, const char *file, char **out)
{
    struct server_config cfg;
    char why[600], *copy;
    int r;

    *out = NULL;
    if (sock != NULL) {
        *out = str_ndup(sock, strlen(sock));
        return *out != NULL ? 0 : ERR_NOMEM;
    }
    if (file == NULL) {
        fprintf(stderr, "aditd: status: give -S socket or -f config_file\n");
        return ERR_CONFIG;
    }
    server_config_init(&cfg);
    r = server_config_load(&cfg, file, why, sizeof(why));
    if (r == 0 && (copy = str_ndup(file, strlen(file))) != NULL) {
        r = server_config_finish(&cfg, dirname(copy));
        free(copy);
    }
    if (r != 0) {
        fprintf(stderr, "%s\n", r == ERR_NOTFOUND ? file : why);
    } else if (cfg.control_socket == NULL) {
        fprintf(stderr, "aditd: status: %s has no ControlSocket\n", file);
        r = ERR_CONFIG;
    } else {
        *out = cfg.control_socket;
        cfg.control_socket = NULL;
    }
    server_config_cleanup(&cfg);
    return r;
}

static int
aditd_status_call(const char *path, bool json)
{
    const char *argv[2] = {"status", "json"};
    struct buf body;
    bool ok = false;
    int r;

    buf_init(&body);
    r = io_ctl_call(path, argv, json ? 2 : 1, ADITD_STATUS_TIMEOUT_MS, &ok,
                    &body);
    if (r == ERR_IO) {
        fprintf(stderr, "aditd: control socket %s: %s\n", path,
                strerror(errno));
    } else if (r != 0) {
        fprintf(stderr, "aditd: control socket %s: %s\n", path, err_str(r));
    } else if (!ok) {
        fprintf(stderr, "aditd: status: %.*s\n", (int)buf_len(&body),
                (const char *)buf_ptr(&body));
        r = ERR_INVAL;
    } else if (fwrite(buf_ptr(&body), 1, buf_len(&body), stdout) !=
                   buf_len(&body) ||
               fflush(stdout) != 0) {
        r = ERR_IO;
    }
    buf_cleanup(&body);
    return r;
}

int
aditd_status_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *sock = NULL, *file = NULL;
    char *path = NULL;
    bool json = false;
    int ch, r;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:S:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = true;
            break;
        case 'f':
            file = optarg;
            break;
        case 'S':
            sock = optarg;
            break;
        default:
            fprintf(stderr, "usage: aditd status [--json] [-f config_file] "
                            "[-S control_socket]\n");
            return 1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: aditd status [--json] [-f config_file] "
                        "[-S control_socket]\n");
        return 1;
    }
    if ((r = aditd_status_path(sock, file, &path)) == 0) {
        r = aditd_status_call(path, json);
    }
    free(path);
    return r == 0 ? 0 : 1;
}
