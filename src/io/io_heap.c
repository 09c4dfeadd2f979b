/* SPDX-License-Identifier: ISC */
/*
 * Memory freed by ended connections and channels goes back to the system
 * once the process is quiet. A connection's idle trim (io_conn_trim)
 * covers only what that one connection grew for bulk data; after a burst
 * of short-lived channels and logins, what they held stays in glibc's
 * heap, and a bastion would keep its high-water mark of VmRSS for good.
 * One process-wide flag (the process runs one loop on one thread),
 * settled at most once a tick by an idle connection's tick, or at once
 * when the last connection goes.
 */
#include "io/io_impl.h"
#include "util/mem.h"

static bool heap_dirty;
static uint64_t heap_settled_ms;

void
io_heap_freed(void)
{
    heap_dirty = true;
}

void
io_heap_settle(uint64_t now, bool at_once)
{
    if (!heap_dirty || (!at_once && now < heap_settled_ms + IO_TICK_MS)) {
        return;
    }
    heap_dirty = false;
    heap_settled_ms = now;
    mem_return_free();
}
