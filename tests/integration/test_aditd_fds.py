# SPDX-License-Identifier: ISC
"""aditd out of descriptors: accept fails with EMFILE. It must pause
accepting (not spin), go on serving what it holds, stop promptly on
SIGTERM, and accept the connections left waiting once descriptors are
free again. The limit is lowered from outside with prlimit(2) once aditd
runs (it raises its own soft limit at start)."""
import os
import resource
import signal
import socket
import time

import harness
from fwdhelp import echo_through

RAW = 12  # connections beyond the limit: some accepted, the rest wait


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def limit_fds(pid, soft):
    """The soft limit of pid (the hard one may only be raised with
    CAP_SYS_RESOURCE, which a container may lack)."""
    hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)[1]
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        w = f.read().rsplit(")", 1)[1].split()
    return (int(w[11]) + int(w[12])) / os.sysconf("SC_CLK_TCK")


def raw_conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.settimeout(0.2)
    return s


def banner(s):
    """The version line if aditd has sent it (accepted), else None."""
    try:
        data = s.recv(256)
    except socket.timeout:
        return None
    return data if data.startswith(b"SSH-2.0-") else b"closed"


def split(conns, timeout):
    """(accepted, waiting): waiting ones have no version line yet. Polls
    until the accepted count holds still for a second."""
    got, last, steady = {}, -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for s in conns:
            if s not in got:
                b = banner(s)
                if b is not None:
                    got[s] = b
        if len(got) != last:
            last, steady = len(got), time.monotonic()
        elif time.monotonic() - steady > 1.0:
            break
    assert all(b.startswith(b"SSH-2.0-") for b in got.values()), \
        "a connection was accepted and dropped"
    return [s for s in conns if s in got], [s for s in conns if s not in got]


def test_emfile_pauses_serves_stops_and_resumes(aditd, client, peers):
    echo = peers.echo()
    server = aditd.start(extra=["MaxStartups 1000", "LoginGraceTime 0"])
    pid = server.proc.pid
    proc, lport = client.tunnel("adit", server, echo.port)
    # A channel opened before the limit: aditd holds its target socket.
    held = socket.create_connection(("127.0.0.1", lport), timeout=30)
    held.sendall(b"before")
    assert held.recv(6) == b"before"

    base = open_fds(pid)
    limit_fds(pid, base + 4)
    conns = [raw_conn(server.port) for _ in range(RAW)]
    accepted, waiting = split(conns, 60)
    assert accepted and waiting, (len(accepted), len(waiting))
    harness.wait_log(server.proc, "accept: Too many open files", 30)

    # Paused, not spinning: a few ms of CPU a second at most (a spinning
    # accept loop takes a whole core).
    c0, t0 = cpu_s(pid), time.monotonic()
    time.sleep(3)
    used = (cpu_s(pid) - c0) / (time.monotonic() - t0)
    assert used < 0.3, "aditd used %.0f%% CPU while out of fds" % (used * 100)

    # Still serving what it holds: the channel opened before echoes.
    held.sendall(b"during")
    held.settimeout(30)
    assert held.recv(6) == b"during"

    # Descriptors free again: the waiting connections are accepted.
    for s in accepted:
        s.close()
    now, still = split(waiting, 60)
    assert now, "no waiting connection accepted once fds were free"

    # Out of fds again, and SIGTERM: it ends within a bounded time.
    more = [raw_conn(server.port) for _ in range(RAW)]
    _, pending = split(more, 30)
    assert pending
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    server.proc.wait(timeout=20)
    assert time.monotonic() - t0 < 20
    for s in conns + more:
        s.close()
    held.close()
    proc.stop()


def test_adit_listener_pauses_on_emfile(aditd, client, peers):
    """The same for adit's -L listener: out of fds it pauses (the waiting
    connections are not accepted and dropped), and once fds are free every
    one of them is forwarded."""
    echo = peers.echo()
    server = aditd.start()
    proc, lport = client.tunnel("adit", server, echo.port)
    echo_through(lport)
    base = open_fds(proc.pid)
    limit_fds(proc.pid, base + 2)
    conns = [socket.create_connection(("127.0.0.1", lport), timeout=30)
             for _ in range(6)]
    for i, s in enumerate(conns):
        s.sendall(b"conn%02d" % i)
    c0, t0 = cpu_s(proc.pid), time.monotonic()
    time.sleep(3)
    used = (cpu_s(proc.pid) - c0) / (time.monotonic() - t0)
    assert used < 0.3, "adit used %.0f%% CPU while out of fds" % (used * 100)
    harness.wait_log(proc, "accept: Too many open files", 30)
    limit_fds(proc.pid, base + 64)
    for i, s in enumerate(conns):
        got = b""
        s.settimeout(harness.IO_TIMEOUT)
        while len(got) < 6:
            chunk = s.recv(6 - len(got))
            assert chunk, "connection %d dropped" % i
            got += chunk
        assert got == b"conn%02d" % i
        s.close()
    echo_through(lport)
    proc.stop()


def read_all(s, timeout):
    """Everything s gives until it is closed (bounded)."""
    s.settimeout(timeout)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_service_sockets_pause_on_emfile(aditd, tmp_path):
    """aditd's metrics port and control socket out of fds: accepting pauses
    as on the main listener (logged, no spinning, no connection accepted
    and dropped), and once fds are free every waiting client is answered."""
    ctl = str(tmp_path / "ctl")
    mport = harness.free_port()
    server = aditd.start(extra=["ControlSocket " + ctl,
                                "MetricsAddress 127.0.0.1:%d" % mport])
    harness.wait_log(server.proc, "Metrics listening on port %d" % mport)
    pid = server.proc.pid
    base = open_fds(pid)
    limit_fds(pid, base + 2)
    web, unix = [], []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", mport), timeout=30)
        s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        web.append(s)
    for _ in range(3):
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.settimeout(30)
        u.connect(ctl)
        u.sendall(b"ADIT-CTL/1 status\n")
        unix.append(u)
    harness.wait_log(server.proc, "accept: Too many open files", 30)
    c0, t0 = cpu_s(pid), time.monotonic()
    time.sleep(2)
    used = (cpu_s(pid) - c0) / (time.monotonic() - t0)
    assert used < 0.3, "aditd used %.0f%% CPU while out of fds" % (used * 100)
    limit_fds(pid, base + 64)
    for i, s in enumerate(web):
        got = read_all(s, 30)
        assert got.startswith(b"HTTP/1.") and b" 200 " in got[:16], (i, got)
        s.close()
    for i, u in enumerate(unix):
        got = read_all(u, 30)
        assert got.startswith(b"ADIT-CTL/1"), (i, got)
        u.close()
