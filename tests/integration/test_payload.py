# SPDX-License-Identifier: ISC
"""Byte-for-byte payloads through -L in both directions, and many
connections at once through one tunnel."""
import os
import socket
import threading

import pytest

import harness
import rawssh
from paths import PATHS

SIZES = [
    pytest.param(0, id="0B"),
    pytest.param(1, id="1B"),
    pytest.param(64 * 1024, id="64KiB"),
    pytest.param(64 * 1024 * 1024, id="64MiB"),
]
CONCURRENT = 50


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_upload(kind, server_kind, size, client, server_of, peers):
    """client -> tunnel -> sink: the sink sees exactly the bytes sent."""
    server = server_of(server_kind)
    sink = peers.sink()
    _, lport = client.tunnel(kind, server, sink.port)
    data = harness.payload_of(size)
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        # The sink closes once it has read EOF: wait for that close.
        assert harness.recv_all(s, limit=0) == b""
    sink.recorder.wait_for(size, harness.sha256(data), harness.IO_TIMEOUT)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_download(kind, server_kind, size, client, server_of, peers):
    """source -> tunnel -> client: the client gets exactly the bytes sent."""
    server = server_of(server_kind)
    data = harness.payload_of(size, seed=2)
    source = peers.source(data)
    _, lport = client.tunnel(kind, server, source.port)
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        got = harness.recv_all(s, limit=size)
    assert len(got) == size
    assert harness.sha256(got) == harness.sha256(data)


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_concurrent_connections(kind, server_kind, client, server_of, peers):
    """50 connections open at once through one tunnel, each echoed back
    intact and without mixing."""
    server = server_of(server_kind)
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port)
    msgs = [os.urandom(8192) + b"conn-%d" % i for i in range(CONCURRENT)]
    socks = [socket.create_connection(("127.0.0.1", lport),
                                      timeout=harness.IO_TIMEOUT)
             for _ in range(CONCURRENT)]
    results = [None] * CONCURRENT

    def talk(i):
        s = socks[i]
        try:
            s.sendall(msgs[i])
            s.shutdown(socket.SHUT_WR)
            results[i] = harness.recv_all(s, limit=len(msgs[i]))
        except OSError as e:
            results[i] = e

    threads = [threading.Thread(target=talk, args=(i,), daemon=True)
               for i in range(CONCURRENT)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=harness.IO_TIMEOUT)
    finally:
        for s in socks:
            s.close()
    bad = [i for i in range(CONCURRENT) if results[i] != msgs[i]]
    assert not bad, "connections with wrong echo: %r" % bad
    assert echo.accepted >= CONCURRENT


# Bulk data grows buffers to megabytes (the window is up to 16 MiB between
# adit and aditd); once it is gone, each side must be back within this of
# where it was. Measured: +30 MiB and more kept before idle trimming,
# under +1 MiB after.
RSS_RETURN_SLACK_KIB = 6 * 1024
BULK_FOR_MEMORY = 64 * 1024 * 1024
RSS_RETURN_TIMEOUT = 20.0


def tree_rss_kib(pid):
    """VmRSS of pid and its descendants (aditd's per-connection
    processes, if any), in KiB; ones that exit meanwhile count 0."""
    kids = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            total += rawssh.vm_rss_kib(p)
        except (OSError, ValueError):
            continue
    return total


def test_bulk_memory_returns(bins, client, aditd, peers):
    """adit -> aditd: after 64 MiB through -L, both processes give the
    buffers the bulk data grew back within seconds (an idle connection
    holds none), and the bytes arrived intact."""
    if harness.is_asan(bins.adit):
        pytest.skip("ASan keeps freed memory in its quarantine")
    server = aditd.start()
    sink = peers.sink()
    proc, lport = client.tunnel("adit", server, sink.port)
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        s.sendall(b"warm-up")
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s, limit=0) == b""
    # The warm-up channel is gone and its buffers too once idle.
    sink.recorder.wait_for(7, harness.sha256(b"warm-up"), harness.IO_TIMEOUT)
    base = (tree_rss_kib(proc.pid), tree_rss_kib(server.proc.pid))
    data = harness.payload_of(BULK_FOR_MEMORY, seed=3)
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s, limit=0) == b""
    sink.recorder.wait_for(len(data), harness.sha256(data),
                           harness.IO_TIMEOUT)
    now = [None, None]

    def returned():
        now[:] = [tree_rss_kib(proc.pid), tree_rss_kib(server.proc.pid)]
        return all(n <= b + RSS_RETURN_SLACK_KIB for n, b in zip(now, base))

    try:
        harness.poll(returned, RSS_RETURN_TIMEOUT, "memory back after bulk")
    except TimeoutError:
        pytest.fail("VmRSS adit %d -> %d KiB, aditd %d -> %d KiB, %.0f s "
                    "after 64 MiB" % (base[0], now[0], base[1], now[1],
                                      RSS_RETURN_TIMEOUT))
