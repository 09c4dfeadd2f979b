# SPDX-License-Identifier: ISC
"""Reaching the server: -J/ProxyJump through real sshd hops, ProxyCommand,
-W host:port and -W /path (also as real ssh's ProxyCommand), ConnectTimeout
and ConnectionAttempts, -4/-6 and BindAddress. Every server is a real
OpenSSH sshd on loopback with its own host key."""
import contextlib
import os
import socket
import subprocess
import threading
import time

import pytest

import harness
from conftest import SSH, keygen
from paths import roundtrip


class Hop:
    def __init__(self, port, proc, key):
        self.port = port
        self.proc = proc
        self.key = key

    def known_hosts_line(self, host="127.0.0.1"):
        with open(self.key + ".pub") as f:
            kt, blob = f.read().split()[:2]
        return "[%s]:%d %s %s\n" % (host, self.port, kt, blob)


@pytest.fixture
def hops(sshd_factory, tmp_path):
    """start(extra=()) -> a new sshd with an ed25519 host key of its own."""
    made = []

    def start(extra=()):
        key = keygen(str(tmp_path / ("hop%d_host_key" % len(made))),
                     comment="hop%d" % len(made))
        srv = sshd_factory.start(extra, host_keys={"ed25519": key})
        made.append(Hop(srv.port, srv.proc, key))
        return made[-1]
    return start


def write_known_hosts(path, hop_list):
    with open(path, "w") as f:
        for h in hop_list:
            f.write(h.known_hosts_line())
    return path


def adit_argv(bins, home, known_hosts, port, extra=(), strict="yes"):
    return [bins.adit, "-i", home.key, "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=" + strict,
            "-o", "UserKnownHostsFile=" + known_hosts,
            "-o", "ConnectTimeout=20", "-p", str(port)] + list(extra) + \
        ["%s@127.0.0.1" % home.user]


def run_stdio(argv, data, env):
    """Run a client with data on stdin to its end; (rc, stdout, stderr).
    A sanitizer report in its stderr (adit's, or an adit run as its
    ProxyCommand) fails the test."""
    r = subprocess.run(argv, input=data, capture_output=True, timeout=120,
                       env=env)
    err = r.stderr.decode(errors="replace")
    for m in harness.SANITIZER_MARKERS:
        assert m not in err, err
    return r.returncode, r.stdout, err


def jump_spec(home, hop_list):
    return ",".join("%s@127.0.0.1:%d" % (home.user, h.port) for h in hop_list)


# ---- -J ----------------------------------------------------------------

def test_jump_two_hops_tunnel(client, home, hops, peers):
    """-J through two sshd hops to a third; a -L tunnel through the chain
    carries data byte for byte, and each hop saw exactly its own login.
    known_hosts lists each hop's own key under its own name."""
    h1, h2, target = hops(), hops(), hops()
    write_known_hosts(client.known_hosts, [h1, h2, target])
    echo = peers.echo()
    proc, lport = client.tunnel("adit", target, echo.port, opts=[
        "ProxyJump=" + jump_spec(home, [h1, h2])])
    for size in (0, 1, 65536, 1 << 20):
        roundtrip(lport, harness.payload_of(size))
    # hop 1 is reached from 127.0.0.1 by TCP; hop 2 and the target are
    # reached through the hop before them (sshd logs the direct-tcpip).
    harness.wait_log(h1.proc, "Accepted publickey")
    harness.wait_log(h2.proc, "Accepted publickey")
    harness.wait_log(target.proc, "Accepted publickey")
    assert proc.alive(), proc.describe()
    assert proc.stop() in (0, 255)


def test_jump_ipv6_hop_then_w(bins, home, hops, peers, tmp_path):
    """A jump host on [::1] (its key known as "[::1]:port"), and -W at the
    end of the chain: stdin/stdout reach the echo peer through both."""
    bins.require("adit")
    h1 = hops(extra=["ListenAddress ::1"])
    target = hops()
    kh = str(tmp_path / "kh")
    with open(kh, "w") as f:
        f.write(h1.known_hosts_line("::1"))
        f.write(target.known_hosts_line())
    echo = peers.echo()
    data = harness.payload_of(200000)
    rc, out, err = run_stdio(adit_argv(bins, home, kh, target.port, [
        "-J", "%s@[::1]:%d" % (home.user, h1.port),
        "-W", "127.0.0.1:%d" % echo.port]), data, home.env)
    assert rc == 0, err
    assert out == data
    assert "from ::1" in h1.proc.stderr()


def test_jump_host_own_config(bins, home, hops, peers, tmp_path):
    """-J bastion with bastion's HostName, Port, User and IdentityFile from
    its Host block in -F's file: the bastion only accepts that key."""
    bins.require("adit")
    bkey = keygen(str(tmp_path / "bastion_key"))
    bauth = str(tmp_path / "bastion_authorized_keys")
    with open(bkey + ".pub") as src, open(bauth, "w") as dst:
        dst.write(src.read())
    bastion = hops(extra=["AuthorizedKeysFile " + bauth])
    target = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [bastion, target])
    conf = tmp_path / "config"
    conf.write_text("Host bastion\n  HostName 127.0.0.1\n  Port %d\n"
                    "  User %s\n  IdentityFile %s\n"
                    % (bastion.port, home.user, bkey))
    os.chmod(conf, 0o600)
    echo = peers.echo()
    data = harness.payload_of(100000)
    rc, out, err = run_stdio(adit_argv(bins, home, kh, target.port, [
        "-F", str(conf), "-J", "bastion",
        "-W", "127.0.0.1:%d" % echo.port]), data, home.env)
    assert rc == 0, err
    assert out == data
    assert "Accepted publickey for %s" % home.user in bastion.proc.stderr()


def test_jump_checks_each_hop_key(bins, home, procs, hops, tmp_path):
    """A wrong key for the middle hop, under that hop's own name, stops
    the chain there: the target is never reached."""
    bins.require("adit")
    h1, h2, target = hops(), hops(), hops()
    kh = str(tmp_path / "kh")
    with open(kh, "w") as f:
        f.write(h1.known_hosts_line())
        f.write(Hop(h2.port, None, target.key).known_hosts_line())
        f.write(target.known_hosts_line())
    p = procs.start("adit", adit_argv(bins, home, kh, target.port,
                                      ["-N", "-J", jump_spec(home, [h1, h2])]))
    rc = p.wait(60)
    err = p.stderr()
    assert rc == 255, err
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in err
    assert "Host key verification failed." in err
    assert "Accepted publickey" not in target.proc.stderr()


def test_jump_unknown_hop_key_accept_new(client, home, hops):
    """With accept-new, every hop's key is recorded under its own name."""
    h1, target = hops(), hops()
    proc, _ = client.tunnel("adit", target, h1.port, opts=[
        "ProxyJump=" + jump_spec(home, [h1])])
    with open(client.known_hosts) as f:
        text = f.read()
    assert h1.known_hosts_line() in text
    assert target.known_hosts_line() in text
    proc.stop()


def test_jump_open_refused(bins, home, procs, hops, tmp_path):
    """The jump host cannot reach the next hop: ssh's words, exit 255."""
    bins.require("adit")
    h1 = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [h1])
    dead = harness.closed_port()
    p = procs.start("adit", adit_argv(bins, home, kh, dead,
                                      ["-N", "-J", jump_spec(home, [h1])]))
    rc = p.wait(60)
    err = p.stderr()
    assert rc == 255, err
    assert "open failed: connect failed: Connection refused" in err, err
    assert "stdio forwarding failed" in err


def test_jump_none_and_bad_spec(bins, client, home, hops, tmp_path):
    target = hops()
    proc, _ = client.tunnel("adit", target, target.port,
                            opts=["ProxyJump=none"])
    proc.stop()
    kh = client.known_hosts
    r = subprocess.run(adit_argv(bins, home, kh, target.port,
                                 ["-N", "-J", "a@:22"]),
                       capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL, env=home.env)
    assert r.returncode == 255
    assert "Invalid -J argument" in r.stderr


# ---- ProxyCommand and -W -------------------------------------------------

RELAY = r"""
import os, socket, sys, threading
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
def up():
    while True:
        b = os.read(0, 65536)
        if not b:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(b)
threading.Thread(target=up, daemon=True).start()
while True:
    b = s.recv(65536)
    if not b:
        break
    os.write(1, b)
"""


def test_proxycommand_python_relay(client, hops, peers, tmp_path):
    """ProxyCommand with %h %p tokens: a tiny relay carries the connection;
    the key is checked under the target's own name."""
    target = hops()
    write_known_hosts(client.known_hosts, [target])
    relay = tmp_path / "relay.py"
    relay.write_text(RELAY)
    echo = peers.echo()
    pc = "/usr/bin/python3 %s %%h %%p" % relay
    proc, lport = client.tunnel("adit", target, echo.port,
                                opts=["ProxyCommand=" + pc])
    roundtrip(lport, harness.payload_of(300000))
    proc.stop()


def test_proxycommand_tokens(client, home, hops, tmp_path):
    """%r %n %% %h %p as ssh expands them (the command runs under sh -c)."""
    target = hops()
    write_known_hosts(client.known_hosts, [target])
    relay = tmp_path / "relay.py"
    relay.write_text(RELAY)
    out = tmp_path / "tokens"
    pc = ("/bin/sh -c 'echo %%r %%n %%%% %%h %%p > %s; "
          "exec /usr/bin/python3 %s %%h %%p'" % (out, relay))
    proc, _ = client.tunnel("adit", target, target.port,
                            opts=["ProxyCommand=" + pc])
    proc.stop()
    assert out.read_text() == "%s 127.0.0.1 %% 127.0.0.1 %d\n" % (
        home.user, target.port)


# ProxyUseFdpass: the command connects, passes the socket back over its
# stdout with one byte (SCM_RIGHTS, as ssh's mm_send_fd) and exits, so no
# byte of the session goes through it. argv[3]: a file for its pid.
FDPASS = r"""
import os, socket, sys
with open(sys.argv[3], "w") as f:
    f.write(str(os.getpid()))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
out = socket.socket(fileno=1)
socket.send_fds(out, [b"\0"], [s.fileno()])
"""


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_proxy_use_fdpass(kind, client, hops, peers, tmp_path):
    """ProxyUseFdpass yes: the same dialer works for ssh and adit; the
    tunnel carries data after the dialer has exited, over the socket it
    passed (adit names the real peer, not ssh's UNKNOWN port 65535)."""
    target = hops()
    write_known_hosts(client.known_hosts, [target])
    dialer = tmp_path / "fdpass.py"
    dialer.write_text(FDPASS)
    pidfile = tmp_path / "dialer.pid"
    echo = peers.echo()
    pc = "/usr/bin/python3 %s %%h %%p %s" % (dialer, pidfile)
    opts = ["ProxyUseFdpass=yes", "ProxyCommand=" + pc, "LogLevel=DEBUG"]
    proc, lport = client.tunnel(kind, target, echo.port, opts=opts)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 30
    while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists("/proc/%d" % pid), "the dialer still runs"
    roundtrip(lport, harness.payload_of(300000))
    if kind == "adit":
        assert "Connection established to 127.0.0.1 port %d" % target.port \
            in proc.stderr(), proc.stderr()
    assert proc.alive(), proc.describe()
    proc.stop()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_proxy_use_fdpass_no_fd(kind, client):
    """A dialer that exits without passing a socket: ssh's words, 255."""
    rc, err = run_with(client, kind, 22, ["ProxyUseFdpass=yes",
                                          "ProxyCommand=echo x"])
    assert rc == 255, err
    assert "proxy dialer did not pass back a connection" in err, err


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_proxycommand_fails(kind, client):
    """A ProxyCommand that exits at once: ssh's words, status 255."""
    rc, err = run_with(client, kind, 22, ["ProxyCommand=exit 3"])
    assert rc == 255, err
    # ssh races its version line against the command's exit: it may also
    # say "banner exchange: Connection to UNKNOWN port 65535: Broken pipe".
    # adit reports either case as the closed connection.
    want = "UNKNOWN port 65535" if kind == "ssh" else \
        "Connection closed by UNKNOWN port 65535"
    assert want in err, err


def test_proxycommand_adit_w(bins, client, home, hops, peers):
    """adit -o ProxyCommand='adit -W %h:%p hop' target: the usual chain."""
    hop, target = hops(), hops()
    kh = write_known_hosts(client.known_hosts, [hop, target])
    echo = peers.echo()
    inner = " ".join(adit_argv(bins, home, kh, hop.port, ["-W", "%h:%p"]))
    proc, lport = client.tunnel("adit", target, echo.port,
                                opts=["ProxyCommand=" + inner])
    roundtrip(lport, harness.payload_of(200000))
    assert proc.stop() in (0, 255)


def test_real_ssh_through_adit_w(bins, home, procs, hops, tmp_path):
    """ssh -o ProxyCommand="adit -W %h:%p hop" target runs a command."""
    bins.require("adit")
    hop, target = hops(), hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [hop, target])
    inner = " ".join(adit_argv(bins, home, kh, hop.port, ["-W", "%h:%p"]))
    rc, out, err = run_stdio(
        [SSH, "-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-i", home.key,
         "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
         "-o", "UserKnownHostsFile=" + kh, "-o", "ProxyCommand=" + inner,
         "-p", str(target.port), "%s@127.0.0.1" % home.user,
         "head -c 100000 /dev/zero | tr '\\0' x; echo done"], b"", home.env)
    assert rc == 0, err
    assert out == b"x" * 100000 + b"done\n"


JUMP_PROXY_CONF = """\
Host hop1
    HostName 127.0.0.1
    Port {h1}
    ProxyCommand /bin/sh -c 'echo hop1 %h %p %n %r >> {log}; exec /usr/bin/python3 {relay} %h %p'
Host hop2
    HostName 127.0.0.1
    Port {h2}
    ProxyCommand /bin/sh -c 'echo hop2 >> {log}; exit 1'
Host target
    HostName 127.0.0.1
    Port {t}
Host *
    User {user}
    IdentityFile {key}
    IdentitiesOnly yes
    BatchMode yes
    StrictHostKeyChecking yes
    UserKnownHostsFile {kh}
    GlobalKnownHostsFile /dev/null
    ConnectTimeout 20
"""


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("chain", ["hop1", "hop1,hop2"])
def test_jump_hop_own_proxycommand(kind, chain, bins, home, hops, peers,
                                   tmp_path):
    """-J hop with "Host hop / ProxyCommand ..." in the file: the first jump
    host is reached through its ProxyCommand, its tokens the hop's own
    (%h %p %n %r); a later hop's ProxyCommand (one that would fail) is not
    run, as ssh, whose ssh for that hop has -J set first. Side by side with
    ssh: the same commands run, and -W data comes back byte for byte."""
    bins.require(kind)
    h1, h2, target = hops(), hops(), hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [h1, h2, target])
    relay = tmp_path / "relay.py"
    relay.write_text(RELAY)
    log = tmp_path / "proxy.log"
    conf = tmp_path / "conf"
    conf.write_text(JUMP_PROXY_CONF.format(
        h1=h1.port, h2=h2.port, t=target.port, log=log, relay=relay,
        user=home.user, key=home.key, kh=kh))
    echo = peers.echo()
    data = harness.payload_of(100000, seed=5)
    prog = SSH if kind == "ssh" else bins.adit
    rc, out, err = run_stdio([prog, "-F", str(conf), "-J", chain, "-W",
                              "127.0.0.1:%d" % echo.port, "target"], data,
                             home.env)
    assert rc == 0, err
    assert out == data
    assert log.read_text() == "hop1 127.0.0.1 %d hop1 %s\n" % (
        h1.port, home.user)


def w_client(bins, home, kh, hop, spec, data, kind="adit"):
    """Run adit (or ssh) -W spec with data on stdin; return (rc, stdout,
    stderr)."""
    argv = adit_argv(bins, home, kh, hop.port, ["-W", spec])
    if kind == "ssh":
        argv = [SSH, "-F", "/dev/null", "-o", "IdentitiesOnly=yes"] + argv[1:]
    return run_stdio(argv, data, home.env)


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_w_host_port(kind, bins, home, hops, peers, tmp_path):
    bins.require(kind)
    hop = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [hop])
    echo = peers.echo()
    data = harness.payload_of(500000)
    rc, out, err = w_client(bins, home, kh, hop, "127.0.0.1:%d" % echo.port,
                            data, kind)
    assert rc == 0, err
    assert out == data


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("size", [0, 300000])
def test_w_files(kind, size, bins, home, hops, peers, tmp_path):
    """-W host:port < file > file, as ssh takes them: regular files
    cannot be polled, so adit reads and writes them another way; what
    comes back is the file, byte for byte."""
    bins.require(kind)
    hop = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [hop])
    echo = peers.echo()
    src, dst = str(tmp_path / "in"), str(tmp_path / "out")
    with open(src, "wb") as f:
        f.write(harness.payload_of(size, seed=3))
    argv = adit_argv(bins, home, kh, hop.port,
                     ["-W", "127.0.0.1:%d" % echo.port])
    if kind == "ssh":
        argv = [SSH, "-F", "/dev/null", "-o", "IdentitiesOnly=yes"] + argv[1:]
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        r = subprocess.run(argv, stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE, timeout=120, env=home.env)
    err = r.stderr.decode(errors="replace")
    for m in harness.SANITIZER_MARKERS:
        assert m not in err, err
    assert r.returncode == 0, err
    with open(src, "rb") as a, open(dst, "rb") as b:
        assert harness.sha256(b.read()) == harness.sha256(a.read())


# Only adit: OpenSSH 9.2's own ssh -W /path sends nothing through here
# within two minutes (stdout stays empty), so it cannot be the reference.
@pytest.mark.parametrize("kind", ["adit"])
def test_w_unix_socket(kind, bins, home, hops, tmp_path):
    """-W /path: direct-streamlocal@openssh.com to a unix socket."""
    bins.require(kind)
    hop = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [hop])
    path = str(tmp_path / "echo.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    srv.settimeout(60)

    def serve():
        try:
            c, _ = srv.accept()
        except OSError:
            return
        with c:
            harness.echo_handler(c)
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    data = harness.payload_of(100000)
    try:
        rc, out, err = w_client(bins, home, kh, hop, path, data, kind)
    finally:
        srv.close()
        t.join(10)
    assert rc == 0, err
    assert out == data


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_w_refused(kind, bins, home, hops, tmp_path):
    bins.require(kind)
    hop = hops()
    kh = write_known_hosts(str(tmp_path / "kh"), [hop])
    dead = harness.closed_port()
    rc, out, err = w_client(bins, home, kh, hop, "127.0.0.1:%d" % dead, b"",
                            kind)
    assert rc == 255, err
    assert "open failed: connect failed: Connection refused" in err
    assert "stdio forwarding failed" in err


# ---- ConnectTimeout, ConnectionAttempts, address family, bind ------------

def run_with(client, kind, port, opts):
    """Run a client with opts placed before the fixture's own -o options
    (the first value wins, and the fixture sets ConnectTimeout=20)."""
    argv = client.argv(kind, port)
    for o in opts:
        argv[1:1] = ["-o", o]
    proc = client.procs.start(kind, argv)
    rc = proc.wait(60)
    return rc, proc.stderr()


@contextlib.contextmanager
def silent_listener(full):
    """A listening socket on 127.0.0.1 that never accepts. full: its accept
    queue is filled first, so new connects get no answer at all (their
    SYNs are dropped); else the kernel completes them and nothing more
    happens (no version line). Yields the port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0 if full else 8)
    fill = []
    try:
        for _ in range(3 if full else 0):
            c = socket.socket()
            fill.append(c)
            c.setblocking(False)
            try:
                c.connect(s.getsockname())
            except BlockingIOError:
                pass
        yield s.getsockname()[1]
    finally:
        for c in fill:
            c.close()
        s.close()


def timed_run(client, kind, full, opts):
    """Run against a silent listener: (port, rc, stderr, seconds taken)."""
    with silent_listener(full) as port:
        t0 = time.monotonic()
        rc, err = run_with(client, kind, port, opts)
        return port, rc, err, time.monotonic() - t0


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_connect_timeout(kind, client):
    port, rc, err, took = timed_run(client, kind, True, ["ConnectTimeout=2"])
    assert rc == 255, err
    assert "connect to host 127.0.0.1 port %d: Connection timed out" % port \
        in err
    assert took < 10, took


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_connect_timeout_banner(kind, client):
    """Accepted by the kernel, but no version line ever comes."""
    port, rc, err, took = timed_run(client, kind, False, ["ConnectTimeout=2"])
    assert rc == 255, err
    assert "Connection timed out during banner exchange" in err
    assert "Connection to 127.0.0.1 port %d timed out" % port in err
    assert took < 10, took


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_connection_attempts(kind, client):
    """Two attempts one second apart, then ssh's message once."""
    _, rc, err, took = timed_run(client, kind, True,
                                 ["ConnectTimeout=1", "ConnectionAttempts=2"])
    assert rc == 255, err
    assert err.count("Connection timed out") == 1, err
    assert 2.5 < took < 10, took


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_address_family(kind, client, hops, bins):
    """-6 reaches sshd on ::1; -4 cannot resolve ::1, as ssh says."""
    hop = hops(extra=["ListenAddress ::1"])
    argv = client.argv(kind, hop.port)
    argv6 = argv[:-1] + ["-6", "%s@::1" % client.home.user]
    p = client.procs.start(kind, argv6)
    harness.wait_log(hop.proc, "Accepted publickey")
    assert "from ::1" in hop.proc.stderr()
    p.stop()
    argv4 = argv[:-1] + ["-4", "%s@::1" % client.home.user]
    r = subprocess.run(argv4, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=client.home.env)
    assert r.returncode == 255
    assert "Could not resolve hostname ::1" in r.stderr, r.stderr


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_bind_address(kind, client, hops):
    """-b 127.0.0.2: sshd sees the connection come from there."""
    hop = hops()
    argv = client.argv(kind, hop.port)
    p = client.procs.start(kind, argv[:1] + ["-b", "127.0.0.2"] + argv[1:])
    harness.wait_log(hop.proc, "Accepted publickey")
    assert "from 127.0.0.2" in hop.proc.stderr()
    p.stop()
