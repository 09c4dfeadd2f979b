# SPDX-License-Identifier: ISC
"""aditd against the other SSH clients a bastion meets: PuTTY's plink
(batch mode, -hostkey pinned to aditd's fingerprint, the key converted to
.ppk by puttygen), Dropbear's dbclient (known_hosts or -y, the key
converted by dropbearconvert) and asyncssh. For each: -L, -R (and plink's
-D) carry data byte for byte; a permitopen refusal reaches the client as
that client shows a refused open; a client that asks for a shell gets
aditd's one line and exits as it does when a server runs no shell."""
import asyncio
import os
import re
import shutil
import socket
import struct
import subprocess

import pytest

import harness
from paths import roundtrip

PLINK = shutil.which("plink")
PUTTYGEN = shutil.which("puttygen")
DBCLIENT = shutil.which("dbclient")
DROPBEARCONVERT = shutil.which("dropbearconvert")
SESSION_LINE = "This server only forwards ports (use ssh -N)."
SIZES = (0, 1, 2, 1000, 65536, 200000)


def need(*tools):
    """Skip when a client is not installed (scripts/install-deps.sh
    installs them); fail instead under ADIT_REQUIRE_BINARIES=1."""
    missing = [t for t in tools if t is None]
    if not missing:
        return
    why = "needs putty-tools and dropbear-bin (scripts/install-deps.sh)"
    if os.environ.get("ADIT_REQUIRE_BINARIES") == "1":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


def run(argv, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          check=True)


def fingerprint(pub):
    return run(["ssh-keygen", "-l", "-E", "sha256", "-f", pub]).stdout.split()[1]


@pytest.fixture
def keys(home, tmp_path):
    """The home's user key as .ppk and as a Dropbear key file."""
    need(PUTTYGEN, DROPBEARCONVERT)
    ppk = str(tmp_path / "id.ppk")
    db = str(tmp_path / "id.dropbear")
    run([PUTTYGEN, home.key, "-O", "private", "-o", ppk])
    run([DROPBEARCONVERT, "openssh", "dropbear", home.key, db])
    return {"ppk": ppk, "dropbear": db}


@pytest.fixture
def server(aditd, host_keys):
    """aditd with a host key whose fingerprint the clients pin."""
    def start(**kw):
        s = aditd.start(host_key=host_keys["ed25519"], **kw)
        s.fp = fingerprint(host_keys["ed25519"] + ".pub")
        return s
    return start


def limited_ak(home, tmp_path, opts):
    path = str(tmp_path / "authorized_keys_clients")
    with open(home.key + ".pub") as pub, open(path, "w") as f:
        f.write(opts + " " + pub.read())
    return path


def refused_open(port):
    """Connect to a forward whose open aditd refuses: the client closes
    the connection without a byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.settimeout(30)
        try:
            return s.recv(1)
        except ConnectionResetError:
            return b""


def wait_rfwd(srv, port):
    harness.wait_log(srv.proc, "Remote forward localhost port %d" % port)
    harness.poll(lambda: harness.port_open(port), harness.READY_TIMEOUT,
                 "aditd to listen on %d" % port)


def socks5_roundtrip(dport, port, data):
    with socket.create_connection(("127.0.0.1", dport), timeout=30) as s:
        s.settimeout(harness.IO_TIMEOUT)
        s.sendall(b"\x05\x01\x00")
        assert s.recv(2) == b"\x05\x00"
        s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1")
                  + struct.pack(">H", port))
        reply = b""
        while len(reply) < 10:
            chunk = s.recv(10 - len(reply))
            assert chunk, "SOCKS reply cut short"
            reply += chunk
        assert reply[1] == 0, reply
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(data))
    assert harness.sha256(got) == harness.sha256(data)


# --- PuTTY plink --------------------------------------------------------------

def plink_argv(home, keys, srv, *args, fp=None):
    return [PLINK, "-batch", "-ssh", "-P", str(srv.port), "-i", keys["ppk"],
            "-hostkey", fp or srv.fp, "-l", home.user] + list(args) + [
            "127.0.0.1"]


def test_plink_forwards(server, keys, home, client, procs, peers):
    """plink -N with -L, -R and -D at once: every size arrives byte for
    byte through each."""
    need(PLINK)
    srv = server()
    echo = peers.echo()
    rport = harness.free_port()

    def argv_of(ports):
        return plink_argv(home, keys, srv, "-N",
                          "-L", "127.0.0.1:%d:127.0.0.1:%d"
                          % (ports[0], echo.port),
                          "-D", "127.0.0.1:%d" % ports[1],
                          "-R", "%d:127.0.0.1:%d" % (rport, echo.port))
    proc, (lport, dport) = client.start_listening("plink", argv_of, n=2)
    wait_rfwd(srv, rport)
    for size in SIZES:
        data = harness.payload_of(size, seed=size)
        roundtrip(lport, data)
        roundtrip(rport, data)
    socks5_roundtrip(dport, echo.port, harness.payload_of(100000, seed=5))
    assert proc.alive(), proc.describe()
    harness.wait_log(srv.proc, "Accepted publickey for %s" % home.user)


def test_plink_permitopen_refused(server, keys, home, client, peers,
                                  tmp_path):
    """plink reports the refusal with aditd's reason: the rule and the
    key."""
    need(PLINK)
    echo = peers.echo()
    srv = server(authorized_keys=limited_ak(home, tmp_path,
                                            'permitopen="127.0.0.1:9"'))

    def argv_of(ports):
        return plink_argv(home, keys, srv, "-v", "-N", "-L",
                          "127.0.0.1:%d:127.0.0.1:%d"
                          % (ports[0], echo.port))
    proc, (lport,) = client.start_listening("plink", argv_of)
    assert refused_open(lport) == b""
    fp = fingerprint(home.key + ".pub")
    harness.wait_log(proc, "Forwarded connection refused by remote: "
                     "Administratively prohibited [denied by permitopen on "
                     "key %s line 1]" % fp)
    harness.wait_log(srv.proc, "denied by permitopen on key %s" % fp)


def test_plink_wrong_hostkey(server, keys, home, procs):
    """A pinned fingerprint that is not aditd's: plink refuses to go on."""
    need(PLINK)
    srv = server()
    wrong = fingerprint(home.stranger_key + ".pub")
    proc = procs.start("plink", plink_argv(home, keys, srv, "-N", fp=wrong))
    assert proc.wait(60) == 1
    assert "Host key not in manually configured list" in proc.stderr()


@pytest.mark.parametrize("command", [[], ["echo", "hi"]],
                         ids=["shell", "exec"])
def test_plink_session_gets_one_line(command, server, keys, home, procs):
    """Without -N: plink is refused its pty, then shows aditd's line and
    exits 1, the exit status of the "command"."""
    need(PLINK)
    srv = server()
    proc = procs.start("plink", plink_argv(home, keys, srv) + command)
    assert proc.wait(60) == 1, proc.describe()
    out = proc.stdout() + proc.stderr()
    assert SESSION_LINE in out
    assert "FATAL ERROR" not in out


# --- Dropbear dbclient --------------------------------------------------------

def dbclient_home(tmp_path, srv, host_pub):
    """A HOME whose known_hosts holds host_pub for 127.0.0.1 (dbclient
    writes the bare host name, without the port)."""
    d = tmp_path / "dbhome"
    (d / ".ssh").mkdir(parents=True, exist_ok=True)
    with open(host_pub) as f:
        key = " ".join(f.read().split()[:2])
    with open(str(d / ".ssh" / "known_hosts"), "w") as f:
        f.write("127.0.0.1 %s\n" % key)
    return str(d)


def dbclient_argv(dbhome, home, keys, srv, *args):
    """dbclient with HOME=dbhome (env execs it: the PID stays)."""
    return ["env", "HOME=" + dbhome, DBCLIENT, "-i", keys["dropbear"],
            "-p", str(srv.port), "-l", home.user] + list(args) + [
            "127.0.0.1"]


def test_dbclient_forwards(server, keys, home, client, procs, peers,
                           tmp_path, host_keys):
    """dbclient -N -L and -R, the host key checked against known_hosts:
    every size byte for byte."""
    need(DBCLIENT)
    srv = server()
    dbhome = dbclient_home(tmp_path, srv, host_keys["ed25519"] + ".pub")
    echo = peers.echo()
    rport = harness.free_port()

    def argv_of(ports):
        return dbclient_argv(
            dbhome, home, keys, srv, "-N",
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port),
            "-R", "%d:127.0.0.1:%d" % (rport, echo.port))
    proc, (lport,) = client.start_listening("dbclient", argv_of)
    wait_rfwd(srv, rport)
    for size in SIZES:
        data = harness.payload_of(size, seed=size + 1)
        roundtrip(lport, data)
        roundtrip(rport, data)
    assert proc.alive(), proc.describe()


def test_dbclient_accept_new_with_y(server, keys, home, procs, peers,
                                    tmp_path):
    """-y with an empty known_hosts: dbclient accepts aditd's key and
    says so with its fingerprint; the forward works."""
    need(DBCLIENT)
    srv = server()
    d = tmp_path / "dbempty"
    (d / ".ssh").mkdir(parents=True)
    echo = peers.echo()
    rport = harness.free_port()
    proc = procs.start("dbclient", dbclient_argv(
        str(d), home, keys, srv, "-y", "-N",
        "-R", "%d:127.0.0.1:%d" % (rport, echo.port)))
    wait_rfwd(srv, rport)
    roundtrip(rport, harness.payload_of(30000, seed=11))
    assert "key accepted unconditionally" in proc.stderr()
    assert srv.fp in proc.stderr()


def test_dbclient_host_key_mismatch(server, keys, home, procs, tmp_path):
    """known_hosts names another key for 127.0.0.1: dbclient stops."""
    need(DBCLIENT)
    srv = server()
    dbhome = dbclient_home(tmp_path, srv, home.stranger_key + ".pub")
    proc = procs.start("dbclient", dbclient_argv(dbhome, home, keys, srv,
                                                 "-N"))
    assert proc.wait(60) == 1
    assert "host key mismatch for 127.0.0.1" in proc.stderr()


def test_dbclient_permitopen_refused(server, keys, home, client, procs,
                                     peers, tmp_path, host_keys):
    """dbclient shows a refused open by closing the local connection
    (it prints nothing); aditd logs the rule and the key."""
    need(DBCLIENT)
    echo = peers.echo()
    srv = server(authorized_keys=limited_ak(home, tmp_path,
                                            'permitopen="127.0.0.1:9"'))
    dbhome = dbclient_home(tmp_path, srv, host_keys["ed25519"] + ".pub")

    def argv_of(ports):
        return dbclient_argv(dbhome, home, keys, srv, "-N", "-L",
                             "127.0.0.1:%d:127.0.0.1:%d"
                             % (ports[0], echo.port))
    proc, (lport,) = client.start_listening("dbclient", argv_of)
    assert refused_open(lport) == b""
    harness.wait_log(srv.proc, "denied by permitopen on key %s line 1"
                     % fingerprint(home.key + ".pub"))
    assert proc.alive(), proc.describe()


@pytest.mark.parametrize("command", [[], ["echo", "hi"]],
                         ids=["shell", "exec"])
def test_dbclient_session_gets_one_line(command, server, keys, home, procs,
                                        tmp_path, host_keys):
    """-T without -N: the line on stderr and exit status 1, as the
    remote's exit status."""
    need(DBCLIENT)
    srv = server()
    dbhome = dbclient_home(tmp_path, srv, host_keys["ed25519"] + ".pub")
    proc = procs.start("dbclient", dbclient_argv(dbhome, home, keys, srv,
                                                 "-T") + command)
    assert proc.wait(60) == 1, proc.describe()
    assert SESSION_LINE in proc.stderr()


# --- asyncssh -----------------------------------------------------------------

async def asyncssh_checks(asyncssh, srv, home, known_hosts, echo_port,
                          rport):
    """-L, -R, a refused open and a session, through one connection."""
    async with asyncssh.connect(
            "127.0.0.1", srv.port, username=home.user,
            client_keys=[home.key], known_hosts=known_hosts,
            agent_path=None) as conn:
        lst = await conn.forward_local_port("127.0.0.1", 0, "127.0.0.1",
                                            echo_port)
        rl = await conn.forward_remote_port("127.0.0.1", rport, "127.0.0.1",
                                            echo_port)
        loop = asyncio.get_running_loop()
        for size in SIZES:
            data = harness.payload_of(size, seed=size + 2)
            await loop.run_in_executor(None, roundtrip, lst.get_port(), data)
            await loop.run_in_executor(None, roundtrip, rport, data)
        with pytest.raises(asyncssh.ChannelOpenError) as e:
            await conn.open_connection("127.0.0.1", 9)
        refusal = e.value.reason
        done = await conn.run("echo hi", check=False)
        rl.close()
        lst.close()
        return refusal, done


def test_asyncssh(server, home, peers, tmp_path, host_keys):
    """asyncssh (the Debian package) against aditd, known_hosts checked."""
    asyncssh = pytest.importorskip("asyncssh")
    echo = peers.echo()
    srv = server(authorized_keys=limited_ak(
        home, tmp_path, 'permitopen="127.0.0.1:%d"' % echo.port))
    kh = str(tmp_path / "known_hosts_asyncssh")
    with open(host_keys["ed25519"] + ".pub") as f:
        key = " ".join(f.read().split()[:2])
    with open(kh, "w") as f:
        f.write("[127.0.0.1]:%d %s\n" % (srv.port, key))
    rport = harness.free_port()
    refusal, done = asyncio.run(asyncio.wait_for(
        asyncssh_checks(asyncssh, srv, home, kh, echo.port, rport), 180))
    assert re.match(r"denied by permitopen on key SHA256:\S+ line 1$",
                    refusal), refusal
    assert done.exit_status == 1
    assert SESSION_LINE in done.stderr
