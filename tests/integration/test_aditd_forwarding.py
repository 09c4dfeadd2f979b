# SPDX-License-Identifier: ISC
"""aditd's forwarding against real OpenSSH ssh (and paramiko): remote
forwards with data checked byte for byte, port 0, what permitlisten,
PermitListen, AllowTcpForwarding and permitopen refuse and the reasons they
give, listener takeover by the same key after the first client froze, a
different key refused, named endpoints reached with ssh -W and ssh -J,
session channels answered with one line, no-more-sessions, and
ClientAlive dropping a frozen client."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

import harness
from conftest import SSH
from paths import roundtrip

REFUSED_RFWD = "remote port forwarding failed for listen port"


def authorized_keys(tmp_path, lines):
    """Write an authorized_keys file of (options, key path) lines."""
    path = str(tmp_path / "authorized_keys_fwd")
    with open(path, "w") as f:
        for opts, key in lines:
            with open(key + ".pub") as pub:
                f.write(((opts + " ") if opts else "") + pub.read())
    return path


def fingerprint(key):
    r = subprocess.run(["ssh-keygen", "-l", "-f", key + ".pub"],
                       capture_output=True, text=True, check=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    return r.stdout.split()[1]


def ssh_argv(client, server, key=None, rfwds=(), lfwds=(), opts=(),
             no_cmd=True, command=()):
    argv = client.argv("ssh", server.port, opts=opts, key=key, no_cmd=no_cmd,
                       forwards=lfwds)
    dest = argv.pop()
    for r in rfwds:
        argv += ["-R", r]
    return argv + [dest] + list(command)


def ssh_stdio(client, server, home, target, data, opts=()):
    """Run ssh -W target through server with data on stdin (bounded);
    return the CompletedProcess."""
    argv = ssh_argv(client, server, no_cmd=False, opts=opts)
    argv[-1:-1] = ["-W", target]
    return subprocess.run(argv, input=data, capture_output=True,
                          timeout=120, env=home.env)


def start_rfwd(client, procs, server, spec, key=None, opts=()):
    return procs.start("ssh", ssh_argv(client, server, key, [spec],
                                       opts=opts))


def wait_exit(proc, timeout=60):
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("did not exit: " + proc.describe())


def not_listening(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return False
    except OSError:
        return True


# --- remote forwards ---------------------------------------------------------

def test_remote_forward_data(client, aditd, procs, peers):
    """ssh -R through aditd: sizes 0, 1, 2 ... 200k arrive byte for byte;
    the listener is on loopback only (GatewayPorts no)."""
    server = aditd.start()
    echo = peers.echo()
    port = harness.free_port()
    proc = start_rfwd(client, procs, server,
                      "%d:127.0.0.1:%d" % (port, echo.port))
    harness.wait_listening(proc, port)
    for size in (0, 1, 2, 1000, 65536, 200000):
        roundtrip(port, harness.payload_of(size))
    assert not_listening("127.0.0.2", port)
    harness.wait_log(server.proc, "Remote forward localhost port %d" % port)


def test_remote_forward_port_zero(client, aditd, procs, peers):
    """ssh -R 0:...: aditd allocates a port and ssh prints it."""
    server = aditd.start()
    echo = peers.echo()
    proc = start_rfwd(client, procs, server, "0:127.0.0.1:%d" % echo.port)
    harness.wait_log(proc, "Allocated port ")
    m = re.search(r"Allocated port (\d+) for remote forward", proc.stderr())
    port = int(m.group(1))
    roundtrip(port, harness.payload_of(100000, seed=3))
    # aditd picks it itself, from the kernel's ephemeral range (as the
    # kernel's own choice would be)
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = (int(x) for x in f.read().split())
    assert lo <= port <= hi


def test_cancel_and_gateway_ports_yes(client, aditd, procs, peers):
    """GatewayPorts yes binds the wildcard address even for "localhost"
    (reached here through 127.0.0.2); when ssh goes, the port is freed."""
    server = aditd.start(extra=["GatewayPorts yes"])
    echo = peers.echo()
    port = harness.free_port()
    proc = start_rfwd(client, procs, server,
                      "%d:127.0.0.1:%d" % (port, echo.port))
    harness.wait_listening(proc, port)
    with socket.create_connection(("127.0.0.2", port), timeout=10) as s:
        s.sendall(b"wild")
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s) == b"wild"
    proc.stop()
    harness.poll(lambda: not_listening("127.0.0.1", port), 30,
                 "the listener to close with its session")


@pytest.mark.parametrize("gateway,listen,reach,not_reach", [
    ("no", "127.0.0.2", "127.0.0.1", "127.0.0.2"),  # loopback, not 127.0.0.2
    ("clientspecified", "127.0.0.2", "127.0.0.2", "127.0.0.1"),
    ("clientspecified", "localhost", "127.0.0.1", "127.0.0.2"),
    ("clientspecified", "", "127.0.0.2", None),  # "" is the wildcard
])
def test_gateway_ports_bind(gateway, listen, reach, not_reach, client, aditd,
                            procs, peers):
    """What is bound follows GatewayPorts as sshd binds it."""
    server = aditd.start(extra=["GatewayPorts " + gateway])
    echo = peers.echo()
    port = harness.free_port()
    spec = "%s:%d:127.0.0.1:%d" % (listen, port, echo.port)
    proc = start_rfwd(client, procs, server, spec)
    harness.wait_log(server.proc, "port %d for 127.0.0.1" % port)
    with socket.create_connection((reach, port), timeout=10) as s:
        s.sendall(b"gw")
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s) == b"gw"
    if not_reach is not None:
        assert not_listening(not_reach, port)
    assert proc.alive()


# --- refusals ----------------------------------------------------------------

LISTEN_CASES = [
    ("127.0.0.1:{p}", False),  # "localhost" is not 127.0.0.1
    ("0.0.0.0:{p}", False),    # nor the wildcard
    ("0", False),              # port 0 needs a "*" port
    ("{p}", True),             # ssh sends "localhost"
    ("LOCALHOST:{p}", True),   # lowercased before matching
]


@pytest.mark.parametrize("listen,granted", LISTEN_CASES,
                         ids=[c[0] for c in LISTEN_CASES])
def test_permitlisten(listen, granted, client, aditd, procs, peers, home,
                      tmp_path):
    port = harness.free_port()
    ak = authorized_keys(tmp_path, [('permitlisten="localhost:%d"' % port,
                                     home.key)])
    server = aditd.start(authorized_keys=ak)
    echo = peers.echo()
    spec = listen.format(p=port) + ":127.0.0.1:%d" % echo.port
    proc = start_rfwd(client, procs, server, spec)
    if granted:
        harness.wait_listening(proc, port)
        roundtrip(port, b"granted" * 100)
        return
    assert wait_exit(proc) == 255
    assert REFUSED_RFWD in proc.stderr()
    harness.wait_log(server.proc, "denied by permitlisten on key %s line 1"
                     % fingerprint(home.key))
    assert not_listening("127.0.0.1", port)


def test_permit_listen_config(client, aditd, procs, peers):
    """PermitListen in the configuration: both lists must allow."""
    port = harness.free_port()
    server = aditd.start(extra=["PermitListen localhost:%d" % port])
    echo = peers.echo()
    proc = start_rfwd(client, procs, server,
                      "127.0.0.1:%d:127.0.0.1:%d" % (port, echo.port))
    assert wait_exit(proc) == 255
    harness.wait_log(server.proc, "denied by PermitListen")
    proc = start_rfwd(client, procs, server,
                      "%d:127.0.0.1:%d" % (port, echo.port))
    harness.wait_listening(proc, port)


@pytest.mark.parametrize("setting,why", [
    ("AllowTcpForwarding local", "remote forwarding disabled by "
                                 "AllowTcpForwarding"),
    ("DisableForwarding yes", "forwarding disabled by DisableForwarding"),
])
def test_remote_forward_switched_off(setting, why, client, aditd, procs,
                                     peers):
    server = aditd.start(extra=[setting])
    echo = peers.echo()
    proc = start_rfwd(client, procs, server, "0:127.0.0.1:%d" % echo.port)
    assert wait_exit(proc) == 255
    harness.wait_log(server.proc, why)


@pytest.mark.parametrize("opts,setting,why", [
    ('permitopen="127.0.0.1:1"', None, "denied by permitopen on key {fp} "
                                       "line 1"),
    ('restrict', None, "port forwarding disabled on key {fp} line 1"),
    (None, "AllowTcpForwarding remote", "local forwarding disabled by "
                                        "AllowTcpForwarding"),
    (None, "PermitOpen localhost:1", "denied by PermitOpen"),
], ids=["permitopen", "restrict", "AllowTcpForwarding", "PermitOpen"])
def test_local_forward_refusal_says_why(opts, setting, why, client, aditd,
                                        peers, home, tmp_path):
    """The open-failure text names the rule and the key; ssh prints it."""
    ak = authorized_keys(tmp_path, [(opts, home.key)])
    server = aditd.start(authorized_keys=ak,
                         extra=[setting] if setting else [])
    echo = peers.echo()
    proc, lport = client.tunnel("ssh", server, echo.port)
    with socket.create_connection(("127.0.0.1", lport), timeout=10) as s:
        s.settimeout(30)
        assert s.recv(1) == b""
    text = why.format(fp=fingerprint(home.key))
    harness.wait_log(proc, "administratively prohibited: " + text)
    harness.wait_log(server.proc, text)
    assert re.search(r"Received request from 127\.0\.0\.1 port \d+ to "
                     r"connect to host 127\.0\.0\.1 port %d, but the "
                     r"request was denied: " % echo.port + re.escape(text),
                     server.proc.stderr())


# --- takeover ----------------------------------------------------------------

def test_takeover_same_key(client, aditd, procs, peers):
    """The first client freezes (SIGSTOP); the same key asking again takes
    the listener over at once instead of failing on the stale one."""
    server = aditd.start()
    echo = peers.echo()
    port = harness.free_port()
    spec = "%d:127.0.0.1:%d" % (port, echo.port)
    first = start_rfwd(client, procs, server, spec)
    harness.wait_listening(first, port)
    roundtrip(port, b"first")
    held = socket.create_connection(("127.0.0.1", port), timeout=30)
    held.sendall(b"held")
    assert held.recv(4) == b"held"
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = start_rfwd(client, procs, server, spec)
        harness.wait_log(server.proc, "localhost port %d taken over by"
                         % port)
        # The stale session's channel on the forward is closed.
        assert held.recv(1) == b""
        roundtrip(port, harness.payload_of(50000, seed=9))
        assert second.alive(), second.describe()
        assert REFUSED_RFWD not in second.stderr()
    finally:
        held.close()
        os.kill(first.pid, signal.SIGCONT)
    first.stop()
    roundtrip(port, b"still served by the second")


def test_takeover_other_key_refused(client, aditd, procs, peers, home,
                                    tmp_path):
    ak = authorized_keys(tmp_path, [(None, home.key),
                                    (None, home.stranger_key)])
    server = aditd.start(authorized_keys=ak)
    echo = peers.echo()
    port = harness.free_port()
    spec = "%d:127.0.0.1:%d" % (port, echo.port)
    first = start_rfwd(client, procs, server, spec)
    harness.wait_listening(first, port)
    other = start_rfwd(client, procs, server, spec, key=home.stranger_key)
    assert wait_exit(other) == 255
    assert REFUSED_RFWD in other.stderr()
    harness.wait_log(server.proc, "localhost port %d is held by another key"
                     % port)
    roundtrip(port, b"first still owns it")


# --- named endpoints ---------------------------------------------------------

def named_server(aditd, tmp_path, home, *names):
    """aditd whose key may register exactly these names (a name needs a
    permitlisten rule naming it)."""
    rule = ",".join('permitlisten="%s"' % n for n in names)
    return aditd.start(authorized_keys=authorized_keys(tmp_path,
                                                       [(rule, home.key)]))


def test_named_endpoint_needs_permitlisten(client, aditd, procs, peers,
                                           home):
    """Without a permitlisten rule naming it, a key cannot register a name:
    otherwise any key could catch every other user's connections to
    db.internal:5432. A -W to the name then goes to the resolver, not to a
    tunnel."""
    server = aditd.start()
    sink = peers.sink()
    bad = start_rfwd(client, procs, server,
                     "svc-2:7:127.0.0.1:%d" % sink.port)
    assert wait_exit(bad) == 255
    harness.wait_log(server.proc, "named endpoint svc-2 needs a permitlisten")
    r = ssh_stdio(client, server, home, "svc-2:7", b"x")
    assert r.returncode == 255
    assert sink.recorder.results == []

def test_named_endpoint_stdio(client, aditd, procs, peers, home, tmp_path):
    """-R svc-1:7:... binds nothing; ssh -W svc-1:7 from another session
    is joined to that tunnel: 200k bytes through and back, exactly."""
    server = named_server(aditd, tmp_path, home, "svc-1:7")
    echo = peers.echo()
    owner = start_rfwd(client, procs, server,
                       "svc-1:7:127.0.0.1:%d" % echo.port)
    harness.wait_log(server.proc, "Named endpoint svc-1 port 7")
    data = harness.payload_of(200000, seed=5)
    r = ssh_stdio(client, server, home, "svc-1:7", data,
                  opts=["LogLevel=ERROR"])
    assert r.returncode == 0, r.stderr
    assert harness.sha256(r.stdout) == harness.sha256(data)
    assert owner.alive()
    harness.wait_log(server.proc, "to svc-1 port 7 joined to the tunnel")


def test_named_endpoint_jump(client, aditd, sshd_factory, procs, home,
                             tmp_path):
    """ssh -J bastion user@web-1: web-1 is an sshd that registered
    web-1:22 with a reverse tunnel to the bastion."""
    server = named_server(aditd, tmp_path, home, "web-1:22")
    target = sshd_factory.start()
    owner = start_rfwd(client, procs, server,
                       "web-1:22:127.0.0.1:%d" % target.port)
    harness.wait_log(server.proc, "Named endpoint web-1 port 22")
    cfg = str(tmp_path / "ssh_config")
    with open(cfg, "w") as f:
        f.write("Host *\n  IdentityFile %s\n  IdentitiesOnly yes\n"
                "  BatchMode yes\n  StrictHostKeyChecking accept-new\n"
                "  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n"
                % (home.key, tmp_path / "kh_jump"))
    argv = [SSH, "-F", cfg, "-J", "%s@127.0.0.1:%d" % (home.user,
                                                       server.port),
            "-p", "22", "%s@web-1" % home.user, "echo", "named-endpoint-ok"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                       env=home.env, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "named-endpoint-ok"
    assert owner.alive()


def test_named_endpoint_permitopen(client, aditd, procs, peers, home,
                                   tmp_path):
    """permitopen governs names as it governs addresses; permitlisten
    governs who may register one."""
    ak = authorized_keys(tmp_path, [
        ('permitlisten="web-1:22",permitopen="web-2:22"', home.key)])
    server = aditd.start(authorized_keys=ak)
    echo = peers.echo()
    bad = start_rfwd(client, procs, server,
                     "web-3:22:127.0.0.1:%d" % echo.port)
    assert wait_exit(bad) == 255
    harness.wait_log(server.proc, "denied by permitlisten")
    start_rfwd(client, procs, server, "web-1:22:127.0.0.1:%d" % echo.port)
    harness.wait_log(server.proc, "Named endpoint web-1 port 22")
    r = ssh_stdio(client, server, home, "web-1:22", b"x")
    assert r.returncode == 255
    assert b"denied by permitopen on key" in r.stderr


# --- sessions ----------------------------------------------------------------

@pytest.mark.parametrize("command", [(), ("uname",)], ids=["shell", "exec"])
def test_session_gets_one_line(command, client, aditd, procs):
    """ssh without -N: one line on stderr, exit status 1, no hang."""
    server = aditd.start()
    proc = procs.start("ssh", ssh_argv(client, server, no_cmd=False,
                                       command=command))
    assert wait_exit(proc) == 1
    assert "This server only forwards ports (use ssh -N)." in proc.stderr()
    assert proc.stdout() == ""


def test_no_more_sessions(aditd, home):
    """After no-more-sessions@openssh.com a session open ends the
    connection, as sshd does."""
    paramiko = pytest.importorskip("paramiko")
    server = aditd.start()
    t = paramiko.Transport(("127.0.0.1", server.port))
    try:
        t.connect(username=home.user,
                  pkey=paramiko.Ed25519Key.from_private_key_file(home.key))
        t.global_request("no-more-sessions@openssh.com", wait=False)
        with pytest.raises(Exception):
            t.open_session(timeout=20)
        harness.wait_log(server.proc, "Possible attack: attempt to open a "
                         "session after additional sessions disabled")
    finally:
        t.close()


# --- ClientAlive -------------------------------------------------------------

def test_client_alive_drops_frozen_client(client, aditd, peers):
    """ClientAliveInterval 1, ClientAliveCountMax 3: a live ssh answers
    and stays; a SIGSTOPped one is dropped."""
    server = aditd.start(extra=["ClientAliveInterval 1",
                                "ClientAliveCountMax 3"])
    echo = peers.echo()
    proc, lport = client.tunnel("ssh", server, echo.port,
                                ["LogLevel=DEBUG3"])
    # The probes arrive as GLOBAL_REQUEST (80) and ssh answers them.
    harness.poll(lambda: proc.stderr().count("receive packet: type 80") >= 3,
                 30, "three keepalive probes in ssh's log")
    roundtrip(lport, b"alive")
    assert "not responding" not in server.proc.stderr()
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        harness.wait_log(server.proc, "Timeout, client not responding")
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    assert wait_exit(proc) == 255


# --- Unix sockets --------------------------------------------------------------

@pytest.fixture
def unix_echo(tmp_path):
    e = harness.TcpServer(harness.echo_handler, path=str(tmp_path / "e.sock"))
    yield e
    e.stop()
    assert not e.errors, e.errors


@pytest.mark.parametrize("opts,setting,granted,why", [
    (None, None, False, "disabled by AllowStreamLocalForwarding"),
    (None, "AllowStreamLocalForwarding yes", False,
     "needs port-forwarding on key"),
    ("restrict,port-forwarding", "AllowStreamLocalForwarding local", True,
     None),
    ("port-forwarding", "AllowStreamLocalForwarding remote", False,
     "disabled by AllowStreamLocalForwarding"),
    # As sshd: a path passes permitopen / PermitOpen only by a "*" port.
    ('restrict,port-forwarding,permitopen="127.0.0.1:80"',
     "AllowStreamLocalForwarding local", False, "denied by permitopen"),
    ("port-forwarding", "AllowStreamLocalForwarding local\n"
     "PermitOpen 127.0.0.1:80", False, "denied by PermitOpen"),
    ('port-forwarding,permitopen="*:*"', "AllowStreamLocalForwarding local",
     True, None),
], ids=["default", "key-silent", "granted", "remote-only", "key-permitopen",
        "server-permitopen", "key-any"])
def test_direct_streamlocal(opts, setting, granted, why, client, aditd,
                            procs, unix_echo, home, tmp_path):
    """ssh -L port:/path: a Unix socket is reached only when the server
    setting and the key both say so."""
    ak = authorized_keys(tmp_path, [(opts, home.key)])
    server = aditd.start(authorized_keys=ak,
                         extra=[setting] if setting else [])
    lport = harness.free_port()
    proc = procs.start("ssh", ssh_argv(
        client, server, lfwds=["127.0.0.1:%d:%s" % (lport, unix_echo.path)]))
    harness.wait_listening(proc, lport)
    if granted:
        roundtrip(lport, harness.payload_of(100000, seed=11))
        return
    with socket.create_connection(("127.0.0.1", lport), timeout=10) as s:
        s.settimeout(30)
        assert s.recv(1) == b""
    harness.wait_log(server.proc, why)
    harness.wait_log(proc, "open failed: connect failed: ")


def unix_roundtrip(path, data):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(harness.IO_TIMEOUT)
        s.connect(path)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(data))
    assert harness.sha256(got) == harness.sha256(data)


def test_streamlocal_forward(client, aditd, procs, peers, home, tmp_path):
    """ssh -R /path:host:port: aditd listens on the Unix socket when
    AllowStreamLocalForwarding and the key allow it, and removes the file
    when the forward goes."""
    sock = str(tmp_path / "fwd.sock")
    echo = peers.echo()
    spec = "%s:127.0.0.1:%d" % (sock, echo.port)
    server = aditd.start()
    refused = start_rfwd(client, procs, server, spec)
    assert wait_exit(refused) == 255
    harness.wait_log(server.proc, "Refused streamlocal-forward of %s" % sock)
    assert not os.path.exists(sock)
    ak = authorized_keys(tmp_path, [("port-forwarding", home.key)])
    server = aditd.start(authorized_keys=ak,
                         extra=["AllowStreamLocalForwarding remote"])
    proc = start_rfwd(client, procs, server, spec)
    harness.wait_log(server.proc, "Remote forward %s for" % sock)
    unix_roundtrip(sock, harness.payload_of(100000, seed=13))
    proc.stop()
    harness.poll(lambda: not os.path.exists(sock), 30,
                 "the socket file to go with its forward")


def test_named_endpoint_takeover(client, aditd, procs, peers, home,
                                 tmp_path):
    """Takeover applies to names: the same key registers web-9:22 again
    while the first owner is frozen, and connections reach the new one."""
    server = named_server(aditd, tmp_path, home, "web-9:22")
    first_echo, second_echo = peers.echo(), peers.sink()
    first = start_rfwd(client, procs, server,
                       "web-9:22:127.0.0.1:%d" % first_echo.port)
    harness.wait_log(server.proc, "Named endpoint web-9 port 22")
    os.kill(first.pid, signal.SIGSTOP)
    try:
        start_rfwd(client, procs, server,
                   "web-9:22:127.0.0.1:%d" % second_echo.port)
        harness.wait_log(server.proc, "web-9 port 22 taken over by")
        data = harness.payload_of(30000, seed=17)
        r = ssh_stdio(client, server, home, "web-9:22", data)
        assert r.returncode == 0, r.stderr
        second_echo.recorder.wait_for(len(data), harness.sha256(data), 60)
    finally:
        os.kill(first.pid, signal.SIGCONT)


def test_named_endpoint_owner_refuses(client, aditd, procs, home, tmp_path):
    """When the owner cannot reach its target, the joining open fails with
    the owner's words instead of opening and closing at once."""
    server = named_server(aditd, tmp_path, home, "db-1:5432")
    dead = harness.closed_port()  # refused: bound, never listening
    start_rfwd(client, procs, server, "db-1:5432:127.0.0.1:%d" % dead)
    harness.wait_log(server.proc, "Named endpoint db-1 port 5432")
    r = ssh_stdio(client, server, home, "db-1:5432", b"x")
    assert r.returncode == 255
    assert b"open failed: connect failed:" in r.stderr, r.stderr


def test_slow_destination_does_not_stall_others(client, aditd, procs,
                                                peers):
    """A target whose connect hangs (a full accept queue drops the SYN)
    holds only its own channel: another target on the same connection
    answers at once, and the hung one fails after the connect timeout."""
    server = aditd.start()
    echo = peers.echo()
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.bind(("127.0.0.1", 0))
    stuck.listen(0)
    fillers = []
    try:
        for _ in range(4):  # fill the accept queue; never accepted
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            f.connect_ex(stuck.getsockname())
            fillers.append(f)
        lport, lport2 = harness.free_port(), harness.free_port()
        proc = procs.start("ssh", ssh_argv(client, server, lfwds=[
            "127.0.0.1:%d:127.0.0.1:%d" % (lport, stuck.getsockname()[1]),
            "127.0.0.1:%d:127.0.0.1:%d" % (lport2, echo.port)]))
        harness.wait_listening(proc, lport2)
        with socket.create_connection(("127.0.0.1", lport), timeout=10) as s:
            t0 = time.monotonic()
            roundtrip(lport2, b"not stalled")
            # Answered while the other channel's connect still hangs.
            s.setblocking(False)
            with pytest.raises(BlockingIOError):
                s.recv(1)
            s.settimeout(60)
            assert s.recv(1) == b""  # the hung connect gave up
            assert time.monotonic() - t0 >= 5
    finally:
        for f in fillers:
            f.close()
        stuck.close()
