# SPDX-License-Identifier: ISC
"""A connection's queued data has a budget (LIM_CONN_QUEUED, 32 MiB): a
peer that sends into many channels whose targets do not read makes aditd
stop reading the connection, not hold every channel's window (64 such
channels: about 65 MiB of windows here, 576 MiB with 16,384). Once the
targets read, everything arrives and the tunnel goes on. aditd's own
keepalive (ClientAliveInterval) does not take the pause for the client's
silence: the client's bytes wait unread in the socket."""
import os
import select
import socket
import threading
import time

import harness
from fwdhelp import echo_through

CHANNELS = 64
EACH = 2 * 1024 * 1024  # as much as the largest window, on every channel
BUDGET = 32 * 1024 * 1024
MIB = 1024 * 1024


class StuckTarget:
    """A Unix socket server that reads nothing until go. (On a Unix socket
    the kernel keeps about 200 KB per connection for a reader that does
    not read; on loopback TCP, a sender's buffer grows to a few MB and
    would take whole windows.)"""

    def __init__(self, peers, path):
        self.go = threading.Event()
        self.got = []
        self.lock = threading.Lock()
        self.server = peers.start(self.handle, path)

    def handle(self, conn):
        if not self.go.wait(180):
            return
        n = 0
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            n += len(chunk)
        with self.lock:
            self.got.append(n)


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def push(conns, each, stop):
    """Send each bytes on every connection, without blocking on any, then
    half-close it; until stop is set."""
    block = bytes(range(256)) * 256
    left = {s: each for s in conns}
    for s in conns:
        s.setblocking(False)
    while left and not stop.is_set():
        _, ready, _ = select.select([], list(left), [], 0.5)
        for s in ready:
            try:
                k = s.send(block[:min(len(block), left[s])])
            except BlockingIOError:
                continue
            left[s] -= k
            if left[s] == 0:
                s.shutdown(socket.SHUT_WR)
                del left[s]


def test_queued_data_budget(aditd, client, peers, home, tmp_path):
    path = str(tmp_path / "stuck.sock")
    target = StuckTarget(peers, path)
    echo = peers.echo()
    # A Unix socket target needs the key's consent as well as the server's.
    ak = str(tmp_path / "authorized_keys")
    with open(home.key + ".pub") as src, open(ak, "w") as dst:
        dst.write("port-forwarding " + src.read())
    server = aditd.start(authorized_keys=ak,
                         extra=["AllowStreamLocalForwarding yes",
                                "ClientAliveInterval 1",
                                "ClientAliveCountMax 2"])
    pid = server.proc.pid
    proc, ports = client.start_listening("adit", lambda ps: client.argv(
        "adit", server.port, forwards=["127.0.0.1:%d:%s" % (ps[0], path)]))
    lport = ports[0]
    _, eport = client.tunnel("adit", server, echo.port)
    rss0 = status_kb(pid, "VmRSS")
    conns = [socket.create_connection(("127.0.0.1", lport), timeout=30)
             for _ in range(CHANNELS)]
    stop = threading.Event()
    sender = threading.Thread(target=push, args=(conns, EACH, stop),
                              daemon=True)
    sender.start()
    try:
        harness.wait_log(server.proc, "bytes queued for local sockets: not "
                         "reading", 120)
        # Another connection to the same server is not held up.
        echo_through(eport)
        # Paused for longer than ClientAliveInterval x CountMax (2 s): the
        # client is not given up on.
        time.sleep(5)
        assert "not responding" not in server.proc.stderr()
        if not sanitized(pid):  # ASan's quarantine keeps freed memory
            grew = (status_kb(pid, "VmHWM") - rss0) * 1024
            assert grew < BUDGET + 24 * MIB, \
                "aditd grew by %.0f MiB" % (grew / MIB)
        target.go.set()
        # (a readiness probe's connection, if any, brought nothing)
        harness.poll(lambda: len([n for n in target.got if n]) == CHANNELS,
                     180, "every channel's data at the target")
        assert [n for n in target.got if n] == [EACH] * CHANNELS
    finally:
        stop.set()
        target.go.set()
        sender.join(30)
        for s in conns:
            s.close()
    assert proc.alive() and server.proc.alive()
    echo_through(eport)
    proc.stop()
