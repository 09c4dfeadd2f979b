/* SPDX-License-Identifier: ISC */
/*
 * aditd's services around the server: the control socket (`aditd
 * status`), the metrics endpoint, and systemd notification (READY,
 * STATUS, WATCHDOG, RELOADING, STOPPING); and the `aditd status` client.
 */
#ifndef ADIT_APP_ADITD_SVC_H
#define ADIT_APP_ADITD_SVC_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config/server_config.h"
#include "fwd/server.h"

struct io_svc;

struct aditd_svc {
    uv_loop_t *loop;
    struct server *srv;
    struct io_svc *ctl, *metrics;
    char *ctl_path, *metrics_addr; /* what ctl and metrics were made for */
    uv_timer_t tick;               /* STATUS= changes and WATCHDOG=1 */
    bool has_tick;
    char last_status[256];
};

/* Open what cfg asks for and tell systemd we are ready. 0, or ERR_* after
 * logging why (a control socket or metrics address that cannot be used
 * stops the start, as a port that cannot be bound does). */
int aditd_svc_start(struct aditd_svc *s, uv_loop_t *loop, struct server *srv,
                    const struct server_config *cfg);

/* Check the parts of a new configuration that only the services know
 * (MetricsAddress): 0, or ERR_CONFIG with why. */
int aditd_svc_check(const struct server_config *cfg, char *why, size_t why_len);

/* SIGHUP: RELOADING=1 before, aditd_svc_reloaded after (with the new
 * configuration, or NULL when the old one was kept). */
void aditd_svc_reloading(struct aditd_svc *s);
void aditd_svc_reloaded(struct aditd_svc *s, const struct server_config *cfg);

/* STOPPING=1, and close everything. */
void aditd_svc_stop(struct aditd_svc *s);

/* `aditd status [--json] [-f config] [-S socket]`: the exit status. */
int aditd_status_main(int argc, char **argv);

#endif
