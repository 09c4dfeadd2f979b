# SPDX-License-Identifier: ISC
"""ServerAliveInterval / ServerAliveCountMax and TCPKeepAlive in adit,
against a real sshd that answers and one that has been stopped (SIGSTOP),
with ssh as the reference for the message and the exit status."""
import contextlib
import subprocess
import time

import pytest

import harness
from harness import descendants
from paths import roundtrip

PROBES = 3
PROBE_TIMEOUT = 20  # seconds


@contextlib.contextmanager
def frozen(server_pid):
    """SIGSTOP every process below server_pid (the ones serving the
    connections; the listener keeps running), SIGCONT them at the end."""
    stopped = descendants(server_pid)
    assert stopped, "no per-connection server process found"
    with harness.stopped(stopped):
        yield stopped


def test_server_alive_answered(client, sshd_factory, peers):
    """adit probes an idle sshd every interval; sshd answers and adit
    stays up however long it is idle."""
    server = sshd_factory.start(["LogLevel DEBUG3"])
    echo = peers.echo()
    proc, lport = client.tunnel("adit", server, echo.port,
                                ["ServerAliveInterval=1",
                                 "ServerAliveCountMax=1"])
    needle = "rtype keepalive@openssh.com want_reply 1"

    def probed():
        assert proc.alive(), "adit exited while idle: " + proc.describe()
        return server.proc.stderr().count(needle) >= PROBES
    harness.poll(probed, PROBE_TIMEOUT, "%d keepalive probes in sshd's log"
                 % PROBES)
    roundtrip(lport, b"alive " * 1000)
    assert proc.alive()
    assert "not responding" not in proc.stderr()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_server_alive_stopped_server(kind, client, sshd_factory, peers):
    """With the server's processes stopped, the client gives up after
    Interval * (Count + 1) seconds with ssh's message and status 255."""
    interval, count = 1, 2
    server = sshd_factory.start()
    echo = peers.echo()
    proc, lport = client.tunnel(kind, server, echo.port,
                                ["ServerAliveInterval=%d" % interval,
                                 "ServerAliveCountMax=%d" % count])
    roundtrip(lport, b"before the stop")
    # Wait until the tunnel is idle-stable, then freeze every sshd process
    # serving this connection (by PID; the listener itself keeps running).
    with frozen(server.proc.pid):
        start = time.monotonic()
        limit = interval * (count + 1) + 10  # slack: ticks, a busy machine
        try:
            rc = proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s still up %ds after the server stopped: "
                                 "%s" % (kind, limit, proc.describe()))
        elapsed = time.monotonic() - start
    assert rc == 255, proc.describe()
    assert "Timeout, server 127.0.0.1 not responding." in proc.stderr(), \
        proc.describe()
    # Not before the probes could have been answered.
    assert elapsed >= interval * count, elapsed


def keepalive_timer(port):
    """Whether the client's socket to the server on port has a keepalive
    timer, read with ss once nothing is in flight (a retransmission timer
    would show instead while data is unacknowledged)."""
    def idle_line():
        r = subprocess.run(["ss", "-tnoH", "state", "established",
                            "( dport = :%d )" % port],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
        assert len(lines) == 1, r.stdout
        fields = lines[0].split()
        return lines[0] if fields[1] == "0" else None  # Send-Q empty
    line = harness.poll(idle_line, harness.READY_TIMEOUT,
                        "an idle connection to port %d" % port)
    return "timer:(keepalive" in line


@pytest.mark.parametrize("value,expect", [(None, True), ("yes", True),
                                          ("no", False)])
def test_tcp_keepalive(value, expect, client, sshd_factory, peers):
    """TCPKeepAlive (default yes, as ssh) sets SO_KEEPALIVE on the
    connection to the server: the kernel then shows a keepalive timer."""
    server = sshd_factory.start()
    echo = peers.echo()
    opts = [] if value is None else ["TCPKeepAlive=" + value]
    proc, lport = client.tunnel("adit", server, echo.port, opts)
    roundtrip(lport, b"keepalive")
    assert keepalive_timer(server.port) == expect
    assert proc.alive()
