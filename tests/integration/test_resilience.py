# SPDX-License-Identifier: ISC
"""A local socket that dies while data flows ends that one channel, never
the client or the server: a reset on either end, then the same tunnel
still carries a new connection byte for byte."""
import socket
import struct

import pytest

import harness
from paths import PATHS

BULK = 16 * 1024 * 1024


def reset(sock):
    """Close with a TCP RST (SO_LINGER 0), as a crashed peer would."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def tolerant_source(payload):
    """Send payload; a peer that resets mid-way is the point, not an error."""
    def handler(conn):
        try:
            conn.sendall(payload)
            conn.shutdown(socket.SHUT_WR)
            harness.recv_all(conn)
        except OSError:
            pass
    return handler


def resetting_target(conn):
    """Read a little of an upload, then reset the connection."""
    try:
        conn.recv(4096)
    except OSError:
        pass
    reset(conn)


def assert_alive(*procs):
    for p in procs:
        assert p.alive(), "%s died:\n%s" % (p.name, p.describe())


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_client_side_reset_during_download(kind, server_kind, client,
                                           server_of, peers):
    """The client's local peer resets while server data is still arriving:
    the client's writes fail, then the peer's CLOSE arrives for a channel
    whose socket is already gone."""
    server = server_of(server_kind)
    data = harness.payload_of(BULK, seed=3)
    source = peers.start(tolerant_source(data))
    proc, lport = client.tunnel(kind, server, source.port)
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", lport),
                                     timeout=harness.IO_TIMEOUT)
        s.recv(1024)
        reset(s)
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        got = harness.recv_all(s, limit=BULK)
    assert harness.sha256(got) == harness.sha256(data)
    assert_alive(proc, server.proc)


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_server_side_reset_during_upload(kind, server_kind, client,
                                         server_of, peers):
    """The server's target resets while the client keeps uploading: the
    server's writes fail and only that channel ends."""
    server = server_of(server_kind)
    target = peers.start(resetting_target)
    proc, lport = client.tunnel(kind, server, target.port)
    blob = harness.payload_of(BULK, seed=4)
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", lport),
                                      timeout=harness.IO_TIMEOUT) as s:
            try:
                s.sendall(blob)
                harness.recv_all(s)
            except OSError:
                pass  # the reset reaching us is expected
    echo = peers.echo()
    proc2, lport2 = client.tunnel(kind, server, echo.port)
    msg = harness.payload_of(1 << 20, seed=5)
    with socket.create_connection(("127.0.0.1", lport2),
                                  timeout=harness.IO_TIMEOUT) as s:
        s.sendall(msg)
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s, limit=len(msg)) == msg
    assert_alive(proc, proc2, server.proc)
