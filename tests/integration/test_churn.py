# SPDX-License-Identifier: ISC
"""Churn (issue 7): thousands of channels opened and closed through adit
(-L, -D and -R, each to an echo peer, data checked) and hundreds of SSH
connections made and dropped against aditd (a raw client that logs in,
opens a direct-tcpip channel, echoes and hangs up), four at a time. Then
both processes must be back where they started: the same number of open
file descriptors (/proc/PID/fd), exactly, and VmRSS (/proc/PID/status)
within RSS_SLACK_KIB of the figure taken after a warm-up, within
seconds (what ended connections freed is given back on an idle tick).

The warm-up runs the same mix first, so that what a process keeps on
purpose (malloc's arenas, the pooled write requests, buffers grown to
their working size) is already in the baseline; what is left to grow is
what churn leaks. Under ASan the counts are smaller (the run must stay
under a minute there too) and the freed-memory quarantine is capped, so
that VmRSS measures what the program holds rather than what ASan keeps
to catch use-after-free; LeakSanitizer still checks every allocation at
exit (a report fails the test)."""
import concurrent.futures
import os
import socket
import struct
import time

import harness
import rawssh
from rawssh import RawSsh, string, u32

CHANNELS, LOGINS = 2000, 200
ASAN_CHANNELS, ASAN_LOGINS = 1000, 100
WARMUP_SHARE = 0.1
WORKERS = 4
# VmRSS growth allowed over the whole run. A leak of one small struct per
# channel (2000 x 64 bytes) would stay under it; one of a channel's
# buffers (16 KiB and more) would not. Measured once the heap is given
# back: +20 to +32 KiB (normal build, 2000 channels); +116 to +1212 KiB
# (ASan, 2000 channels) before that.
RSS_SLACK_KIB = 2 * 1024
ASAN_RSS_SLACK_KIB = 8 * 1024
ASAN_QUARANTINE_MB = 1
SETTLE_TIMEOUT = 60.0
# Ticks are a second apart; a loaded machine may stretch a few of them.
RETURN_TIMEOUT = 10.0


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def snapshot(pid):
    return fd_count(pid), rawssh.vm_rss_kib(pid)


def echo_on(sock, data):
    sock.settimeout(harness.IO_TIMEOUT)
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    got = harness.recv_all(sock, limit=len(data))
    assert got == data, (len(got), len(data))


def recv_exact(sock, n):
    got = b""
    while len(got) < n:
        chunk = sock.recv(n - len(got))
        assert chunk, "cut short after %d of %d bytes" % (len(got), n)
        got += chunk
    return got


def through_tcp(port, data):
    """-L or -R: connect, echo, close."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        echo_on(s, data)


def through_socks(dport, target, data):
    """-D: a SOCKS5 CONNECT to the echo peer, echo, close."""
    with socket.create_connection(("127.0.0.1", dport), timeout=30) as s:
        s.settimeout(harness.IO_TIMEOUT)
        s.sendall(b"\x05\x01\x00")
        assert recv_exact(s, 2) == b"\x05\x00"
        s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1")
                  + struct.pack(">H", target))
        reply = recv_exact(s, 10)
        assert reply[1] == 0, reply
        echo_on(s, data)


def ssh_login(server, target, data):
    """A whole SSH connection to aditd: login, a direct-tcpip channel,
    one echo, then the socket closed without a goodbye."""
    with RawSsh(server.port) as c:
        assert c.login(server.user, server.key)
        sid = c.open_direct("127.0.0.1", target)
        c.send(bytes([rawssh.MSG_CHANNEL_DATA]) + u32(sid) + string(data))
        got = b""
        while len(got) < len(data):
            p = c.recv(skip=(rawssh.MSG_IGNORE, rawssh.MSG_GLOBAL_REQUEST,
                             rawssh.MSG_CHANNEL_WINDOW_ADJUST))
            assert p[0] == rawssh.MSG_CHANNEL_DATA, p
            got += rawssh.Reader(p[5:]).string()
        assert got == data


class Churn:
    def __init__(self, server, lport, dport, rport, echo_port):
        self.server, self.echo_port = server, echo_port
        self.lport, self.dport, self.rport = lport, dport, rport

    def one(self, i):
        """Job i: one channel through -L, -D or -R in turn, and every
        tenth also one SSH connection to aditd."""
        data = harness.payload_of(1 + (i * 37) % 3000, seed=i)
        kind = i % 3
        if kind == 0:
            through_tcp(self.lport, data)
        elif kind == 1:
            through_socks(self.dport, self.echo_port, data)
        else:
            through_tcp(self.rport, data)
        return kind

    def login(self, i):
        ssh_login(self.server, self.echo_port,
                  harness.payload_of(100 + i, seed=i))

    def run(self, channels, logins):
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            jobs = [ex.submit(self.one, i) for i in range(channels)]
            jobs += [ex.submit(self.login, i) for i in range(logins)]
            for j in jobs:
                j.result(timeout=120)


def hold_still(measure, what, quiet):
    """measure() once it has not changed for `quiet` seconds."""
    last, since = None, time.monotonic()

    def still():
        nonlocal last, since
        now = measure()
        if now != last:
            last, since = now, time.monotonic()
            return None
        return now if time.monotonic() - since >= quiet else None
    return harness.poll(still, SETTLE_TIMEOUT, what + " to hold still")


def quiet_fds(pids, quiet=1.0):
    """The fd counts once none has changed for `quiet` seconds (the
    check that the -R port listens opened a channel of its own, which
    closes a moment later)."""
    return hold_still(lambda: {p: fd_count(p) for p in pids}, "fd counts",
                      quiet)


def settled(pids, base_fds):
    """Wait until every pid has its baseline fd count again (channels and
    connections close asynchronously); return the snapshots."""
    def back():
        now = {p: snapshot(p) for p in pids}
        return now if all(now[p][0] == base_fds[p] for p in pids) else None
    try:
        return harness.poll(back, SETTLE_TIMEOUT, "fd counts back")
    except TimeoutError:
        raise AssertionError("fds never came back: %r now, %r before" % (
            {p: fd_count(p) for p in pids}, base_fds))


def held_still(pids, quiet=3.0):
    """The snapshots once no VmRSS has changed for `quiet` seconds: past
    the idle tick that gives freed memory back, so that the baseline is
    what the process holds, not what it has yet to return."""
    return hold_still(lambda: {p: snapshot(p) for p in pids}, "VmRSS",
                      quiet)


def returned(pids, base, slack):
    """The snapshots once every pid's VmRSS is back within slack of base:
    what ended connections and channels freed goes back to the system on
    an idle tick (a second), not the moment the fds close. The last
    snapshot when it never is (the assertion below says by how much)."""
    last = {}

    def back():
        last.update({p: snapshot(p) for p in pids})
        ok = all(last[p][1] - base[p][1] <= slack for p in pids)
        return dict(last) if ok else None
    try:
        return harness.poll(back, RETURN_TIMEOUT, "VmRSS back")
    except TimeoutError:
        return dict(last)


def test_churn(bins, client, aditd, home, procs, peers):
    bins.require("adit")
    asan = harness.is_asan(bins.aditd)
    env = dict(home.env)
    if asan:
        env["ASAN_OPTIONS"] = ":".join(filter(None, [
            env.get("ASAN_OPTIONS"),
            "quarantine_size_mb=%d" % ASAN_QUARANTINE_MB]))
    channels, logins = ((ASAN_CHANNELS, ASAN_LOGINS) if asan
                        else (CHANNELS, LOGINS))
    slack = ASAN_RSS_SLACK_KIB if asan else RSS_SLACK_KIB
    server = aditd.start(env=env)
    server.key = rawssh.load_ed25519(home.key)
    server.user = home.user
    echo = peers.echo()
    rport = harness.free_port()

    def argv_of(ports):
        return client.argv("adit", server.port, forwards=[
            "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)]
        )[:-1] + ["-D", "127.0.0.1:%d" % ports[1],
                  "-R", "%d:127.0.0.1:%d" % (rport, echo.port),
                  "%s@127.0.0.1" % home.user]
    proc, (lport, dport) = client.start_listening("adit", argv_of, n=2,
                                                  env=env)
    harness.poll(lambda: harness.port_open(rport), harness.READY_TIMEOUT,
                 "the -R port")
    churn = Churn(server, lport, dport, rport, echo.port)
    pids = {"aditd": server.proc.pid, "adit": proc.pid}

    # The fds of the idle tunnel: every connection and channel the churn
    # makes must be gone again, warm-up included.
    base_fds = quiet_fds(pids.values())
    start = time.monotonic()
    churn.run(int(channels * WARMUP_SHARE), int(logins * WARMUP_SHARE))
    settled(pids.values(), base_fds)
    base = held_still(pids.values())
    churn.run(channels, logins)
    settled(pids.values(), base_fds)
    held_still(pids.values())
    after = returned(pids.values(), base, slack)
    took = time.monotonic() - start
    print("\nchurn: %d channels through adit, %d SSH connections to aditd, "
          "%.1f s" % (channels, logins, took))
    for name, pid in pids.items():
        print("  %-5s fds %d -> %d, VmRSS %d -> %d KiB (%+d)"
              % (name, base[pid][0], after[pid][0], base[pid][1],
                 after[pid][1], after[pid][1] - base[pid][1]))
    for name, pid in pids.items():
        assert after[pid][1] - base[pid][1] <= slack, (
            "%s VmRSS grew from %d to %d KiB over the churn"
            % (name, base[pid][1], after[pid][1]))
    assert proc.alive() and server.proc.alive()
    # Still working after it all.
    through_tcp(lport, b"after the churn")
