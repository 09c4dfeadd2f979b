# SPDX-License-Identifier: ISC
"""bench/run's measurements, one function per item of issue 6. Each
appends raw runs to a Table (see report.py); none decides pass or fail."""
import contextlib
import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import time

import harness
from benchlib import (CIPHERS, PAIRS, Tunnel, cpu_seconds, fd_fit, fields,
                      memory_kb, per_conn, port_works, run_tool, wait_tight)

SHORT = {"aes128-gcm@openssh.com": "aes128-gcm",
         "chacha20-poly1305@openssh.com": "chacha20-poly1305"}
MIB_PER_GB = 1000 / 1.048576


def pair_label(kind, server):
    return "%s->%s" % (kind, server)


def blast_mbs(world, port, mib):
    out = run_tool([world.tool("blast"), "send", str(port), str(mib)])
    words = out.split()  # "<bytes> bytes in <secs> s = <n> MB/s"
    return int(words[0]) / max(float(words[3]), 1e-6) / 1e6


def timed_blast(world, port, mib, cli_pids, srv_pids):
    """MB/s and client+server CPU-seconds per GB of one transfer."""
    c0, s0 = cpu_seconds(cli_pids), cpu_seconds(srv_pids)
    mbs = blast_mbs(world, port, mib)
    c1, s1 = cpu_seconds(cli_pids), cpu_seconds(srv_pids)
    gb = mib / MIB_PER_GB
    return mbs, ((c1 - c0) + (s1 - s0)) / gb


def relay_chain(world, target, middle=None):
    """Two relays (client side, server side) to target, with the delay
    relay between them when middle (ms) is given: the floor's tunnel.
    Returns the entry port and the two relays' pids (client side first)."""
    b = harness.free_port()
    pb = world.start("relay", [world.tool("relay"), str(b), str(target)], b)
    hop = b
    if middle:
        hop = harness.free_port()
        world.start("delay", [world.tool("delay"), str(hop), str(b),
                              str(middle)], hop)
    a = harness.free_port()
    pa = world.start("relay", [world.tool("relay"), str(a), str(hop)], a)
    return a, [pa.pid, pb.pid]


def mux_chain(world, target):
    """The floor's tunnel for short connections: two muxrelays (client
    side, server side) carrying every connection over one TCP connection
    to target, as a tunnel does (relay_chain opens a second TCP connection
    per connection, most of what a short one costs there). The server side
    is not probed (its first connection is the client side's); the entry
    port and the two pids (client side first)."""
    b = harness.free_port()
    pb = world.start("muxrelay", [world.tool("muxrelay"), "server", str(b),
                                  str(target)])
    a = harness.free_port()
    pa = world.start("muxrelay", [world.tool("muxrelay"), "client", str(a),
                                  str(b)], a)
    return a, [pa.pid, pb.pid]


def _sysctl_max(name):
    """The last (max) field of /proc/sys/<name>, or None."""
    try:
        with open("/proc/sys/" + name) as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def delay_note(delay):
    """What limits item 2, for the reader: the round trip is all in the
    relay (it reads as fast as it is sent to, holding up to 64 MiB each
    way), so the loopback TCP hops either side of it have sub-millisecond
    round trips and the kernel's buffer caps are not the limit unless they
    are tiny; the channel window over the round trip is."""
    rtt = 2 * delay / 1000.0
    caps = [_sysctl_max("net/ipv4/tcp_rmem"), _sysctl_max("net/ipv4/tcp_wmem")]
    text = ("item 2: %d ms each way is a %.0f ms round trip; a channel window "
            "of 2 MiB (OpenSSH's, and adit's toward OpenSSH) carries at most "
            "%.0f MB/s over it, adit's 16 MiB toward adit %.0f MB/s; a "
            "transfer also pays one round trip to open the channel and one "
            "for EOF and the sink's count"
            % (delay, rtt * 1000, 2 * 1048576 / rtt / 1e6,
               16 * 1048576 / rtt / 1e6))
    if None not in caps:
        text += ("; kernel TCP buffer caps tcp_rmem %d KiB, tcp_wmem %d KiB"
                 % (caps[0] // 1024, caps[1] // 1024))
        if min(caps) < 1048576:
            text += (" (under 1 MiB: the machine's caps, which a user cannot "
                     "raise, may limit the loopback hops here)")
    return text


# openssl speed's names for the ciphers, and the size it is timed at: one
# block of work that stays in the cache, its best case.
SPEED_EVP = {"aes128-gcm@openssh.com": "aes-128-gcm",
             "chacha20-poly1305@openssh.com": "chacha20-poly1305"}
SPEED_BYTES = 16384


def crypto_s_per_gb(cipher):
    """CPU-seconds per GB of one pass of the cipher (encrypt or decrypt)
    by the machine's libcrypto at its best (`openssl speed -evp`, 16 KiB
    blocks, one second), or None without the openssl tool. Its
    chacha20-poly1305 is RFC 8439's, the same two primitives over the same
    bytes as OpenSSH's construction."""
    tool = shutil.which("openssl")
    if tool is None:
        return None
    out = run_tool([tool, "speed", "-seconds", "1", "-bytes",
                    str(SPEED_BYTES), "-evp", SPEED_EVP[cipher]])
    last = out.strip().splitlines()[-1].split()
    rate = float(last[-1].rstrip("k")) * 1000  # "<name> <n>k": 1000 B/s
    return 1e9 / rate


def crypto_floor(table, cipher, relay_cpu):
    """The physical floor of a tunnel's CPU per GB here: the relay chain's
    (one read and one write per hop) plus two passes of the cipher, as one
    byte is encrypted once by the client and decrypted once by the server
    (or the other way round)."""
    one = crypto_s_per_gb(cipher)
    if one is None:
        return
    for d in ("L", "R"):
        table.add("bulk.%s.%s.floor" % (d, SHORT[cipher]), "floor",
                  relay_cpu + 2 * one if relay_cpu is not None else None)
    table.extra("crypto", SHORT[cipher], {"s_per_gb_one_pass": one,
                                          "bytes": SPEED_BYTES})


def bulk(world, table, servers, sink, mib, runs, delay=None):
    """Item 1 (and 2 with delay, in ms): one forwarded connection, -L and
    -R, per cipher, four pairs and the relay floor. Every tunnel of a
    cipher is up at once and each run goes round all of them, so a change
    in the machine's load during the item moves every column alike instead
    of whichever pair ran then (OpenSSH's own figure moved by a third
    between two runs a few seconds apart when the pairs ran one after the
    other)."""
    ciphers = CIPHERS[:1] if delay else CIPHERS
    prefix = "delay" if delay else "bulk"
    if delay:
        table.note(delay_note(delay))
    for cipher in ciphers:
        with contextlib.ExitStack() as up:
            tunnels = [bulk_tunnel(up, world, servers, sink, kind, server,
                                   cipher, delay)
                       for kind, server in PAIRS]
            entry, pids = relay_chain(world, sink, delay)
            for _ in range(runs):
                for col, t, srv_pid, ports in tunnels:
                    for d, p in ports:
                        rid = "%s.%s.%s" % (prefix, d, SHORT[cipher])
                        try:
                            mbs, cpu = timed_blast(world, p, mib,
                                                   [t.proc.pid], [srv_pid])
                        except (RuntimeError, subprocess.TimeoutExpired):
                            mbs = cpu = None
                        table.add(rid + ".mbs", col, mbs)
                        if not delay:
                            table.add(rid + ".cpu", col, cpu)
                bulk_floor(world, table, entry, pids, mib, prefix, cipher,
                           delay)


def bulk_tunnel(up, world, servers, sink, kind, server, cipher, delay):
    """One pair's tunnel with a -L and a -R to the sink, entered on up:
    (column, tunnel, server pid, [(direction, port)])."""
    srv = servers[server]
    port = srv["delay_port"] if delay else srv["port"]
    lport, rport = harness.free_port(), harness.free_port()
    t = up.enter_context(Tunnel(world, kind, port, cipher,
                                local=[(lport, sink)],
                                remote=[(rport, sink)]))
    return (pair_label(kind, server), t, srv["proc"].pid,
            [("L", lport), ("R", rport)])


def bulk_floor(world, table, entry, pids, mib, prefix, cipher, delay):
    """One run through the relay chain, the floor of both directions."""
    mbs, cpu = timed_blast(world, entry, mib, pids[:1], pids[1:])
    for d in ("L", "R"):
        rid = "%s.%s.%s" % (prefix, d, SHORT[cipher])
        table.add(rid + ".mbs", "floor", mbs)
        if not delay:
            table.add(rid + ".cpu", "floor", cpu)
    if not delay:
        crypto_floor(table, cipher, cpu)


def connload_run(world, port, n, conc, socks_to=None, pids=None):
    """connload's figures; with pids (client side, server side), also
    "cpu_us": their CPU microseconds per connection (what the tunnel
    itself spends, unlike the rate, whatever else the machine runs)."""
    argv = [world.tool("connload"), "run", str(port), str(n), str(conc)]
    if socks_to:
        argv.append(str(socks_to))
    c0 = cpu_seconds(pids) if pids else 0
    try:
        res = fields(run_tool(argv, timeout=180))
    except (RuntimeError, subprocess.TimeoutExpired):
        return None
    if pids and res.get("n"):
        res["cpu_us"] = (cpu_seconds(pids) - c0) * 1e6 / res["n"]
    return res


def add_short(table, rid, col, res):
    for key, name in (("rate", "rate"), ("p50_ms", "p50"),
                      ("p99_ms", "p99"), ("cpu_us", "cpu")):
        if name == "cpu" and rid.startswith("short.direct"):
            continue
        table.add("%s.%s" % (rid, name), col, res.get(key) if res else None)


def short(world, table, servers, echo, opts):
    """Item 3: short connections through -L and -D, 1 and 50 at once,
    the relay floor for -L (muxrelay: one connection carries them all, as
    in a tunnel), and the load generator straight to the echo server (its
    own ceiling)."""
    n1, n50, runs = opts["short_n1"], opts["short_n50"], opts["runs"]
    cases = [("c1", 1, n1), ("c50", 50, n50)]
    for kind, server in PAIRS:
        lport, dport = harness.free_port(), harness.free_port()
        col = pair_label(kind, server)
        with Tunnel(world, kind, servers[server]["port"], CIPHERS[0],
                    local=[(lport, echo)], socks=[dport]) as t:
            pids = [t.proc.pid, servers[server]["proc"].pid]
            for _ in range(runs):
                for cname, conc, n in cases:
                    add_short(table, "short.L.%s" % cname, col,
                              connload_run(world, lport, n, conc, None, pids))
                    add_short(table, "short.D.%s" % cname, col,
                              connload_run(world, dport, n, conc, echo, pids))
    entry, pids = mux_chain(world, echo)
    for _ in range(runs):
        for cname, conc, n in cases:
            add_short(table, "short.L.%s" % cname, "floor",
                      connload_run(world, entry, n, conc, None, pids))
            add_short(table, "short.direct.%s" % cname, "floor",
                      connload_run(world, echo, n, conc))


def hold_once(world, tunnel, srv_pid, lport, n, opts):
    """Open n connections through the tunnel and hold them: memory per
    connection on each side (KiB: private, and Pss and Rss in the JSON),
    echo p50 while held."""
    out = {}
    port_works(lport)
    cli0, srv0 = memory_kb([tunnel.proc.pid]), memory_kb([srv_pid])
    env = dict(os.environ, CONNLOAD_DEADLINE_S=str(opts["hold_deadline"]))
    p = subprocess.Popen([world.tool("connload"), "hold", str(lport),
                          str(n)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env=env)
    try:
        opened = fields(p.stdout.readline())
        out["opened"] = opened.get("n", 0)
        out["open_s"] = opened.get("secs")
        cli = per_conn(memory_kb([tunnel.proc.pid]), cli0, out["opened"])
        srv = per_conn(memory_kb([srv_pid]), srv0, out["opened"])
        out["cli_kb"], out["srv_kb"] = cli["private"], srv["private"]
        out["cli_mem"], out["srv_mem"] = cli, srv
        p.stdin.write("echo %d\n" % opts["hold_echoes"])
        p.stdin.flush()
        echo = fields(p.stdout.readline())
        out["echo_p50"] = echo.get("p50_ms") if echo.get("n") else None
        p.stdin.write("quit\n")
        p.stdin.flush()
        p.wait(60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    if not tunnel.proc.alive():
        out["opened"] = 0
    return out


def idle_why_short(col, n, res, opts):
    """Why fewer than n opened, when the run says: the hold deadline."""
    if res.get("open_s") is not None and \
            res["open_s"] >= opts["hold_deadline"] - 0.5:
        return ("item 4, %s: %d of %d open when the %d s hold deadline "
                "ran out (hold_deadline)" % (col, res["opened"], n,
                                             opts["hold_deadline"]))
    return ("item 4, %s: %d of %d open; the tunnel refused or dropped the "
            "rest" % (col, res["opened"], n))


def idle(world, table, servers, echo, opts):
    """Item 4: N idle forwarded connections held in one tunnel."""
    for n_asked in opts["idle_n"]:
        # each side holds one descriptor per connection (the echo server
        # and the load generator too)
        n, why = fd_fit(n_asked, 1)
        if why:
            table.note("item 4 at %d: %s" % (n_asked, why))
        for kind, server in PAIRS:
            col = pair_label(kind, server)
            srv = servers[server]
            for _ in range(opts["runs"]):
                lport = harness.free_port()
                with Tunnel(world, kind, srv["port"], CIPHERS[0],
                            local=[(lport, echo)]) as t:
                    res = hold_once(world, t, srv["proc"].pid, lport, n,
                                    opts)
                for key in ("opened", "cli_kb", "srv_kb", "echo_p50",
                            "open_s"):
                    table.add("idle.%d.%s" % (n_asked, key), col,
                              res.get(key))
                table.extra("idle.%d" % n_asked, col, res)
                if res["opened"] < n:
                    table.note(idle_why_short(col, n, res, opts))
                    break  # it does not hold n; do not wait for it again


HS_MAX_FAILED_CHECKS = 20
ALLOC = re.compile(r"Allocated port (\d+) for remote forward")


def hs_clients(world, srv, echo, n, group):
    """argv lists for n -R tunnels to srv, `group` per process (adit:
    several destinations in one process; ssh: one per process)."""
    out, left = [], n
    if srv["kind"] != "aditd":
        group = 1
    while left > 0:
        g = min(group, left)
        left -= g
        fwd = ["-R", "127.0.0.1:0:127.0.0.1:%d" % echo]
        if srv["kind"] == "aditd":
            extra = ["-r"] + ["-o", "ServerAliveInterval=60"]
            argv = world.client_argv("adit", srv["port"], None, fwd, extra)
            argv += ["%s@127.0.0.1" % world.user] * (g - 1)
        else:
            argv = world.client_argv("ssh", srv["port"], None, fwd)
        out.append((argv, g))
    return out


def hs_hold(world, srv, echo, n, opts):
    """Start n -R tunnels, at most opts['hs_inflight'] processes still
    logging in at once. Returns the seconds until the last one was granted,
    how many then carry an echo, and the processes (to stop later)."""
    todo = hs_clients(world, srv, echo, n, opts["hs_group"])
    pending, procs, ports = [], [], []
    t0 = last = time.monotonic()
    deadline = t0 + opts["hs_deadline"]
    while (todo or pending) and time.monotonic() < deadline:
        while todo and len(pending) < opts["hs_inflight"]:
            argv, g = todo.pop(0)
            p = world.procs.start("hs", argv)
            pending.append((p, g))
            procs.append(p)
        still = []
        for p, g in pending:
            got = ALLOC.findall(p.stderr())
            if len(got) >= g:
                ports += [int(x) for x in got[:g]]
                last = time.monotonic()
            elif p.alive():
                still.append((p, g))
        pending = still
        time.sleep(0.005)
    works, failed = 0, 0
    for x in ports:
        # a server out of descriptors leaves connects in its backlog,
        # unanswered: after a few such ports, count the rest as failed
        if failed < HS_MAX_FAILED_CHECKS and port_works(x, timeout=2):
            works += 1
        else:
            failed += 1
    return last - t0, works, procs


def hs_connect_ms(world, srv, echo, samples, fdpass=False):
    """Spawn of one client to the first echo through its -R, in ms. With
    fdpass, from connect instead: the client reaches the server through
    ProxyUseFdpass and bench/fdconnect, which records CLOCK_MONOTONIC
    (time.monotonic()'s clock) just before its connect(), so the client's
    spawn and start-up, and the dialer's, are not counted."""
    kind = "adit" if srv["kind"] == "aditd" else "ssh"
    tfile = os.path.join(world.tmp, "fdconnect.t")
    extra = []
    if fdpass:
        extra = ["-o", "ProxyUseFdpass=yes", "-o", "ProxyCommand=%s %s %%h %%p"
                 % (world.tool("fdconnect"), tfile)]
    out = []
    for _ in range(samples):
        port = harness.free_port()
        argv = world.client_argv(kind, srv["port"], None, [
            "-R", "127.0.0.1:%d:127.0.0.1:%d" % (port, echo)], extra)
        if os.path.exists(tfile):
            os.unlink(tfile)
        t0 = time.monotonic()
        p = world.procs.start("hs1", argv)
        try:
            wait_tight(lambda: port_works(port, 1.0) or not p.alive(), 30,
                       "a -R tunnel")
            t1 = time.monotonic()
            if fdpass and p.alive():
                with open(tfile) as f:
                    t0 = float(f.read())
            out.append((t1 - t0) * 1e3 if p.alive() else None)
        except (TimeoutError, OSError, ValueError):
            out.append(None)
        p.stop()
    return out


def startup_ms(world, kind, samples):
    """A client's start-up alone: `-G` (print the configuration, exit),
    spawn to exit in ms; part of every spawn-to-tunnel time."""
    out = []
    for _ in range(samples):
        argv = world.client_argv(kind, 22, None, [])
        t0 = time.monotonic()
        r = subprocess.run(argv[:1] + ["-G"] + argv[1:], env=world.procs.env,
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        out.append((time.monotonic() - t0) * 1e3 if r.returncode == 0
                   else None)
    return out


def handshakes(world, table, echo, opts):
    """Item 5: the server holding N authenticated clients, each with a -R
    listener: ssh -> sshd against adit -> aditd. sshd is driven with at
    most opts['hs_sshd_max'] clients (one ssh process each); N of
    opts['hs_big'] or more runs once (minutes per run on 2 cores)."""
    sshd_done = set()
    for n in opts["hs_n"]:
        # aditd holds a descriptor for each client and each -R listener
        fit, why = fd_fit(n, 2)
        if why:
            table.note("item 5 at %d: %s" % (n, why))
            print("(%s)" % why, end=" ", flush=True)
        for col, start in (("ssh->sshd", world.start_sshd),
                           ("adit->aditd", world.start_aditd)):
            want = min(n, opts["hs_sshd_max"]) if col == "ssh->sshd" else fit
            if col == "ssh->sshd" and want < n and want in sshd_done:
                continue  # sshd's capped count was measured already
            sshd_done.add(want)
            runs = opts["hs_runs"] if n < opts["hs_big"] else 1
            for _ in range(runs):
                # a fresh server each run, so its memory starts clean
                srv = start()
                pid = srv["proc"].pid
                m0, c0 = memory_kb([pid]), cpu_seconds([pid])
                secs, held, procs = hs_hold(world, srv, echo, want, opts)
                c1, m1 = cpu_seconds([pid]), memory_kb([pid])
                conn = hs_connect_ms(world, srv, echo, opts["hs_samples"])
                fdc = hs_connect_ms(world, srv, echo, opts["hs_samples"],
                                    fdpass=True)
                for p in procs + [srv["proc"]]:
                    p.stop()
                world.procs.items = [p for p in world.procs.items
                                     if p not in procs + [srv["proc"]]]
                mem = per_conn(m1, m0, held)
                res = {"n": want, "held": held, "secs": secs,
                       "rate": held / secs if secs > 0 else None,
                       "cpu_ms": (c1 - c0) * 1e3 / max(held, 1),
                       "srv_kb": mem["private"], "srv_mem": mem,
                       "connect_ms": conn, "fdconnect_ms": fdc}
                for key in ("held", "rate", "cpu_ms", "srv_kb"):
                    table.add("hs.%d.%s" % (n, key), col, res[key])
                for v in conn:
                    table.add("hs.%d.connect_ms" % n, col, v)
                for v in fdc:
                    table.add("hs.%d.fdconnect_ms" % n, col, v)
                kind = col.split("->")[0]
                for v in startup_ms(world, kind, opts["hs_samples"]):
                    table.add("hs.%d.startup_ms" % n, col, v)
                table.extra("hs.%d" % n, col, res)
                if held < want:
                    break


def load_recovery():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "recovery")
    loader = importlib.machinery.SourceFileLoader("bench_recovery", path)
    spec = importlib.util.spec_from_loader("bench_recovery", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class _Args:
    def __init__(self, rounds, build):
        self.rounds, self.build = rounds, build


def recovery(world, table, opts):
    """Item 6: bench/recovery's rounds (adit -r against autossh -M 0 and
    ssh, to sshd; and adit -r to aditd killed and restarted), with
    ServerAliveInterval 1 x CountMax 2, polled every 2 ms."""
    if shutil.which("autossh") is None:
        table.note("recovery: autossh is not installed "
                   "(scripts/install-deps.sh --bench); autossh rows empty")
    rec = load_recovery()
    rec.INTERVAL, rec.COUNT = opts["rec_interval"], opts["rec_count"]
    home = {"key": world.key, "authorized": world.authorized,
            "hostkey": world.hostkey, "known_hosts": world.known,
            "user": world.user}
    step, harness.POLL_INTERVAL = harness.POLL_INTERVAL, 0.002
    try:
        for fault in ("session", "killed", "frozen"):
            for col, kind in (("ssh->sshd", "autossh"),
                              ("adit->sshd", "adit")):
                if kind == "autossh" and shutil.which("autossh") is None:
                    continue
                times = rec.measure(kind, fault, _Args(opts["rec_rounds"],
                                                       world.build),
                                    home, world.procs, world.tmp)
                for t in times or [None]:
                    table.add("rec.%s" % fault, col, t)
        for t in rec.RESTARTS:
            table.add("rec.restart", "floor", t)
        # adit's own recovery, without sshd's fork, re-exec and privilege
        # separation in every new connection: aditd killed and restarted.
        times = rec.measure("adit", "killed", _Args(opts["rec_rounds"],
                                                    world.build),
                            home, world.procs, world.tmp, server="aditd")
        for t in times or [None]:
            table.add("rec.aditd", "adit->aditd", t)
    finally:
        harness.POLL_INTERVAL = step
