# SPDX-License-Identifier: ISC
"""Escapes and the end of a session against a real sshd, side by side
with ssh where the words are the same: the session's end waits for the
forwarded connections still open, ~# lists the channels, ~& backgrounds
the client while it waits, ~C cancels forwards (-KL, -KR, -KD) and adds
one on a bind name, ~C !command has the terminal to itself."""
import os
import socket
import subprocess
import time

import pytest

import harness
from test_session import (RUN_TIMEOUT, Tmux, known, pty_script,  # noqa: F401
                          read_exact, session_argv, wait_file)


@pytest.fixture
def tmux(tmp_path, home):
    t = Tmux(tmp_path, home.env)
    yield t
    t.stop()


def wait_until(cond, what, timeout=RUN_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "no %s within %ds" % (what,
                                                                   timeout)
        time.sleep(0.1)


def echo_on(s, data):
    """data through the connected forward s, echoed back."""
    s.sendall(data)
    got = b""
    deadline = time.monotonic() + RUN_TIMEOUT
    while len(got) < len(data):
        assert time.monotonic() < deadline, got
        chunk = s.recv(len(data) - len(got))
        assert chunk, "closed after %r" % got
        got += chunk
    assert got == data


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT)
    s.settimeout(RUN_TIMEOUT)
    return s


def start_shell(tmux, tmp_path, client, sshd, args=(), opts=(), kind="adit"):
    """A shell on a pty in the pane, answering once and then waiting at
    its prompt (a ^D typed ahead of readline may be lost): the last byte
    sent ended a line, so an escape may come next."""
    argv = session_argv(client, kind, sshd.port, list(args), opts=opts)
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("PS1='sh''> '; echo up-$((2+3))")
    tmux.keys("Enter")
    tmux.wait_for("up-5\nsh>")


def is_gone(pid):
    """pid has ended (gone, or a zombie not yet reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def proc_pids(needle):
    """The pids of processes whose command line holds needle (bytes)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if needle in f.read():
                    pids.append(int(d))
        except OSError:
            pass
    return pids


# ssh -v's line once its session channel is gone, and adit's.
SESSION_GONE = {"ssh": b": free: client-session",
                "adit": b"session closed, exit status"}


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_session_end_waits_for_forwards(kind, client, sshd, home, peers,
                                        tmp_path):
    """The command ends while a -L connection is open: the client stays,
    the connection still carries data, and the client exits (0, the
    command's status) once it closes."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    argv = session_argv(client, kind, sshd.port,
                        ["-v", "-L", "127.0.0.1:%d:127.0.0.1:%d"
                         % (lport, echo.port), "cat"])
    errf = open(str(tmp_path / "err"), "w+b")
    p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=errf, env=home.env)
    try:
        wait_until(lambda: harness.port_open(lport) or p.poll() is not None,
                   "listener")
        s = connect(lport)
        echo_on(s, b"before the end")
        p.stdin.close()

        def gone():
            errf.seek(0)
            return SESSION_GONE[kind] in errf.read()
        wait_until(lambda: gone() or p.poll() is not None, "session end")
        echo_on(s, b"after the session")
        assert p.poll() is None, "exited with a connection open"
        s.close()
        assert p.wait(timeout=RUN_TIMEOUT) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)
        errf.close()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_pty_farewell_after_forwards(kind, client, sshd, home, peers, tmux,
                                     tmp_path):
    """A shell on a pty ends while a -L connection is open: "Connection
    to HOST closed." comes once that connection has closed too, as ssh
    says it after its loop, not when the session ends."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    start_shell(tmux, tmp_path, client, sshd, kind=kind,
                args=["-v", "-L",
                      "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)])
    farewell = "Connection to 127.0.0.1 closed."
    with connect(lport) as s:
        echo_on(s, b"open")
        tmux.type("exit")
        tmux.keys("Enter")
        tmux.wait_for(SESSION_GONE[kind].decode())
        echo_on(s, b"after the session")
        assert not (tmp_path / "rc").exists()
        assert farewell not in tmux.screen()
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"
    tmux.wait_for("CLIENT-DONE")
    assert tmux.screen().count(farewell) == 1, tmux.screen()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_escape_lists_channels(kind, client, sshd, home, tmux, tmp_path,
                               peers):
    """~# names each channel: the session and a -L connection."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    start_shell(tmux, tmp_path, client, sshd, kind=kind,
                args=["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)])
    with connect(lport) as s:
        echo_on(s, b"open")
        tmux.type("~#")
        tmux.wait_for("The following connections are open:")
        tmux.wait_for("client-session")
        tmux.wait_for("direct-tcpip: ")
        screen = tmux.screen()
        lines = [ln for ln in screen.splitlines() if ln.startswith("  #")]
        assert len(lines) == 2, screen
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"


def test_escape_background(client, sshd, home, tmux, tmp_path, peers):
    """~&: "~& [backgrounded]", the terminal back at once with status 0,
    no new connections; the open one goes on in the background until it
    closes, and the background adit then ends."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    spec = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)
    start_shell(tmux, tmp_path, client, sshd, args=["-L", spec])
    pids = []
    try:
        s = connect(lport)
        echo_on(s, b"before")
        tmux.type("~&")
        tmux.wait_for("~& [backgrounded]")
        assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"
        tmux.wait_for("CLIENT-DONE")
        first = int(wait_file(str(tmp_path / "pid")))
        pids = [q for q in proc_pids(spec.encode()) if q != first]
        assert len(pids) == 1, pids
        echo_on(s, b"in the background")
        wait_until(lambda: not harness.port_open(lport), "no more listening")
        assert not is_gone(pids[0])
        s.close()
        wait_until(lambda: is_gone(pids[0]), "the background adit's end")
    finally:
        for q in pids:
            try:
                os.kill(q, 9)
            except OSError:
                pass


def cmdline(tmux, line):
    tmux.keys("Enter")
    tmux.type("~C")
    tmux.wait_for("adit>")
    tmux.type(line)
    tmux.keys("Enter")


def test_escape_cancels_forwards(client, sshd, home, tmux, tmp_path, peers):
    """~C -KL, -KR, -KD close what -L, -R, -D opened, in ssh's words;
    a second cancel is unknown; -L on a bind name (resolved off the loop)
    carries data."""
    client.bins.require("adit")
    echo = peers.echo()
    lport, rport, dport, nport = (harness.free_port() for _ in range(4))
    start_shell(tmux, tmp_path, client, sshd,
                opts=("EnableEscapeCommandline=yes",),
                args=["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
                      "-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, echo.port),
                      "-D", "127.0.0.1:%d" % dport])
    for port in (lport, rport, dport):
        wait_until(lambda: harness.port_open(port), "port %d" % port)
    cmdline(tmux, "-KR 127.0.0.1:%d" % rport)
    tmux.wait_for("Canceled forwarding.")
    wait_until(lambda: not harness.port_open(rport), "-R's end")
    cmdline(tmux, "-KL %d" % lport)
    cmdline(tmux, "-KD %d" % dport)
    wait_until(lambda: tmux.screen().count("Canceled forwarding.") == 3,
               "three cancels")
    assert not harness.port_open(lport) and not harness.port_open(dport)
    cmdline(tmux, "-KR %d" % rport)
    tmux.wait_for("Unknown port forwarding.")
    cmdline(tmux, "-L localhost:%d:127.0.0.1:%d" % (nport, echo.port))
    tmux.wait_for("Forwarding port.")
    with connect(nport) as s:
        echo_on(s, b"bound by name")
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"


def test_escape_local_command_has_the_terminal(client, sshd, home, tmux,
                                               tmp_path):
    """~C !command (PermitLocalCommand): what is typed while it runs is
    its input, not the session's; the session reads again after it."""
    client.bins.require("adit")
    start_shell(tmux, tmp_path, client, sshd,
                opts=("EnableEscapeCommandline=yes", "PermitLocalCommand=yes"))
    cmdline(tmux, "!echo local-ready; read x; echo local-got-$x")
    tmux.wait_for("local-ready")
    tmux.type("typed")
    tmux.keys("Enter")
    tmux.wait_for("local-got-typed")
    tmux.type("echo back-$((20+1))")
    tmux.keys("Enter")
    tmux.wait_for("back-21")
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("enabled", ["yes", "no"])
def test_escape_help_names_command_line_if_enabled(kind, enabled, client,
                                                   sshd, home, tmux,
                                                   tmp_path):
    """~? lists ~C only when EnableEscapeCommandline lets it open."""
    client.bins.require("adit")
    start_shell(tmux, tmp_path, client, sshd, kind=kind,
                opts=("EnableEscapeCommandline=" + enabled,))
    tmux.type("~?")
    tmux.wait_for("Note that escapes are only recognized")
    listed = "~C   - open a command line" in tmux.screen()
    assert listed == (enabled == "yes"), tmux.screen()
    tmux.keys("Enter")
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"


def test_escape_local_command_then_typed_ahead(client, sshd, home, tmux,
                                               tmp_path):
    """Input read with a ~C command line, after it, waits for the
    command's end and then goes to the session, in order (as ssh runs
    the command before it looks at the rest of what it read)."""
    client.bins.require("adit")
    start_shell(tmux, tmp_path, client, sshd,
                opts=("EnableEscapeCommandline=yes", "PermitLocalCommand=yes"))
    mark = tmp_path / "local-done"
    tmux.keys("Enter")
    # One write to the terminal: the command line and what follows it.
    tmux.type("~C!sleep 2; echo ran > %s\recho ahead-$(cat %s)\r"
              % (mark, mark))
    tmux.wait_for("ahead-ran")
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"
