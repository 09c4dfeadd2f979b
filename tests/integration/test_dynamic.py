# SPDX-License-Identifier: ISC
"""-D dynamic forwarding against a real OpenSSH sshd: curl through every
SOCKS form and HTTP CONNECT, names resolved only by the server, refusals
worded in each protocol, bytes sent after the request, several -D at
once, and a real redis-cli to a real redis-server.

The target name (TARGET_NAME) resolves only inside sshd's own mount
namespace, where a private /etc/hosts maps it to 127.0.0.1: a request that
reaches the target proves the name went to the server unresolved, and
sshd's debug log shows the very string it was asked to connect to.
"""
import os
import shutil
import socket
import subprocess
import struct

import pytest

import harness
from sshsetup import SSHD, sshd_config_lines, write_sshd_config

TARGET_NAME = "only-on-server.adit.test"
CURL = shutil.which("curl")
REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
SOCAT = shutil.which("socat")
UNSHARE = shutil.which("unshare")


def _namespace_works():
    """Can we give sshd a private /etc/hosts (root and mount namespaces)?"""
    if os.geteuid() != 0 or UNSHARE is None:
        return False
    r = subprocess.run([UNSHARE, "-m", "--propagation", "private", "true"],
                       capture_output=True, timeout=10)
    return r.returncode == 0


def _resolves_here(name):
    try:
        socket.getaddrinfo(name, 80)
        return True
    except socket.gaierror:
        return False


class ServerSide:
    """An sshd whose resolver knows TARGET_NAME, logging at DEBUG1."""

    def __init__(self, procs, home, host_keys, tmpdir, extra=()):
        if not _namespace_works():
            pytest.skip("needs root and mount namespaces for a server-only "
                        "name")
        assert not _resolves_here(TARGET_NAME), \
            "%s must not resolve on the client side" % TARGET_NAME
        hosts = os.path.join(tmpdir, "server_hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n127.0.0.1 %s\n" % TARGET_NAME)
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        last = None
        for _ in range(3):
            self.port = harness.free_port()
            cfg = os.path.join(tmpdir, "sshd_config")
            lines = list(extra) + ["LogLevel DEBUG1"] + sshd_config_lines(
                self.port, host_keys, home.authorized_keys)
            write_sshd_config(cfg, lines, home.env)
            # unshare and sh exec in turn: the PID is sshd's own.
            script = 'mount --bind "$1" /etc/hosts && shift && exec "$@"'
            self.proc = procs.start("sshd", [
                UNSHARE, "-m", "--propagation", "private", "sh", "-c",
                script, "sh", hosts, SSHD, "-D", "-e", "-f", cfg])
            try:
                harness.wait_ssh_server(self.proc, self.port)
                return
            except (AssertionError, TimeoutError) as e:
                last = e
                self.proc.stop()
        raise last

    def saw_target(self, host, port):
        """sshd's debug line for a direct-tcpip open names this target."""
        return "target %s port %d" % (host, port) in self.proc.stderr()


@pytest.fixture
def server(procs, home, host_keys, tmp_path):
    return ServerSide(procs, home, host_keys, str(tmp_path))


class Dynamic:
    """adit -N -D port(s) to a server; ports are ready when returned."""

    def __init__(self, client):
        self.client = client

    def start(self, server_port, n=1, opts=(), bind="127.0.0.1"):
        def argv_of(ports):
            argv = self.client.argv("adit", server_port, opts)
            for p in ports:
                argv[-1:-1] = ["-D", "%s:%d" % (bind, p)]
            return argv
        return self.client.start_listening("adit", argv_of, n)


@pytest.fixture
def dynamic(client):
    return Dynamic(client)


BODY = b"through adit -D\n" + harness.payload_of(3000).hex().encode()


def http_handler(conn):
    """A tiny HTTP/1.x server: one request, one fixed answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(BODY) + BODY)


def curl(args, timeout=60):
    if CURL is None:
        pytest.skip("needs curl")
    return subprocess.run([CURL, "-sS", "--max-time", "30"] + args,
                          capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# curl option, proxy URL scheme, and whether the name goes to the proxy.
CURL_FORMS = [
    ("--socks5-hostname", True),
    ("--socks4a", True),
    ("--socks5", False),
    ("--socks4", False),
    ("http-connect", True),
]


@pytest.mark.parametrize("form,sends_name", CURL_FORMS,
                         ids=[f for f, _ in CURL_FORMS])
def test_curl_through_dynamic(form, sends_name, server, dynamic, peers):
    web = peers.start(http_handler)
    proc, (dport,) = dynamic.start(server.port)
    host = TARGET_NAME if sends_name else "127.0.0.1"
    url = "http://%s:%d/" % (host, web.port)
    if form == "http-connect":
        args = ["-p", "-x", "http://127.0.0.1:%d" % dport, url]
    else:
        args = [form, "127.0.0.1:%d" % dport, url]
    r = curl(args)
    assert r.returncode == 0, (r.stderr, proc.describe())
    assert r.stdout == BODY
    harness.poll(lambda: server.saw_target(host, web.port), 10,
                 "sshd to log the target %s" % host)


def socks5_open(dport, host, port, extra=b""):
    """A raw SOCKS5 CONNECT by name; returns (socket, reply bytes)."""
    s = socket.create_connection(("127.0.0.1", dport), timeout=30)
    s.sendall(b"\x05\x01\x00")
    assert recv_exact(s, 2) == b"\x05\x00"
    name = host.encode()
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name
              + struct.pack(">H", port) + extra)
    return s, recv_exact(s, 10)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_until_closed(s):
    try:
        return harness.recv_all(s)
    except ConnectionResetError:
        return b""


def test_refusals_worded_per_protocol(sshd_factory, dynamic, peers):
    """The server's refusal, in each protocol's words: a closed port, a
    target PermitOpen forbids, a name the server cannot resolve."""
    echo = peers.echo()
    closed = harness.closed_port()
    server = sshd_factory.start(
        ["PermitOpen 127.0.0.1:%d 127.0.0.1:%d localhost:%d"
         % (echo.port, closed, closed)])
    proc, (dport,) = dynamic.start(server.port)
    # SOCKS5: refused (5), not allowed (2), host unreachable (4).
    for host, port, code in (("127.0.0.1", closed, 5),
                             ("127.0.0.1", echo.port + 1, 2),
                             ("localhost", closed, 5)):
        s, reply = socks5_open(dport, host, port)
        assert reply[:2] == bytes([5, code]), (host, port, reply,
                                               proc.stderr())
        assert recv_until_closed(s) == b""
        s.close()
    # SOCKS4: 0x5B for any refusal.
    s = socket.create_connection(("127.0.0.1", dport), timeout=30)
    s.sendall(b"\x04\x01" + struct.pack(">H", closed) + b"\x7f\0\0\x01u\0")
    assert recv_exact(s, 8)[:2] == b"\x00\x5b"
    s.close()
    # HTTP CONNECT: 502 for a refused connect, 403 for a forbidden one.
    for port, status in ((closed, b"502"), (echo.port + 1, b"403")):
        s = socket.create_connection(("127.0.0.1", dport), timeout=30)
        s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: x\r\n\r\n" % port)
        answer = recv_until_closed(s)
        s.close()
        assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer
        head, body = answer.split(b"\r\n\r\n", 1)
        assert b"Content-Length: %d" % len(body) in head
    # curl says what went wrong and exits non-zero.
    r = curl(["--socks5-hostname", "127.0.0.1:%d" % dport,
              "http://127.0.0.1:%d/" % closed])
    assert r.returncode != 0
    assert b"SOCKS5" in r.stderr
    assert "open failed: connect failed" in proc.stderr()


def test_unresolvable_name_is_host_unreachable(server, dynamic):
    proc, (dport,) = dynamic.start(server.port)
    s, reply = socks5_open(dport, "no-such-host.adit.test", 80)
    s.close()
    assert reply[:2] == b"\x05\x04", reply
    assert server.saw_target("no-such-host.adit.test", 80)


def test_requests_refused_before_the_server(server, dynamic):
    """BIND, UDP ASSOCIATE, authentication we do not offer, a GET: refused
    by adit itself with the protocol's code, nothing sent to the server."""
    proc, (dport,) = dynamic.start(server.port)
    cases = [
        (b"\x05\x01\x02", b"\x05\xff"),
        (b"\x05\x01\x00\x05\x02\x00\x01\x7f\0\0\x01\x00\x50",
         b"\x05\x00\x05\x07"),
        (b"\x05\x01\x00\x05\x03\x00\x01\0\0\0\0\0\0", b"\x05\x00\x05\x07"),
        (b"\x04\x02\x00\x50\x7f\0\0\x01\0", b"\x00\x5b"),
        (b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
         b"HTTP/1.1 405 Method Not Allowed\r\n"),
        (b"\x16\x03\x01\x00", b""),
    ]
    for request, answer in cases:
        s = socket.create_connection(("127.0.0.1", dport), timeout=30)
        s.sendall(request)
        got = recv_until_closed(s)
        s.close()
        assert got.startswith(answer) and (answer or got == b""), \
            (request, got)
    assert "direct_tcpip" not in server.proc.stderr()
    assert proc.alive()


def test_bytes_after_request_are_forwarded(server, dynamic, peers):
    """Clients that do not wait for the answer: their first bytes come in
    the same read as the request and must reach the target first."""
    echo = peers.echo()
    proc, (dport,) = dynamic.start(server.port)
    data = harness.payload_of(5000, seed=7)
    s, reply = socks5_open(dport, TARGET_NAME, echo.port, extra=data)
    assert reply == b"\x05\x00\x00\x01" + b"\0" * 6
    assert recv_exact(s, len(data)) == data
    s.close()
    s = socket.create_connection(("127.0.0.1", dport), timeout=30)
    s.sendall(b"CONNECT %s:%d HTTP/1.1\r\n\r\nhello"
              % (TARGET_NAME.encode(), echo.port))
    ok = b"HTTP/1.1 200 Connection established\r\n\r\n"
    assert recv_exact(s, len(ok) + 5) == ok + b"hello"
    s.close()


@pytest.mark.parametrize("size", [0, 1, 65536, 1 << 20])
def test_data_byte_for_byte(size, server, dynamic, peers):
    sink = peers.sink()
    proc, (dport,) = dynamic.start(server.port)
    data = harness.payload_of(size, seed=3)
    s, reply = socks5_open(dport, TARGET_NAME, sink.port)
    assert reply[:2] == b"\x05\x00"
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    recv_until_closed(s)
    s.close()
    sink.recorder.wait_for(size, harness.sha256(data), 60)


def test_several_dynamic_forwards(server, dynamic, peers):
    web = peers.start(http_handler)
    proc, ports = dynamic.start(server.port, n=3)
    for dport in ports:
        r = curl(["--socks5-hostname", "127.0.0.1:%d" % dport,
                  "http://%s:%d/" % (TARGET_NAME, web.port)])
        assert r.returncode == 0, r.stderr
        assert r.stdout == BODY


def test_dynamic_forward_from_config_keyword(server, dynamic, peers, client,
                                             procs):
    web = peers.start(http_handler)
    dport = harness.free_port()
    argv = client.argv("adit", server.port,
                       ["DynamicForward=127.0.0.1:%d" % dport])
    proc = procs.start("adit", argv)
    harness.wait_listening(proc, dport)
    r = curl(["--socks4a", "127.0.0.1:%d" % dport,
              "http://%s:%d/" % (TARGET_NAME, web.port)])
    assert r.returncode == 0, r.stderr
    assert r.stdout == BODY


def test_dynamic_port_taken(server, client, procs):
    """A -D port in use: ssh's messages, exit 255 with
    ExitOnForwardFailure."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        argv = client.argv("adit", server.port)
        argv[-1:-1] = ["-D", "127.0.0.1:%d" % port]
        proc = procs.start("adit", argv)
        assert proc.wait(60) == 255
    err = proc.stderr()
    assert "bind [127.0.0.1]:%d: Address already in use" % port in err
    assert "Could not request local forwarding." in err


def test_bad_dynamic_spec(client, procs, sshd):
    argv = client.argv("adit", sshd.port)
    argv[-1:-1] = ["-D", "127.0.0.1:notaport"]
    proc = procs.start("adit", argv)
    assert proc.wait(30) == 255
    assert "Bad dynamic forwarding specification '127.0.0.1:notaport'" \
        in proc.stderr()


def test_redis_through_dynamic(server, dynamic, procs, tmp_path):
    """A real redis-cli reaches a real redis-server by a server-only name:
    socat speaks SOCKS4a to adit -D for it (redis-cli has no proxy
    support)."""
    if not (REDIS_SERVER and REDIS_CLI and SOCAT):
        pytest.skip("needs redis-server, redis-cli and socat")
    rport = harness.free_port()
    redis = procs.start("redis", [
        REDIS_SERVER, "--port", str(rport), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", str(tmp_path)])
    harness.wait_listening(redis, rport)
    proc, (dport,) = dynamic.start(server.port)
    bport = harness.free_port()
    bridge = procs.start("socat", [
        SOCAT, "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork" % bport,
        "SOCKS4A:127.0.0.1:%s:%d,socksport=%d" % (TARGET_NAME, rport, dport)])
    harness.wait_listening(bridge, bport)

    def cli(*args, stdin=b""):
        return subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(bport)]
                              + list(args), capture_output=True, timeout=60,
                              input=stdin)
    value = harness.payload_of(100000, seed=5).hex().encode()
    # -x: the value comes from stdin (too long for an argument).
    r = cli("-x", "SET", "adit-key", stdin=value)
    assert r.stdout.strip() == b"OK", r
    r = cli("GET", "adit-key")
    assert r.stdout.strip() == value
    assert server.saw_target(TARGET_NAME, rport)
