# SPDX-License-Identifier: ISC
"""aditd's connection limits against real ssh, paramiko and raw sockets:
MaxStartups, PerSourceMaxStartups, PerSourcePenalties (with its exempt
list) and MaxSessions. Other loopback addresses (127.0.0.2 ...) stand for
other sources: Linux routes all of 127.0.0.0/8 to lo."""
import socket

import pytest

import harness
from paths import roundtrip

DROP = b"Not allowed at this time\r\n"


def raw_conn(port, source="127.0.0.1", hello=None):
    """A TCP connection from source that sends nothing, or only hello."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(30)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    if hello is not None:
        s.sendall(hello)
    return s


def first_bytes(port, source="127.0.0.1"):
    """What the server sends a new connection from source before it waits
    for us: its version line, or DROP and EOF."""
    s = raw_conn(port, source)
    try:
        data = b""
        while b"\n" not in data and len(data) < 512:
            chunk = s.recv(512)
            if not chunk:
                break
            data += chunk
        return data
    finally:
        s.close()


def settled(server):
    """The harness's readiness probe (a connection that sent nothing) is
    gone from aditd's count of unauthenticated connections."""
    harness.wait_log(server.proc, "[preauth]")
    return server


def accepted(s):
    """Wait for the version line on a raw connection: the server took it
    as a session (not dropped)."""
    data = s.recv(512)
    return data.startswith(b"SSH-2.0-")


def login(client, server, echo, source="127.0.0.1", tries=1, key=None):
    """ssh -N -L from source, up to tries times (MaxStartups drops at
    random); the forward is checked with a round trip. Returns the
    number of attempts it took."""
    for attempt in range(1, tries + 1):
        lport = harness.free_port()
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)
        argv = client.argv("ssh", server.port, forwards=[fwd], key=key,
                           opts=["BindAddress=" + source])
        p = client.procs.start("ssh", argv)
        try:
            harness.poll(lambda: not p.alive() or harness.port_open(lport),
                         60, "ssh to listen or exit")
        except TimeoutError:
            p.stop()
            continue
        if p.alive():
            roundtrip(lport, b"limits" * 100)
            p.stop()
            return attempt
    raise AssertionError("no login from %s in %d tries: %s"
                         % (source, tries, server.proc.stderr()[-2000:]))


def failed_login(client, server, home, source):
    """One ssh login from source with a key aditd does not know."""
    argv = client.argv("ssh", server.port, key=home.stranger_key,
                       opts=["BindAddress=" + source])
    p = client.procs.start("ssh", argv)
    assert p.wait(60) == 255
    assert "Permission denied" in p.stderr()


# --- MaxStartups / PerSourceMaxStartups -------------------------------------

def test_idle_preauth_connections_do_not_stop_login(client, aditd, peers):
    """30 connections that send nothing and 5 that send only a version
    line hold MaxStartups (default 10:30:100) well into its random early
    drop: some are dropped, as the log says, and a real ssh login still
    gets in within a bounded number of tries."""
    server = aditd.start()
    echo = peers.echo()
    socks = []
    try:
        for i in range(35):
            hello = b"SSH-2.0-idle_test\r\n" if i >= 30 else None
            socks.append(raw_conn(server.port, hello=hello))
        harness.wait_log(server.proc, "beginning MaxStartups throttling")
        harness.wait_log(server.proc, "past Maxstartups")
        login(client, server, echo, tries=30)
    finally:
        for s in socks:
            s.close()


def test_per_source_max_startups(client, aditd, peers):
    """PerSourceMaxStartups 3: a fourth unauthenticated connection from
    127.0.0.1 is dropped before the version exchange, while 127.0.0.2
    still gets its banner and logs in."""
    server = settled(aditd.start(extra=["PerSourceMaxStartups 3"]))
    echo = peers.echo()
    socks = [raw_conn(server.port) for _ in range(3)]
    try:
        for s in socks:
            assert accepted(s)
        assert first_bytes(server.port) == DROP
        harness.wait_log(server.proc, "drop connection #3 from "
                         "[127.0.0.1]")
        assert first_bytes(server.port, "127.0.0.2").startswith(b"SSH-2.0-")
        login(client, server, echo, source="127.0.0.2")
    finally:
        for s in socks:
            s.close()
    # The slots are free again once those connections are gone.
    harness.poll(lambda: first_bytes(server.port).startswith(b"SSH-2.0-"),
                 30, "127.0.0.1 admitted again")


def test_per_source_net_block(aditd):
    """PerSourceNetBlockSize 24: 127.0.0.1 and 127.0.0.2 are one source."""
    server = settled(aditd.start(extra=["PerSourceMaxStartups 1",
                                        "PerSourceNetBlockSize 24"]))
    s = raw_conn(server.port)
    try:
        assert accepted(s)
        assert first_bytes(server.port, "127.0.0.2") == DROP
    finally:
        s.close()


# --- PerSourcePenalties -----------------------------------------------------

PENALTY = "PerSourcePenalties authfail:8s noauth:0 min:5s max:30s"


def test_penalty_after_failed_auth(client, aditd, peers, home):
    """A failed login from 127.0.0.3 earns it an 8 s penalty (past min
    5 s): its next connection is closed before the banner and the log
    says so; 127.0.0.4 still logs in; after the penalty expires
    127.0.0.3 is admitted again."""
    server = aditd.start(extra=[PENALTY])
    echo = peers.echo()
    failed_login(client, server, home, "127.0.0.3")
    harness.wait_log(server.proc, "127.0.0.3/32: activating penalty")
    assert first_bytes(server.port, "127.0.0.3") == DROP
    harness.wait_log(server.proc, "from [127.0.0.3]")
    assert "penalty: failed authentication" in server.proc.stderr()
    login(client, server, echo, source="127.0.0.4")
    harness.poll(lambda: first_bytes(server.port, "127.0.0.3")
                 .startswith(b"SSH-2.0-"), 60, "the penalty to expire")


def test_penalty_exempt_list(client, aditd, peers, home):
    """PerSourcePenaltyExemptList 127.0.0.5: its failures earn nothing,
    while 127.0.0.3 on the same server is penalised."""
    server = aditd.start(extra=[PENALTY,
                                "PerSourcePenaltyExemptList 127.0.0.5"])
    echo = peers.echo()
    failed_login(client, server, home, "127.0.0.5")
    failed_login(client, server, home, "127.0.0.3")
    harness.wait_log(server.proc, "127.0.0.3/32: activating penalty")
    assert first_bytes(server.port, "127.0.0.3") == DROP
    assert first_bytes(server.port, "127.0.0.5").startswith(b"SSH-2.0-")
    login(client, server, echo, source="127.0.0.5")
    assert "127.0.0.5/32" not in server.proc.stderr()


def test_penalty_grace_exceeded(aditd):
    """A connection that runs out LoginGraceTime earns grace-exceeded."""
    server = aditd.start(extra=["LoginGraceTime 2",
                                "PerSourcePenalties grace-exceeded:20s "
                                "noauth:0 min:5s"])
    s = raw_conn(server.port, "127.0.0.6", b"SSH-2.0-silent_test\r\n")
    with s:
        harness.recv_all(s)  # banner, KEXINIT, EOF after about 2 s
    harness.wait_log(server.proc, "penalty: exceeded LoginGraceTime")
    assert first_bytes(server.port, "127.0.0.6") == DROP


def test_penalties_off(client, aditd, home):
    """PerSourcePenalties no: failures earn nothing."""
    server = aditd.start(extra=["PerSourcePenalties no"])
    for _ in range(4):
        failed_login(client, server, home, "127.0.0.7")
    assert first_bytes(server.port, "127.0.0.7").startswith(b"SSH-2.0-")


# --- MaxSessions --------------------------------------------------------------

def paramiko_login(server, home):
    paramiko = pytest.importorskip("paramiko")
    t = paramiko.Transport(("127.0.0.1", server.port))
    t.connect(username=home.user,
              pkey=paramiko.Ed25519Key.from_private_key_file(home.key))
    return t


def direct_echo(t, echo):
    ch = t.open_channel("direct-tcpip", ("127.0.0.1", echo.port),
                        ("127.0.0.1", 0), timeout=20)
    try:
        ch.sendall(b"max-sessions")
        got = b""
        while len(got) < 12:
            chunk = ch.recv(64)
            if not chunk:
                break
            got += chunk
        assert got == b"max-sessions"
    finally:
        ch.close()


def open_session(t):
    """Open a session channel: the channel, or None when aditd refuses
    it (administratively prohibited)."""
    paramiko = pytest.importorskip("paramiko")
    try:
        return t.open_session(timeout=20)
    except paramiko.ChannelException as e:
        assert e.code == 1  # administratively prohibited
        return None


def run_line(ch):
    """exec on a session channel: aditd's one line, then the close."""
    ch.settimeout(20)
    ch.exec_command("true")
    err = b""
    while True:
        chunk = ch.recv_stderr(256)
        if not chunk:
            break
        err += chunk
    assert ch.recv_exit_status() == 1
    harness.poll(lambda: ch.closed, 20, "the session channel to close")
    return err


def test_max_sessions_zero(aditd, home, peers):
    """MaxSessions 0: every session channel is refused, forwarding goes
    on (sshd's semantics)."""
    server = aditd.start(extra=["MaxSessions 0"])
    echo = peers.echo()
    t = paramiko_login(server, home)
    try:
        assert open_session(t) is None
        direct_echo(t, echo)
        harness.wait_log(server.proc, "no more sessions")
    finally:
        t.close()


def test_max_sessions_one(aditd, home, peers):
    """MaxSessions 1: while one session channel is open a second is
    refused; once the first is closed, another is answered."""
    server = aditd.start(extra=["MaxSessions 1"])
    echo = peers.echo()
    t = paramiko_login(server, home)
    try:
        first = open_session(t)
        assert first is not None
        assert open_session(t) is None
        harness.wait_log(server.proc, "no more sessions")
        direct_echo(t, echo)  # forwarding is not a session
        assert b"only forwards ports" in run_line(first)
        # The slot is free once both sides closed the first channel.
        again = harness.poll(lambda: open_session(t), 20,
                             "a session after the first closed")
        assert b"only forwards ports" in run_line(again)
    finally:
        t.close()


def test_max_sessions_default(aditd, home):
    """The default, 10, as sshd: ten sessions at once, not eleven."""
    server = aditd.start()
    t = paramiko_login(server, home)
    try:
        chans = [open_session(t) for _ in range(10)]
        assert all(c is not None for c in chans)
        assert open_session(t) is None
    finally:
        t.close()


# --- Match ------------------------------------------------------------------

def tunnel_from(client, server, target, source):
    """ssh -N -L from source to target's port; (proc, lport)."""
    def argv_of(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], target.port)
        return client.argv("ssh", server.port, forwards=[fwd],
                           opts=["BindAddress=" + source])
    proc, ports = client.start_listening("ssh", argv_of)
    return proc, ports[0]


def refused_through(lport):
    with pytest.raises((AssertionError, OSError)):
        roundtrip(lport, b"refused")


def test_match_user_allow_tcp_forwarding(client, aditd, peers, home):
    """AllowTcpForwarding no globally, yes in a Match User block for the
    test's user: the block wins for that user (granted); a block for
    another user leaves the global no (refused)."""
    echo = peers.echo()
    server = aditd.start(extra=["AllowTcpForwarding no",
                                "Match User nobody-else,%s" % home.user,
                                "  AllowTcpForwarding local"])
    _, lport = tunnel_from(client, server, echo, "127.0.0.1")
    roundtrip(lport, b"match user")
    server = aditd.start(extra=["AllowTcpForwarding no",
                                "Match User nobody-else",
                                "  AllowTcpForwarding yes"])
    _, lport = tunnel_from(client, server, echo, "127.0.0.1")
    refused_through(lport)
    harness.wait_log(server.proc,
                     "local forwarding disabled by AllowTcpForwarding")


def test_match_address_permit_open(client, aditd, peers):
    """PermitOpen none globally; a Match Address block for 127.0.0.8
    permits the echo service: granted from 127.0.0.8, refused from
    127.0.0.1 (the first Match value wins over a later block)."""
    echo = peers.echo()
    server = aditd.start(extra=[
        "PermitOpen none",
        "Match Address 127.0.0.8/32",
        "  PermitOpen 127.0.0.1:%d" % echo.port,
        "Match All",
        "  PermitOpen 127.0.0.1:1",
    ])
    _, lport = tunnel_from(client, server, echo, "127.0.0.8")
    roundtrip(lport, b"match address")
    _, lport = tunnel_from(client, server, echo, "127.0.0.1")
    refused_through(lport)
    harness.wait_log(server.proc, "denied by PermitOpen in the server "
                     "configuration")


def test_match_authorized_keys_file(client, aditd, peers, home, tmp_path):
    """A Match block's AuthorizedKeysFile is the one its logins are
    checked against: an empty one refuses the key from 127.0.0.9 only."""
    echo = peers.echo()
    empty = tmp_path / "empty_keys"
    empty.write_text("")
    server = aditd.start(extra=["Match Address 127.0.0.9",
                                "  AuthorizedKeysFile %s" % empty])
    argv = client.argv("ssh", server.port, opts=["BindAddress=127.0.0.9"])
    p = client.procs.start("ssh", argv)
    assert p.wait(60) == 255
    assert "Permission denied (publickey)." in p.stderr()
    login(client, server, echo, source="127.0.0.1")


def test_match_group(client, aditd, peers, home):
    """Match Group: the user's primary group, from the group database."""
    import grp
    import pwd
    group = grp.getgrgid(pwd.getpwnam(home.user).pw_gid).gr_name
    echo = peers.echo()
    server = aditd.start(extra=["AllowTcpForwarding no",
                                "Match Group no-such-group,%s" % group,
                                "  AllowTcpForwarding yes"])
    _, lport = tunnel_from(client, server, echo, "127.0.0.1")
    roundtrip(lport, b"match group")
    server = aditd.start(extra=["AllowTcpForwarding no",
                                "Match Group *,!%s" % group,
                                "  AllowTcpForwarding yes"])
    _, lport = tunnel_from(client, server, echo, "127.0.0.1")
    refused_through(lport)


def test_match_pubkey_algorithms(client, aditd, peers, home):
    """PubkeyAcceptedAlgorithms in a Match block is the login's list: the
    ed25519 key is refused from 127.0.0.10 only."""
    echo = peers.echo()
    server = aditd.start(extra=["Match Address 127.0.0.10",
                                "  PubkeyAcceptedAlgorithms rsa-sha2-512"])
    argv = client.argv("ssh", server.port, opts=["BindAddress=127.0.0.10"])
    p = client.procs.start("ssh", argv)
    assert p.wait(60) == 255
    assert "Permission denied (publickey)." in p.stderr()
    login(client, server, echo, source="127.0.0.1")


def test_match_client_alive(client, aditd, peers):
    """ClientAliveInterval from a Match block: probes come to the logins
    it matches."""
    echo = peers.echo()
    server = aditd.start(extra=["Match Address 127.0.0.11",
                                "  ClientAliveInterval 1"])
    def argv_of(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        return client.argv("ssh", server.port, forwards=[fwd],
                           opts=["BindAddress=127.0.0.11",
                                 "LogLevel=DEBUG3"])
    proc, _ = client.start_listening("ssh", argv_of)
    # The probes arrive as GLOBAL_REQUEST (80) and ssh answers them.
    harness.poll(lambda: proc.stderr().count("receive packet: type 80") >= 2,
                 30, "two keepalive probes in ssh's log")
