# SPDX-License-Identifier: ISC
"""Byte-for-byte payloads through -L in both directions, and many
connections at once through one tunnel."""
import os
import socket
import threading

import pytest

import harness
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
