# SPDX-License-Identifier: ISC
"""-R against real OpenSSH sshd: data byte for byte, -R 0 printing the port,
refusals with and without ExitOnForwardFailure, and -L's bind failures.
ssh runs the same checks as the reference where the outcome is ssh's."""
import os
import re
import shutil
import signal
import socket
import tempfile

import pytest

import harness
from fwdhelp import (PAYLOAD, argv_with, distinct_ports, echo_through,
                     exits_255, listener_pid, taken_port)

KINDS = ["ssh", "adit"]


def start_remote(procs, client, kind, sshd, spec, eoff=True):
    return procs.start(kind, argv_with(client, kind, sshd.port, ["-R", spec],
                                       eoff))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bind", ["127.0.0.1:", "", "localhost:", "*:", ":"])
def test_remote_forward_data(kind, bind, sshd, client, procs, peers):
    """With no bind address the request says "localhost", with "*" or an
    empty one it says "" (sshd's GatewayPorts no still binds loopback), and
    the channels sshd opens say the same: they must be matched to the
    forward."""
    echo = peers.echo()
    rport = harness.free_port()
    proc = start_remote(procs, client, kind, sshd,
                        "%s%d:127.0.0.1:%d" % (bind, rport, echo.port))
    harness.wait_listening(proc, rport)
    echo_through(rport)
    echo_through(rport, b"x")
    echo_through(rport, b"")


@pytest.mark.parametrize("kind", KINDS)
def test_remote_port_zero(kind, sshd, client, procs, peers):
    echo = peers.echo()
    proc = start_remote(procs, client, kind, sshd,
                        "0:127.0.0.1:%d" % echo.port)
    pat = re.compile(r"Allocated port (\d+) for remote forward to "
                     r"127\.0\.0\.1:%d\r?\n" % echo.port)
    m = harness.poll(lambda: pat.search(proc.stderr()), harness.READY_TIMEOUT,
                     "the allocated port")
    port = int(m.group(1))
    harness.wait_listening(proc, port)
    echo_through(port)


@pytest.mark.parametrize("kind", KINDS)
def test_remote_target_refused(kind, sshd, client, procs):
    """A forwarded connection whose local target refuses is closed, and the
    client says so in ssh's words; the forward stays up."""
    dead, rport, rport2 = distinct_ports(3)
    missing = "/tmp/adit-missing-%d.sock" % rport2
    proc = procs.start(kind, argv_with(
        client, kind, sshd.port,
        ["-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, dead),
         "-R", "127.0.0.1:%d:%s" % (rport2, missing)]))
    for port in (rport, rport2):
        harness.wait_listening(proc, port)
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.settimeout(harness.IO_TIMEOUT)
            assert harness.recv_all(s) == b""
    harness.wait_log(proc, "connect_to 127.0.0.1 port %d: failed." % dead)
    harness.wait_log(proc, "connect to %s port -2 failed: No such file or "
                     "directory" % missing)
    assert proc.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_remote_refused_exit(kind, sshd_factory, client, procs):
    server = sshd_factory.start(["PermitListen none"])
    rport = harness.free_port()
    proc = start_remote(procs, client, kind, server,
                        "%d:127.0.0.1:9" % rport)
    exits_255(proc, "Error: remote port forwarding failed for listen port %d"
              % rport)


@pytest.mark.parametrize("kind", KINDS)
def test_remote_refused_warns(kind, sshd_factory, client, procs, peers):
    """Without ExitOnForwardFailure a refusal is a warning and the other
    forwards keep working."""
    server = sshd_factory.start(["PermitListen 127.0.0.1:*"])
    echo = peers.echo()
    bad, good = distinct_ports(2)
    proc = procs.start(kind, argv_with(
        client, kind, server.port,
        ["-R", "127.0.0.2:%d:127.0.0.1:9" % bad,
         "-R", "127.0.0.1:%d:127.0.0.1:%d" % (good, echo.port)], eoff=False))
    harness.wait_log(proc, "Warning: remote port forwarding failed for "
                     "listen port %d" % bad)
    harness.wait_listening(proc, good)
    echo_through(good)
    assert proc.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_remote_taken_port(kind, sshd, client, procs):
    with taken_port() as port:
        proc = start_remote(procs, client, kind, sshd,
                            "127.0.0.1:%d:127.0.0.1:9" % port)
        exits_255(proc, "Error: remote port forwarding failed for listen "
                  "port %d" % port)


@pytest.mark.parametrize("kind", KINDS)
def test_local_taken_port(kind, sshd, client, procs):
    """-L on a taken port: ssh's bind message naming the port, and 255
    with ExitOnForwardFailure."""
    with taken_port() as port:
        proc = procs.start(kind, argv_with(
            client, kind, sshd.port,
            ["-L", "127.0.0.1:%d:127.0.0.1:9" % port]))
        exits_255(proc, "bind [127.0.0.1]:%d: Address already in use" % port,
                  "Could not request local forwarding.")


@pytest.mark.parametrize("kind", KINDS)
def test_local_taken_port_warns(kind, sshd, client, procs, peers):
    """Without ExitOnForwardFailure a -L that cannot listen only says why;
    "Could not request local forwarding." comes only when no -L could."""
    echo = peers.echo()
    good = harness.free_port()
    with taken_port() as port:
        proc = procs.start(kind, argv_with(
            client, kind, sshd.port,
            ["-L", "127.0.0.1:%d:127.0.0.1:9" % port,
             "-L", "127.0.0.1:%d:127.0.0.1:%d" % (good, echo.port)],
            eoff=False))
        harness.wait_log(proc, "bind [127.0.0.1]:%d: Address already in use"
                         % port)
        harness.wait_listening(proc, good)
        echo_through(good)
        assert "Could not request local forwarding." not in proc.stderr()
        alone = procs.start(kind, argv_with(
            client, kind, sshd.port,
            ["-L", "127.0.0.1:%d:127.0.0.1:9" % port], eoff=False))
        harness.wait_log(alone, "Could not request local forwarding.")
        assert alone.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_several_remote_forwards(kind, sshd, client, procs, peers):
    """Several -R at once, replies matched in order: each port reaches its
    own target."""
    echo = peers.echo()
    sink = peers.sink()
    p1, p2 = distinct_ports(2)
    proc = procs.start(kind, argv_with(
        client, kind, sshd.port,
        ["-R", "127.0.0.1:%d:127.0.0.1:%d" % (p1, echo.port),
         "-R", "127.0.0.1:%d:127.0.0.1:%d" % (p2, sink.port)]))
    harness.wait_listening(proc, p1)
    harness.wait_listening(proc, p2)
    echo_through(p1)
    with socket.create_connection(("127.0.0.1", p2)) as s:
        s.sendall(PAYLOAD)
    sink.recorder.wait_for(len(PAYLOAD), harness.sha256(PAYLOAD),
                           harness.IO_TIMEOUT)


# --- -f ----------------------------------------------------------------------

@pytest.fixture
def background():
    """PIDs of backgrounded clients, killed when the test ends."""
    pids = []
    yield pids
    stuck = [s for s in map(stop_detached, pids) if s]
    # OpenSSH's ssh once stayed past 10 s on a loaded CI machine; that is
    # not ours to fail on, but adit must end on SIGTERM.
    assert not [s for s in stuck if s.startswith("adit")], stuck


def proc_state(pid):
    """'comm state wchan' of a process, or None once it is gone (or a
    zombie waiting for its reaper)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        with open("/proc/%d/wchan" % pid) as f:
            wchan = f.read()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    state = stat[stat.rindex(")") + 2:].split()[0]
    return None if state == "Z" else "%s %s %s" % (comm, state, wchan)


def stop_detached(pid):
    """SIGTERM a detached client (not our child), a bounded wait, then
    SIGKILL. Returns what it was doing if SIGTERM did not end it."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return None
    try:
        harness.poll(lambda: proc_state(pid) is None, 10,
                     "pid %d to exit" % pid)
        return None
    except TimeoutError:
        state = proc_state(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        harness.poll(lambda: proc_state(pid) is None, 10,
                     "pid %d to go after SIGKILL" % pid)
        return state


@pytest.mark.parametrize("kind", KINDS)
def test_fork_after_auth(kind, sshd, client, procs, peers, background):
    """-fN: the command returns 0 only once the forwards are up (-R
    confirmed, with ExitOnForwardFailure), and the tunnel keeps working in
    the background."""
    echo = peers.echo()
    lport, rport = distinct_ports(2)
    proc = procs.start(kind, argv_with(
        client, kind, sshd.port,
        ["-f", "-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
         "-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, echo.port)]))
    assert proc.wait(harness.READY_TIMEOUT) == 0, proc.describe()
    pid = harness.poll(lambda: listener_pid(lport), harness.READY_TIMEOUT,
                       "the backgrounded client")
    background.append(pid)
    assert pid != proc.pid
    assert os.getsid(pid) == pid  # detached: a session of its own
    assert harness.port_open(rport)  # confirmed before the parent exited
    echo_through(lport)
    echo_through(rport)


def test_fork_through_jump(home, sshd, client, procs, peers, background):
    """-fN -J: ready (and the parent gone with 0) only once the target, at
    the end of the jump, has confirmed the -R; both forwards then work
    from the background."""
    echo = peers.echo()
    lport, rport = distinct_ports(2)
    proc = procs.start("adit", argv_with(
        client, "adit", sshd.port,
        ["-f", "-J", "%s@127.0.0.1:%d" % (home.user, sshd.port),
         "-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
         "-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, echo.port)]))
    assert proc.wait(harness.READY_TIMEOUT) == 0, proc.describe()
    pid = harness.poll(lambda: listener_pid(lport), harness.READY_TIMEOUT,
                       "the backgrounded client")
    background.append(pid)
    assert harness.port_open(rport)
    echo_through(lport)
    echo_through(rport)


@pytest.mark.parametrize("kind", KINDS)
def test_fork_forward_failure(kind, sshd, client, procs):
    """-f with ExitOnForwardFailure and a refused -R: the command itself
    exits 255 with ssh's message."""
    with taken_port() as port:
        proc = procs.start(kind, argv_with(
            client, kind, sshd.port,
            ["-f", "-R", "127.0.0.1:%d:127.0.0.1:9" % port]))
        exits_255(proc, "Error: remote port forwarding failed for listen "
                  "port %d" % port)


def test_fork_connect_failure(client, procs):
    """-f and nothing to connect to: 255 from the parent, with the reason."""
    port = harness.free_port()
    proc = procs.start("adit", argv_with(client, "adit", port, ["-f"]))
    exits_255(proc, "port %d: Connection refused" % port)


# --- adit against aditd --------------------------------------------------------

def test_forwards_to_aditd(aditd, home, client, procs, peers, tmp_path):
    """adit through our own server: -R to a fixed port, to port 0 and from
    a Unix socket, and -L to a Unix socket on the server's side, in one
    connection (aditd serves Unix sockets only to a key that says
    port-forwarding itself)."""
    keys = tmp_path / "authorized_keys"
    with open(home.key + ".pub") as f:
        keys.write_text("restrict,port-forwarding " + f.read())
    server = aditd.start(extra=["AllowStreamLocalForwarding yes"],
                         authorized_keys=str(keys))
    echo = peers.echo()
    d = tempfile.mkdtemp(prefix="adit-rd", dir="/tmp")
    try:
        usock, rsock = (os.path.join(d, n) for n in ("u.sock", "r.sock"))
        peers.echo(usock)
        rport, lport = distinct_ports(2)
        proc = procs.start("adit", argv_with(
            client, "adit", server.port,
            ["-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, echo.port),
             "-R", "0:127.0.0.1:%d" % echo.port,
             "-R", "%s:127.0.0.1:%d" % (rsock, echo.port),
             "-L", "127.0.0.1:%d:%s" % (lport, usock)]))
        pat = re.compile(r"Allocated port (\d+) for remote forward to "
                         r"127\.0\.0\.1:%d\r?\n" % echo.port)
        m = harness.poll(lambda: pat.search(proc.stderr()),
                         harness.READY_TIMEOUT, "the allocated port")
        for port in (rport, int(m.group(1)), lport):
            harness.wait_listening(proc, port)
            echo_through(port)
        harness.poll(lambda: os.path.exists(rsock), harness.READY_TIMEOUT,
                     "aditd's Unix listener")
        echo_through(0, family=socket.AF_UNIX, addr=rsock)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("kind", KINDS)
def test_remote_say_escapes_control_bytes(kind, sshd, client, procs):
    """The lines -R prints go through the log's escaping, as ssh's logit():
    an ESC in a name is shown as \\033, never sent to the terminal."""
    proc = start_remote(procs, client, kind, sshd, "0:h\x1b[2Jx:80")
    pat = re.compile(r"Allocated port \d+ for remote forward to "
                     r"h\\033\[2Jx:80\r?\n")
    harness.poll(lambda: pat.search(proc.stderr()), harness.READY_TIMEOUT,
                 "the allocated port, escaped")
    assert "\x1b" not in proc.stderr()
