# SPDX-License-Identifier: ISC
"""-R [bind:]port with no target (remote dynamic forwarding) against a real
OpenSSH sshd: the client answers SOCKS4/4a/5 and HTTP CONNECT inside the
forwarded channels and connects to the target itself. curl (the SOCKS
client, on the "server side", loopback too) fetches a page through it; a
closed target gets each protocol's refusal. ssh runs the same checks as
the reference."""
import re
import socket
import struct

import pytest

import harness
from fwdhelp import argv_with
from test_dynamic import (BODY, curl, http_handler, recv_exact,
                          recv_until_closed, socks5_open)

KINDS = ["ssh", "adit"]

# curl's proxy option, and the target host it names.
FORMS = [
    ("--socks5-hostname", "localhost"),
    ("--socks5", "127.0.0.1"),
    ("--socks4a", "localhost"),
    ("--socks4", "127.0.0.1"),
    ("http-connect", "localhost"),
]


def start_rdynamic(procs, client, kind, sshd, spec):
    return procs.start(kind, argv_with(client, kind, sshd.port, ["-R", spec]))


def fetch(form, rport, host, web_port):
    url = "http://%s:%d/" % (host, web_port)
    if form == "http-connect":
        return curl(["-p", "-x", "http://127.0.0.1:%d" % rport, url])
    return curl([form, "127.0.0.1:%d" % rport, url])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form,host", FORMS, ids=[f for f, _ in FORMS])
def test_curl_through_remote_dynamic(kind, form, host, sshd, client, procs,
                                     peers):
    if kind == "ssh" and form == "http-connect":
        pytest.skip("ssh's remote dynamic forwarding speaks SOCKS only")
    web = peers.start(http_handler)
    rport = harness.free_port()
    proc = start_rdynamic(procs, client, kind, sshd, "127.0.0.1:%d" % rport)
    harness.wait_listening(proc, rport)
    r = fetch(form, rport, host, web.port)
    assert r.returncode == 0, (r.stderr, proc.describe())
    assert r.stdout == BODY
    assert proc.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_remote_dynamic_port_zero(kind, sshd, client, procs, peers):
    """-R 0: the allocated port is printed, and it proxies."""
    web = peers.start(http_handler)
    proc = start_rdynamic(procs, client, kind, sshd, "0")
    pat = re.compile(r"Allocated port (\d+) for remote forward to "
                     r"([^\r\n]*)\r?\n")
    m = harness.poll(lambda: pat.search(proc.stderr()), harness.READY_TIMEOUT,
                     "the allocated port")
    port = int(m.group(1))
    harness.wait_listening(proc, port)
    r = fetch("--socks5-hostname", port, "localhost", web.port)
    assert r.returncode == 0, (r.stderr, proc.describe())
    assert r.stdout == BODY


@pytest.mark.parametrize("kind", KINDS)
def test_remote_dynamic_refused(kind, sshd, client, procs, peers):
    """A closed target: SOCKS5 connection refused (5), SOCKS4 0x5B, HTTP
    502, then the connection is closed; bytes sent with the request reach
    an open target first; the forward stays up."""
    echo = peers.echo()
    closed = harness.closed_port()
    rport = harness.free_port()
    proc = start_rdynamic(procs, client, kind, sshd, "127.0.0.1:%d" % rport)
    harness.wait_listening(proc, rport)
    s, reply = socks5_open(rport, "127.0.0.1", closed)
    # ssh closes without a SOCKS answer; adit answers "connection refused".
    want = b"" if kind == "ssh" else b"\x05\x05"
    assert reply[:2] == want, (reply, proc.stderr())
    assert recv_until_closed(s) == b""
    s.close()
    harness.wait_log(proc, "connect_to 127.0.0.1 port %d: failed." % closed)
    if kind == "adit":
        s = socket.create_connection(("127.0.0.1", rport), timeout=30)
        s.sendall(b"\x04\x01" + struct.pack(">H", closed)
                  + b"\x7f\0\0\x01u\0")
        assert recv_exact(s, 8)[:2] == b"\x00\x5b"
        s.close()
        s = socket.create_connection(("127.0.0.1", rport), timeout=30)
        s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: x\r\n\r\n"
                  % closed)
        assert recv_until_closed(s).startswith(b"HTTP/1.1 502 ")
        s.close()
    s, reply = socks5_open(rport, "localhost", echo.port, extra=b"early")
    assert reply[:2] == b"\x05\x00", reply
    s.sendall(b" and late")
    assert recv_exact(s, 14) == b"early and late"
    s.close()
    if kind == "adit":
        r = curl(["--socks5-hostname", "127.0.0.1:%d" % rport,
                  "http://127.0.0.1:%d/" % closed])
        assert r.returncode == 97 and b"SOCKS5" in r.stderr, r.stderr
        assert b"(5)" in r.stderr, r.stderr  # 5: connection refused
    assert proc.alive()


def test_remote_dynamic_silent_client_timed_out(sshd, client, procs):
    """A connection that sends no request is ended after 30 s (as -D's
    LIM_PROXY_REQUEST_MS), and the forward stays up."""
    rport = harness.free_port()
    proc = start_rdynamic(procs, client, "adit", sshd, "127.0.0.1:%d" % rport)
    harness.wait_listening(proc, rport)
    s = socket.create_connection(("127.0.0.1", rport), timeout=30)
    s.settimeout(45)
    s.sendall(b"\x05")  # a SOCKS5 greeting cut short
    assert recv_until_closed(s) == b""
    s.close()
    assert proc.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_permit_remote_open(kind, sshd, client, procs, peers):
    """PermitRemoteOpen as ssh: "localhost:*" and "127.0.0.1:PORT" allow
    exactly those (names compared as written, no lookup); anything else is
    closed with no SOCKS reply, and -vv says ssh's debug line."""
    echo = peers.echo()
    other = peers.echo()
    rport = harness.free_port()
    proc = procs.start(kind, argv_with(
        client, kind, sshd.port, ["-vv", "-R", "127.0.0.1:%d" % rport],
        opts=["PermitRemoteOpen=localhost:* 127.0.0.1:%d" % echo.port]))
    harness.wait_listening(proc, rport)
    for host, port in (("localhost", other.port), ("127.0.0.1", echo.port)):
        s, reply = socks5_open(rport, host, port)
        assert reply[:2] == b"\x05\x00", (host, reply, proc.describe())
        s.sendall(b"ok")
        assert recv_exact(s, 2) == b"ok"
        s.close()
    s, reply = socks5_open(rport, "127.0.0.1", other.port)
    assert reply == b"", (reply, proc.describe())
    s.close()
    harness.wait_log(proc, "rdynamic_connect_finish: requested forward not "
                     "permitted")
    assert proc.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_permit_remote_open_none(kind, sshd, client, procs, peers):
    echo = peers.echo()
    rport = harness.free_port()
    proc = procs.start(kind, argv_with(
        client, kind, sshd.port, ["-R", "127.0.0.1:%d" % rport],
        opts=["PermitRemoteOpen=none"]))
    harness.wait_listening(proc, rport)
    s, reply = socks5_open(rport, "127.0.0.1", echo.port)
    assert reply == b"", reply
    s.close()
    assert proc.alive()


# LIM_PROXY_PENDING (src/util/adit_limits.h): channels of one -R dynamic
# forward still in their proxy handshake at once.
PENDING_LIMIT = 256


def socks5_try(rport, port):
    """A SOCKS5 CONNECT to 127.0.0.1:port through rport that says "ok"
    back; False when refused (the connection closed with no reply)."""
    s = socket.create_connection(("127.0.0.1", rport), timeout=30)
    try:
        s.sendall(b"\x05\x01\x00")
        if recv_exact(s, 2) != b"\x05\x00":
            return False
        s.sendall(b"\x05\x01\x00\x01\x7f\0\0\x01" + struct.pack(">H", port))
        if recv_exact(s, 10)[:2] != b"\x05\x00":
            return False
        s.sendall(b"ok")
        return recv_exact(s, 2) == b"ok"
    except ConnectionResetError:
        return False
    finally:
        s.close()


def test_remote_dynamic_pending_limit(sshd, client, procs, peers):
    """Connections that send no request hold a handshake each: beyond
    LIM_PROXY_PENDING the channel open is refused (resource shortage, so
    sshd closes the connection), the ones held still work, and once some
    go away new ones are served again; the forward stays up."""
    echo = peers.echo()
    rport = harness.free_port()
    proc = procs.start("adit", argv_with(client, "adit", sshd.port,
                                         ["-v", "-R", "127.0.0.1:%d" % rport]))
    harness.wait_listening(proc, rport)
    opened = "dynamic: forwarded connection from"
    harness.wait_log(proc, opened)  # wait_listening's probe
    # The probe's channel ends with its connection; a full exchange after
    # it shows the forward serves (and leaves nothing pending).
    assert socks5_try(rport, echo.port), proc.describe()
    base = proc.stderr().count(opened)
    held = []
    try:
        for _ in range(PENDING_LIMIT):
            held.append(socket.create_connection(("127.0.0.1", rport),
                                                 timeout=30))
        harness.poll(lambda: proc.stderr().count(opened) >=
                     base + PENDING_LIMIT, harness.IO_TIMEOUT,
                     "every held connection's channel")
        # One more is refused at once, not held until the request timeout.
        extra = socket.create_connection(("127.0.0.1", rport), timeout=30)
        extra.settimeout(20)
        assert recv_until_closed(extra) == b""
        extra.close()
        harness.wait_log(proc, "dynamic: too many channels in their "
                         "handshake")
        # Some go away: their places serve new connections again.
        for s in held[:8]:
            s.close()
        harness.poll(lambda: socks5_try(rport, echo.port),
                     harness.READY_TIMEOUT, "a new connection served")
        # A held one still completes its handshake.
        s = held.pop()
        s.sendall(b"\x05\x01\x00")
        assert recv_exact(s, 2) == b"\x05\x00"
        s.sendall(b"\x05\x01\x00\x01\x7f\0\0\x01"
                  + struct.pack(">H", echo.port))
        assert recv_exact(s, 10)[:2] == b"\x05\x00"
        s.sendall(b"held")
        assert recv_exact(s, 4) == b"held"
        s.close()
    finally:
        for s in held:
            s.close()
    assert proc.alive(), proc.describe()
