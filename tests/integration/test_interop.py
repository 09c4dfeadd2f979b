# SPDX-License-Identifier: ISC
"""Interop promises checked against real OpenSSH: keepalives answered in
both directions, rekeys with data flowing started by either side, RSA,
ECDSA and PEM user keys, RSA and ECDSA host keys, hashed known_hosts and
host key algorithms chosen from known_hosts, and text lines before the
server's version line."""
import socket
import subprocess
import threading
import time

import pytest

import harness
from conftest import SSH_KEYGEN, keygen
from paths import roundtrip

# Keepalive tests: an interval of 1 s and a count of 3. OpenSSH 9.2 probes
# an idle peer about every 2 s (its clock has whole seconds), so a peer that
# never answers is dropped after 6-8 s. Seeing KEEPALIVE_ANSWERS answers with
# both ends alive proves the probes are answered; the wait is bounded.
KEEPALIVE_ANSWERS = 3
KEEPALIVE_ANSWER_TIMEOUT = 20  # seconds
REKEY_BULK = 32 * 1024 * 1024


def wait_answers(log_of, needle, procs, what):
    """Wait, bounded, until needle shows KEEPALIVE_ANSWERS times in
    log_of(), failing early if any of procs exits meanwhile."""
    def enough():
        for p in procs:
            assert p.alive(), "exited while idle: " + p.describe()
        return count(log_of(), needle) >= KEEPALIVE_ANSWERS
    harness.poll(enough, KEEPALIVE_ANSWER_TIMEOUT,
                 "%d %s" % (KEEPALIVE_ANSWERS, what))


# --- 1. keepalives ----------------------------------------------------------

def test_ssh_server_alive_to_aditd(client, aditd, peers):
    """ssh's ServerAlive probes (keepalive@openssh.com, want-reply) must be
    answered by aditd, or ssh gives up after ~3 s."""
    server = aditd.start()
    echo = peers.echo()
    proc, lport = client.tunnel("ssh", server, echo.port,
                                ["ServerAliveInterval=1",
                                 "ServerAliveCountMax=3", "LogLevel=DEBUG3"])
    # The probes go out as GLOBAL_REQUEST (80) and are answered with
    # REQUEST_FAILURE (82).
    wait_answers(proc.stderr, "receive packet: type 82", [proc, server.proc],
                 "keepalive answers in ssh's log")
    roundtrip(lport, b"alive " * 1000)
    assert proc.alive()
    assert "not responding" not in proc.stderr()


@pytest.mark.parametrize("hold_channel", [False, True],
                         ids=["global", "channel"])
@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_sshd_client_alive(kind, hold_channel, client, sshd_factory, peers):
    """sshd's ClientAlive probes go out as a global request when no channel
    is open and as a channel request on an open channel: adit must answer
    both, or sshd drops it after ~3 s."""
    server = sshd_factory.start(["ClientAliveInterval 1",
                                 "ClientAliveCountMax 3", "LogLevel DEBUG3"])
    echo = peers.echo()
    proc, lport = client.tunnel(kind, server, echo.port)
    held = None
    if hold_channel:
        held = socket.create_connection(("127.0.0.1", lport),
                                        timeout=harness.IO_TIMEOUT)
        held.sendall(b"first")
        assert held.recv(5) == b"first"
    # Answered with REQUEST_FAILURE (82) or, on a channel, CHANNEL_FAILURE
    # (100).
    answer = "receive packet: " + ("type 100" if hold_channel else "type 82")
    try:
        wait_answers(server.proc.stderr, answer, [proc, server.proc],
                     "keepalive answers in sshd's log")
        if held is not None:
            held.sendall(b"second")
            got = b""
            while len(got) < 6:
                chunk = held.recv(6 - len(got))
                assert chunk, "channel closed while idle"
                got += chunk
            assert got == b"second"
    finally:
        if held is not None:
            held.close()
    roundtrip(lport, b"alive " * 1000)
    assert proc.alive()
    assert "not responding" not in server.proc.stderr()


# --- 2. rekey with data flowing ---------------------------------------------

def bulk_both_ways(lport, size, data=None):
    """Send size bytes (data, or pseudo-random ones) through the tunnel to
    an echo peer while reading the echo back; check it byte for byte."""
    if data is None:
        data = harness.payload_of(size, seed=7)
    assert len(data) == size
    err = []
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=harness.IO_TIMEOUT) as s:
        def send():
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                err.append(e)
        t = threading.Thread(target=send, daemon=True)
        t.start()
        got = harness.recv_all(s, limit=size)
        t.join(timeout=harness.IO_TIMEOUT)
    assert not err, err
    assert len(got) == size
    assert harness.sha256(got) == harness.sha256(data)


def count(text, needle):
    return text.count(needle)


# (client kind, server kind, who sets RekeyLimit)
REKEY_CASES = [
    pytest.param("ssh", "aditd", "client", id="ssh-aditd-client"),
    pytest.param("ssh", "aditd", "server", id="ssh-aditd-server"),
    pytest.param("adit", "sshd", "server", id="adit-sshd-server"),
    pytest.param("adit", "sshd", "client", id="adit-sshd-client"),
    pytest.param("adit", "aditd", "client", id="adit-aditd-client"),
    pytest.param("adit", "aditd", "server", id="adit-aditd-server"),
]


@pytest.mark.parametrize("kind,server_kind,starter", REKEY_CASES)
def test_rekey_with_data(kind, server_kind, starter, client, sshd_factory,
                         aditd, peers):
    """RekeyLimit 1M on one side: 32 MiB each way through the tunnel, byte
    for byte, and the logs show that rekeys really happened."""
    limit = ["RekeyLimit 1M"] if starter == "server" else []
    if server_kind == "sshd":
        server = sshd_factory.start(limit + ["LogLevel DEBUG3"])
    else:
        server = aditd.start(extra=limit, args=["-o", "LogLevel DEBUG3"])
    opts = ["LogLevel=DEBUG3"]
    if starter == "client":
        opts.append("RekeyLimit=1M")
    echo = peers.echo()
    proc, lport = client.tunnel(kind, server, echo.port, opts)
    bulk_both_ways(lport, REKEY_BULK)
    roundtrip(lport, b"after rekeys")
    # The initial kex plus at least a few rekeys, each logged by the side
    # that sent its KEXINIT first and by both as a KEXINIT sent.
    starter_proc = proc if starter == "client" else server.proc
    starter_kind = kind if starter == "client" else server_kind
    log = starter_proc.stderr()
    if starter_kind in ("ssh", "sshd"):
        n = count(log, "SSH2_MSG_KEXINIT sent")
    else:
        n = count(log, "rekeying")
    assert n >= 4, "no rekeys logged by %s (%d):\n%s" % (
        starter_kind, n, log[-3000:])
    assert proc.alive() and server.proc.alive()


@pytest.mark.parametrize("kind,server_kind", [
    pytest.param("ssh", "aditd", id="ssh-aditd"),
    pytest.param("adit", "sshd", id="adit-sshd"),
    pytest.param("adit", "aditd", id="adit-aditd"),
])
def test_rekey_by_time(kind, server_kind, client, sshd_factory, aditd,
                       peers):
    """RekeyLimit's time part on our side ("default 1s"): an idle
    connection rekeys every second and still carries data."""
    if server_kind == "sshd":
        server = sshd_factory.start(["LogLevel DEBUG3"])
        opts = ["LogLevel=DEBUG3", "RekeyLimit=default 1s"]
        ours, theirs = "client", server
    else:
        server = aditd.start(extra=["RekeyLimit default 1s"],
                             args=["-o", "LogLevel DEBUG3"])
        opts = ["LogLevel=DEBUG3"]
        ours, theirs = "server", server
    echo = peers.echo()
    proc, lport = client.tunnel(kind, server, echo.port, opts)
    mine = proc if ours == "client" else server.proc
    harness.poll(lambda: count(mine.stderr(), "rekeying") >= 2, 15,
                 "two rekeys by time")
    roundtrip(lport, b"after rekeys by time")
    assert proc.alive() and theirs.proc.alive()


# --- 3. keys ----------------------------------------------------------------

USER_KEY_TYPES = {
    "rsa": ["-t", "rsa", "-b", "3072"],
    "ecdsa": ["-t", "ecdsa", "-b", "256"],
    "rsa-pem": ["-t", "rsa", "-b", "2048", "-m", "PEM"],
    "ecdsa-pem": ["-t", "ecdsa", "-b", "384", "-m", "PEM"],
}


@pytest.fixture(scope="session")
def user_keys(home, tmp_path_factory):
    """More user keys, all trusted by the servers: {name: private key}."""
    d = tmp_path_factory.mktemp("userkeys")
    keys = {n: keygen(d / ("id_" + n.replace("-", "_")), a, "user-" + n)
            for n, a in USER_KEY_TYPES.items()}
    with open(home.authorized_keys, "a") as f:
        for k in keys.values():
            with open(k + ".pub") as pub:
                f.write(pub.read())
    return keys


@pytest.mark.parametrize("key_name", list(USER_KEY_TYPES))
@pytest.mark.parametrize("server_kind", ["sshd", "aditd"])
def test_user_key(server_kind, key_name, user_keys, client, server_of,
                  peers, home):
    server = server_of(server_kind)
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port,
                             key=user_keys[key_name])
    roundtrip(lport, b"user key " + key_name.encode())
    if server_kind == "aditd":
        kind = "RSA" if key_name.startswith("rsa") else "ECDSA"
        harness.wait_log(server.proc, "Accepted publickey for %s" % home.user)
        assert " %s SHA256:" % kind in server.proc.stderr()


@pytest.mark.parametrize("server_kind", ["sshd", "aditd"])
def test_rsa_user_key_uses_sha2(server_kind, user_keys, client,
                                sshd_factory, aditd, peers):
    """An RSA user key signs with rsa-sha2-512 or -256, as the server's
    server-sig-algs allows, never ssh-rsa."""
    want = ("rsa-sha2-512", "rsa-sha2-256")
    if server_kind == "sshd":
        server = sshd_factory.start(["LogLevel DEBUG2"])
    else:
        server = aditd.start(args=["-o", "LogLevel DEBUG3"])
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port,
                             key=user_keys["rsa"])
    roundtrip(lport, b"rsa-sha2")
    log = server.proc.stderr()
    needle = ("attempting public key" if server_kind == "sshd"
              else "accepted publickey")
    lines = [ln for ln in log.splitlines() if needle in ln]
    assert lines, log[-3000:]
    assert all(any(w in ln for w in want) for ln in lines), lines
    assert not any(" ssh-rsa " in ln for ln in lines), lines


@pytest.mark.parametrize("alg", ["rsa-sha2-512", "rsa-sha2-256",
                                 "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384"])
@pytest.mark.parametrize("how", ["HostKey", "-h"])
def test_aditd_rsa_and_ecdsa_host_keys(how, alg, aditd, client, host_keys,
                                       peers):
    """aditd holding RSA and ECDSA host keys at once: ssh picks each."""
    keys = [host_keys["rsa"], host_keys["ecdsa256"], host_keys["ecdsa384"]]
    if how == "HostKey":
        server = aditd.start(host_key=keys[0],
                             extra=["HostKey %s" % k for k in keys[1:]])
    else:
        args = []
        for k in keys[1:]:
            args += ["-h", k]
        server = aditd.start(host_key=keys[0], args=args)
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port,
                             ["HostKeyAlgorithms=" + alg])
    roundtrip(lport, b"host key " + alg.encode())


def public_line(key):
    r = subprocess.run([SSH_KEYGEN, "-y", "-f", key], capture_output=True,
                       text=True, check=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return " ".join(r.stdout.split()[:2])


@pytest.mark.parametrize("server_kind", ["sshd", "aditd"])
def test_hashed_known_hosts(server_kind, client, server_of, host_keys, peers,
                            tmp_path):
    """A known_hosts entry hashed by ssh-keygen -H is found by adit."""
    if server_kind == "aditd":
        server = server_of("aditd", host_key=host_keys["ed25519"])
    else:
        server = server_of("sshd")
    kh = str(tmp_path / "known_hosts_hashed")
    with open(kh, "w") as f:
        f.write("[127.0.0.1]:%d %s\n"
                % (server.port, public_line(host_keys["ed25519"])))
    subprocess.run([SSH_KEYGEN, "-H", "-f", kh], check=True,
                   capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    with open(kh) as f:
        assert f.read().startswith("|1|")
    echo = peers.echo()
    proc = client.procs.start("adit", client.argv(
        "adit", server.port, ["HostKeyAlgorithms=ssh-ed25519"],
        strict="yes", known_hosts=kh,
        forwards=["127.0.0.1:%d:127.0.0.1:%d"
                  % (harness.free_port(), echo.port)]))
    lport = int(proc.argv[proc.argv.index("-L") + 1].split(":")[1])
    harness.wait_listening(proc, lport)
    roundtrip(lport, b"hashed")


def test_hash_known_hosts_accept_new(client, sshd, peers, tmp_path):
    """HashKnownHosts=yes with accept-new records a hashed line that adit
    and ssh then both accept with StrictHostKeyChecking=yes."""
    kh = str(tmp_path / "known_hosts_new")
    echo = peers.echo()
    # Run adit until the host key is recorded, then stop it.
    lport = harness.free_port()
    proc = client.procs.start("adit", client.argv(
        "adit", sshd.port, ["HashKnownHosts=yes",
                            "HostKeyAlgorithms=ssh-ed25519"],
        strict="accept-new", known_hosts=kh,
        forwards=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)]))
    harness.wait_listening(proc, lport)
    roundtrip(lport, b"accept-new hashed")
    proc.stop()
    with open(kh) as f:
        lines = [ln for ln in f if ln.strip()]
    assert lines and all(ln.startswith("|1|") for ln in lines), lines
    for kind in ("adit", "ssh"):
        lport = harness.free_port()
        proc = client.procs.start(kind, client.argv(
            kind, sshd.port, ["HostKeyAlgorithms=ssh-ed25519"],
            strict="yes", known_hosts=kh,
            forwards=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)]))
        harness.wait_listening(proc, lport)
        roundtrip(lport, b"hashed again " + kind.encode())
        proc.stop()


@pytest.mark.parametrize("server_kind", ["sshd", "aditd"])
def test_known_hosts_rsa_only(server_kind, client, server_of, host_keys,
                              peers, tmp_path):
    """known_hosts holds only the server's RSA key while the server also
    has ed25519: adit asks for rsa-sha2-* first, as ssh does, and
    connects."""
    if server_kind == "aditd":
        server = server_of("aditd", host_key=host_keys["ed25519"],
                           extra=["HostKey %s" % host_keys["rsa"]])
    else:
        server = server_of("sshd")
    kh = str(tmp_path / "known_hosts_rsa")
    with open(kh, "w") as f:
        f.write("[127.0.0.1]:%d %s\n"
                % (server.port, public_line(host_keys["rsa"])))
    echo = peers.echo()
    lport = harness.free_port()
    proc = client.procs.start("adit", client.argv(
        "adit", server.port, strict="yes", known_hosts=kh,
        forwards=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)]))
    harness.wait_listening(proc, lport)
    roundtrip(lport, b"rsa only")


# --- 4. text before the version line ----------------------------------------

class BannerProxy:
    """Relays one TCP port to another, sending some text lines to the client
    before the server's first byte (RFC 4253 4.2 allows them)."""

    LINES = (b"Welcome to the test proxy\r\n"
             b"This line is not a version line\r\n"
             b"SSH is mentioned here but not at the start\n")

    def __init__(self, target_port):
        self.target_port = target_port
        self.server = harness.TcpServer(self._handle)
        self.port = self.server.port

    def _pipe(self, src, dst):
        try:
            while True:
                chunk = src.recv(1 << 16)
                if not chunk:
                    break
                dst.sendall(chunk)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _handle(self, conn):
        with socket.create_connection(("127.0.0.1", self.target_port),
                                      timeout=harness.IO_TIMEOUT) as up:
            conn.sendall(self.LINES)
            t = threading.Thread(target=self._pipe, args=(up, conn),
                                 daemon=True)
            t.start()
            self._pipe(conn, up)
            t.join(timeout=harness.IO_TIMEOUT)

    def stop(self):
        self.server.stop()


@pytest.mark.parametrize("server_kind", ["sshd", "aditd"])
def test_lines_before_version(server_kind, client, server_of, peers):
    server = server_of(server_kind)
    proxy = BannerProxy(server.port)
    try:
        echo = peers.echo()
        lport = harness.free_port()
        proc = client.procs.start("adit", client.argv(
            "adit", proxy.port,
            forwards=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)]))
        harness.wait_listening(proc, lport)
        roundtrip(lport, b"after the banner lines")
        proc.stop()
    finally:
        proxy.stop()
    assert not proxy.server.errors, proxy.server.errors
