# SPDX-License-Identifier: ISC
"""adit against a real Dropbear server: -L, -R (and -R 0), -D, -W, -J
through Dropbear, keepalives, compression and the algorithms both have,
with data checked byte for byte. What Dropbear lacks (Unix-socket forwards,
AES-GCM, ETM MACs) must fail in adit with the words ssh prints against the
same Dropbear.

Dropbear 2022 has no option for where authorized_keys is: it reads
~/.ssh/authorized_keys of the login user from the password database. So it
runs in a private mount namespace where a temporary directory is bound over
that user's home directory; the machine's own ~/.ssh is never touched."""
import os
import pwd
import re
import shutil
import socket
import struct
import subprocess

import pytest

import harness
from fwdhelp import argv_with, echo_through
from paths import roundtrip
from test_alive import frozen
from test_reach import Hop, run_stdio

DROPBEAR = shutil.which("dropbear") or "/usr/sbin/dropbear"
DROPBEARKEY = shutil.which("dropbearkey") or "/usr/bin/dropbearkey"
UNSHARE = shutil.which("unshare")
KINDS = ["ssh", "adit"]


def _usable():
    """None when Dropbear can run here in a private mount namespace, else
    why not (root is needed to bind over the home directory)."""
    if not os.access(DROPBEAR, os.X_OK):
        return "dropbear is not installed (scripts/install-deps.sh)"
    if os.geteuid() != 0 or UNSHARE is None:
        return "needs root and mount namespaces to give dropbear a home"
    r = subprocess.run([UNSHARE, "-m", "--propagation", "private", "true"],
                       capture_output=True, timeout=10)
    if r.returncode != 0:
        return "unshare -m failed: %s" % r.stderr.decode(errors="replace")
    return None


class Dropbear:
    """A dropbear -F -E on 127.0.0.1 with an ed25519 host key of its own."""

    def __init__(self, port, proc, host_pub):
        self.port = port
        self.proc = proc
        self.kind = "dropbear"
        self.host_pub = host_pub  # "ssh-ed25519 AAAA..."

    def known_hosts_line(self, host="127.0.0.1"):
        return "[%s]:%d %s\n" % (host, self.port, self.host_pub)


def start_dropbear(procs, home, tmpdir, args=()):
    """Start dropbear for home.user, trusting home's key; return Dropbear."""
    why = _usable()
    if why:
        pytest.skip(why)
    fake = os.path.join(tmpdir, "dropbear_home")
    os.makedirs(os.path.join(fake, ".ssh"), mode=0o700)
    os.chmod(fake, 0o700)
    ak = os.path.join(fake, ".ssh", "authorized_keys")
    shutil.copyfile(home.authorized_keys, ak)
    os.chmod(ak, 0o600)
    hostkey = os.path.join(tmpdir, "dropbear_host_key")
    subprocess.run([DROPBEARKEY, "-t", "ed25519", "-f", hostkey],
                   check=True, capture_output=True, timeout=60)
    r = subprocess.run([DROPBEARKEY, "-y", "-f", hostkey], check=True,
                       capture_output=True, text=True, timeout=60)
    pub = [ln for ln in r.stdout.splitlines() if ln.startswith("ssh-")][0]
    pub = " ".join(pub.split()[:2])
    pw_dir = pwd.getpwnam(home.user).pw_dir
    last = None
    for _ in range(3):  # the free port may be taken meanwhile
        port = harness.free_port()
        # sh execs dropbear, so the PID procs stops is dropbear's own.
        script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'
        argv = [UNSHARE, "-m", "--propagation", "private", "sh", "-c",
                script, "sh", fake, pw_dir, DROPBEAR, "-F", "-E", "-p",
                "127.0.0.1:%d" % port, "-r", hostkey] + list(args)
        proc = procs.start("dropbear", argv)
        try:
            harness.wait_ssh_server(proc, port)
            return Dropbear(port, proc, pub)
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    raise last


@pytest.fixture
def dropbear(procs, home, tmp_path, client):
    """A fresh Dropbear for each test; its key is in client.known_hosts."""
    db = start_dropbear(procs, home, str(tmp_path))
    with open(client.known_hosts, "w") as f:
        f.write(db.known_hosts_line())
    return db


def strict_argv(client, kind, db, extra, opts=()):
    """client.argv with StrictHostKeyChecking=yes: Dropbear's key must be
    the one known, and extra arguments before the destination."""
    argv = argv_with(client, kind, db.port, extra, opts=opts)
    i = argv.index("StrictHostKeyChecking=accept-new")
    argv[i] = "StrictHostKeyChecking=yes"
    return argv


def wait_exit(proc, timeout=60):
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit: %s"
                             % (proc.name, proc.describe()))


# ---- forwards ------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_local_forward(kind, dropbear, client, procs, peers):
    echo = peers.echo()

    def argv_of(ports):
        return strict_argv(client, kind, dropbear, [
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)])
    proc, (lport,) = client.start_listening(kind, argv_of)
    for size in (0, 1, 65536, 1 << 20):
        roundtrip(lport, harness.payload_of(size, seed=size))
    assert proc.alive(), proc.describe()


@pytest.mark.parametrize("kind", KINDS)
def test_remote_forward_and_port_zero(kind, dropbear, client, procs, peers):
    """-R with a fixed port and -R 0 in one connection: Dropbear allocates
    a port and the client prints it as ssh does."""
    echo = peers.echo()
    rport = harness.free_port()
    proc = procs.start(kind, strict_argv(client, kind, dropbear, [
        "-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, echo.port),
        "-R", "0:127.0.0.1:%d" % echo.port]))
    pat = re.compile(r"Allocated port (\d+) for remote forward to "
                     r"127\.0\.0\.1:%d\r?\n" % echo.port)
    m = harness.poll(lambda: pat.search(proc.stderr()),
                     harness.READY_TIMEOUT, "the allocated port")
    for port in (rport, int(m.group(1))):
        harness.wait_listening(proc, port)
        echo_through(port)
        echo_through(port, b"x")
        echo_through(port, b"")
    assert proc.alive(), proc.describe()


def socks5_connect(dport, port):
    s = socket.create_connection(("127.0.0.1", dport), timeout=30)
    s.sendall(b"\x05\x01\x00")
    assert s.recv(2) == b"\x05\x00"
    s.sendall(b"\x05\x01\x00\x03\x09localhost" + struct.pack(">H", port))
    reply = b""
    while len(reply) < 10:
        chunk = s.recv(10 - len(reply))
        assert chunk, "closed after %r" % reply
        reply += chunk
    return s, reply


def test_dynamic_forward(dropbear, client, procs, peers):
    """-D: a SOCKS5 CONNECT by name, answered after Dropbear connected,
    then data byte for byte; a refused target gets SOCKS5's refusal."""
    echo = peers.echo()

    def argv_of(ports):
        return strict_argv(client, "adit", dropbear,
                           ["-D", "127.0.0.1:%d" % ports[0]])
    proc, (dport,) = client.start_listening("adit", argv_of)
    data = harness.payload_of(300000, seed=3)
    s, reply = socks5_connect(dport, echo.port)
    with s:
        assert reply[:2] == b"\x05\x00", reply
        s.settimeout(harness.IO_TIMEOUT)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(data))
    assert got == data
    s, reply = socks5_connect(dport, harness.free_port())
    with s:
        assert reply[:2] == b"\x05\x05", reply  # connection refused
    assert proc.alive(), proc.describe()


def test_stdio_forward(dropbear, client, home, peers):
    echo = peers.echo()
    data = harness.payload_of(250000, seed=5)
    argv = strict_argv(client, "adit", dropbear,
                       ["-W", "127.0.0.1:%d" % echo.port])
    argv.remove("-N")
    rc, out, err = run_stdio(argv, data, home.env)
    assert rc == 0, err
    assert out == data


def test_jump_through_dropbear(dropbear, client, home, sshd_factory, peers,
                               tmp_path):
    """-J through Dropbear to a real sshd, each host key checked under its
    own name; a -L tunnel through the chain carries data byte for byte."""
    target = sshd_factory.start()
    with open(client.known_hosts, "a") as f:
        f.write(Hop(target.port, None,
                    target.host_keys["ed25519"]).known_hosts_line())
    echo = peers.echo()
    jump = "%s@127.0.0.1:%d" % (home.user, dropbear.port)

    def argv_of(ports):
        argv = argv_with(client, "adit", target.port, [
            "-J", jump,
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)],
            opts=["StrictHostKeyChecking=yes"])
        return argv
    proc, (lport,) = client.start_listening("adit", argv_of)
    for size in (1, 100000):
        roundtrip(lport, harness.payload_of(size))
    harness.wait_log(dropbear.proc, "Pubkey auth succeeded")
    harness.wait_log(target.proc, "Accepted publickey")
    assert proc.alive(), proc.describe()


# ---- keepalives and compression -----------------------------------------

def test_keepalive_answered(dropbear, client, procs, peers):
    """Dropbear answers keepalive@openssh.com with a failure reply, which
    counts as an answer: adit stays up over many probe intervals."""
    echo = peers.echo()

    def argv_of(ports):
        return strict_argv(client, "adit", dropbear, [
            "-v", "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)],
            opts=["ServerAliveInterval=1", "ServerAliveCountMax=1"])
    proc, (lport,) = client.start_listening("adit", argv_of)

    def probed():
        assert proc.alive(), proc.describe()
        return proc.stderr().count("sending keepalive request") >= 4
    harness.poll(probed, 30, "four keepalive probes")
    roundtrip(lport, b"still here " * 100)
    assert proc.alive(), proc.describe()
    assert "not responding" not in proc.stderr()


@pytest.mark.parametrize("kind", KINDS)
def test_keepalive_stopped_server(kind, dropbear, client, procs, peers):
    """Dropbear's connection process stopped: ssh's message, status 255."""
    echo = peers.echo()

    def argv_of(ports):
        return strict_argv(client, kind, dropbear, [
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)],
            opts=["ServerAliveInterval=1", "ServerAliveCountMax=2"])
    proc, (lport,) = client.start_listening(kind, argv_of)
    roundtrip(lport, b"before the stop")
    with frozen(dropbear.proc.pid):
        rc = wait_exit(proc, 30)
    assert rc == 255, proc.describe()
    assert "Timeout, server 127.0.0.1 not responding." in proc.stderr()


def test_compression(dropbear, client, procs, peers):
    """-C: Dropbear offers zlib@openssh.com; text and random bytes cross
    byte for byte while compressed."""
    echo = peers.echo()

    def argv_of(ports):
        return strict_argv(client, "adit", dropbear, [
            "-C", "-vv",
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)])
    proc, (lport,) = client.start_listening("adit", argv_of)
    roundtrip(lport, b"compressible text " * 50000)
    roundtrip(lport, harness.payload_of(500000, seed=9))
    err = proc.stderr()
    assert "compression out on" in err, err
    assert "compression in on" in err, err


@pytest.mark.parametrize("kex", [
    "curve25519-sha256", "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256"])
@pytest.mark.parametrize("cipher,mac", [
    ("chacha20-poly1305@openssh.com", None),
    ("aes128-ctr", "hmac-sha2-256"),
    ("aes256-ctr", "hmac-sha2-256")])
def test_algorithms(kex, cipher, mac, dropbear, client, home, peers):
    """Every kex and cipher both have, over -W, byte for byte."""
    echo = peers.echo()
    opts = ["KexAlgorithms=" + kex, "Ciphers=" + cipher]
    if mac:
        opts.append("MACs=" + mac)
    argv = strict_argv(client, "adit", dropbear,
                       ["-W", "127.0.0.1:%d" % echo.port], opts=opts)
    argv.remove("-N")
    data = harness.payload_of(70000, seed=11)
    rc, out, err = run_stdio(argv, data, home.env)
    assert rc == 0, err
    assert out == data


# ---- what Dropbear does not have: ssh's words ---------------------------

def run_both(client, dropbear, procs, extra, opts=()):
    """Run ssh and adit with the same arguments to their end; return
    {kind: (status, stderr)}."""
    out = {}
    for kind in KINDS:
        argv = strict_argv(client, kind, dropbear, extra, opts)
        proc = procs.start(kind, argv)
        out[kind] = (wait_exit(proc), proc.stderr())
    return out


@pytest.mark.parametrize("opts,word", [
    (["Ciphers=aes128-gcm@openssh.com"], "cipher"),
    (["Ciphers=aes128-ctr", "MACs=hmac-sha2-256-etm@openssh.com"], "MAC"),
    (["KexAlgorithms=diffie-hellman-group16-sha512"], "key exchange method")])
def test_no_common_algorithm(opts, word, dropbear, client, procs):
    """Dropbear 2022 has no AES-GCM, no ETM MACs, no group16: the same
    "Unable to negotiate" line as ssh, with Dropbear's offer."""
    res = run_both(client, dropbear, procs, [], opts=opts)
    want = ("Unable to negotiate with 127.0.0.1 port %d: no matching %s "
            "found. Their offer: " % (dropbear.port, word))
    for kind, (rc, err) in res.items():
        assert rc == 255, (kind, err)
        assert want in err, (kind, err)
    # The same offer from Dropbear, word for word.
    line = {k: [ln for ln in e.splitlines() if want in ln][0]
            for k, (_, e) in res.items()}
    assert line["adit"].split(want)[1] == line["ssh"].split(want)[1]


def test_remote_unix_socket_refused(dropbear, client, procs, tmp_path):
    """Dropbear has no streamlocal-forward@openssh.com: the same error and
    status 255 with ExitOnForwardFailure."""
    path = "/tmp/adit-db-%d.sock" % os.getpid()
    res = run_both(client, dropbear, procs,
                   ["-R", "%s:127.0.0.1:9" % path])
    for kind, (rc, err) in res.items():
        assert rc == 255, (kind, err)
        assert ("Error: remote port forwarding failed for listen path %s"
                % path) in err, (kind, err)
    assert not os.path.exists(path)


@pytest.mark.parametrize("kind", KINDS)
def test_local_to_unix_socket_refused(kind, dropbear, client, procs, peers):
    """-L port:/socket: Dropbear refuses direct-streamlocal@openssh.com as
    an unknown channel type; the connection is closed and the tunnel
    stays up, the message as ssh's."""
    def argv_of(ports):
        return strict_argv(client, kind, dropbear, [
            "-L", "127.0.0.1:%d:/tmp/adit-db-none.sock" % ports[0]])
    proc, (lport,) = client.start_listening(kind, argv_of)
    with socket.create_connection(("127.0.0.1", lport), timeout=30) as s:
        s.settimeout(harness.IO_TIMEOUT)
        assert harness.recv_all(s) == b""
    harness.wait_log(proc, ": open failed: unknown channel type: ")
    assert re.search(r"channel \d+: open failed: unknown channel type: \r?\n",
                     proc.stderr()), proc.describe()
    assert proc.alive(), proc.describe()


def test_stdio_unix_socket_refused(dropbear, client, home):
    """-W /path: Dropbear refuses the channel; adit says so as for a
    refused -W host:port and exits 255. (ssh 9.2 against Dropbear waits
    forever here, so adit's words are those of its -W host:port.)"""
    argv = strict_argv(client, "adit", dropbear, ["-W", "/tmp/adit-db.sock"])
    argv.remove("-N")
    rc, out, err = run_stdio(argv, b"data", home.env)
    err = err.replace("\r\n", "\n")
    assert rc == 255, err
    assert out == b""
    assert "channel 0: open failed: unknown channel type: \n" in err, err
    assert "stdio forwarding failed" in err, err


def test_stdio_refused_as_ssh(dropbear, client, home):
    """-W to a closed port: the same words and status as ssh."""
    dead = harness.closed_port()
    res = {}
    for kind in KINDS:
        argv = strict_argv(client, kind, dropbear,
                           ["-W", "127.0.0.1:%d" % dead])
        argv.remove("-N")
        res[kind] = run_stdio(argv, b"", home.env)
    for kind, (rc, out, err) in res.items():
        err = err.replace("\r\n", "\n")
        assert rc == 255, (kind, err)
        assert ("channel 0: open failed: connect failed: Connection "
                "refused\nstdio forwarding failed") in err, (kind, err)

