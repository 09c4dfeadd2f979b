# SPDX-License-Identifier: ISC
"""Compression (zlib@openssh.com, delayed past authentication, and zlib):
adit -C against sshd (Compression yes is sshd's default), ssh -C against
aditd, adit against aditd; text that compresses and random bytes that do
not, byte for byte both ways, and rekeys while compressed (OpenSSH starts
a new zlib stream at every NEWKEYS)."""
import pytest

import harness
from paths import roundtrip
from test_interop import bulk_both_ways

SIZE = 8 * 1024 * 1024
TEXT = (b"SELECT id, name FROM tunnels WHERE state = 'up';\n" * 200000)[:SIZE]


def negotiated(log, direction):
    """The compression ssh/sshd logged for direction ("client->server")."""
    for line in log.splitlines():
        if "kex: " + direction + " cipher:" in line:
            comp = line.rsplit("compression: ", 1)[1]
            return comp.replace("[preauth]", "").strip()
    return None


def start_pair(kind, server_kind, client, sshd_factory, aditd, peers,
               server_extra=(), opts=()):
    if server_kind == "sshd":
        server = sshd_factory.start(list(server_extra) + ["LogLevel DEBUG1"])
    else:
        server = aditd.start(extra=list(server_extra),
                             args=["-o", "LogLevel DEBUG1"])
    echo = peers.echo()
    proc, lport = client.tunnel(kind, server, echo.port,
                                ["Compression=yes", "LogLevel=DEBUG1"]
                                + list(opts))
    return server, proc, lport


@pytest.mark.parametrize("kind,server_kind", [
    pytest.param("adit", "sshd", id="adit-sshd"),
    pytest.param("ssh", "aditd", id="ssh-aditd"),
    pytest.param("adit", "aditd", id="adit-aditd"),
])
def test_compressed_data(kind, server_kind, client, sshd_factory, aditd,
                         peers):
    """zlib@openssh.com is chosen and text and random bytes cross byte for
    byte in both directions."""
    server, proc, lport = start_pair(kind, server_kind, client, sshd_factory,
                                     aditd, peers)
    bulk_both_ways(lport, SIZE, TEXT)
    bulk_both_ways(lport, SIZE)
    roundtrip(lport, b"x")
    openssh = server.proc if server_kind == "sshd" else proc
    if kind == "ssh" or server_kind == "sshd":
        log = openssh.stderr()
        assert negotiated(log, "client->server") == "zlib@openssh.com", log
        assert negotiated(log, "server->client") == "zlib@openssh.com", log
    assert "compression out on" in (proc.stderr() if kind == "adit"
                                    else server.proc.stderr())
    assert proc.alive() and server.proc.alive()


@pytest.mark.parametrize("kind,server_kind,starter", [
    pytest.param("adit", "sshd", "server", id="adit-sshd-server"),
    pytest.param("adit", "sshd", "client", id="adit-sshd-client"),
    pytest.param("ssh", "aditd", "client", id="ssh-aditd-client"),
    pytest.param("ssh", "aditd", "server", id="ssh-aditd-server"),
])
def test_compressed_rekey(kind, server_kind, starter, client, sshd_factory,
                          aditd, peers):
    """RekeyLimit 1M on one side while compressed: every NEWKEYS starts new
    zlib streams on both ends and the data stays intact."""
    limit = ["RekeyLimit 1M"]
    server, proc, lport = start_pair(
        kind, server_kind, client, sshd_factory, aditd, peers,
        server_extra=limit if starter == "server" else (),
        opts=["RekeyLimit=1M"] if starter == "client" else ())
    bulk_both_ways(lport, SIZE)
    bulk_both_ways(lport, SIZE, TEXT)
    roundtrip(lport, b"after rekeys")
    ours = proc if kind == "adit" else server.proc
    assert ours.stderr().count("compression in on") >= 3, \
        ours.stderr()[-3000:]
    assert proc.alive() and server.proc.alive()


def test_no_compression_by_default(client, sshd_factory, peers):
    """Without -C adit offers none only, as ssh does."""
    server = sshd_factory.start(["LogLevel DEBUG1"])
    echo = peers.echo()
    proc, lport = client.tunnel("adit", server, echo.port)
    roundtrip(lport, b"plain")
    assert negotiated(server.proc.stderr(), "client->server") == "none"


def test_dash_c(client, sshd_factory, peers, procs):
    """adit -C is Compression yes."""
    server = sshd_factory.start(["LogLevel DEBUG1"])
    echo = peers.echo()
    lport = harness.free_port()
    argv = client.argv("adit", server.port,
                       forwards=["127.0.0.1:%d:127.0.0.1:%d"
                                 % (lport, echo.port)])
    proc = procs.start("adit", argv[:1] + ["-C"] + argv[1:])
    harness.wait_listening(proc, lport)
    roundtrip(lport, b"dash C " * 1000)
    assert negotiated(server.proc.stderr(),
                      "client->server") == "zlib@openssh.com"
