# SPDX-License-Identifier: ISC
"""Sessions through a running master (ControlMaster), against a real
OpenSSH sshd on loopback, each checked to reuse the master's one login: a
shell on a pty driven through tmux (the prompt, the window size and a
resize, ~? and ~., the exit status, the terminal as it was after a normal
end, ~. and a signal, "Shared connection to ... closed."); plain files as
stdin and stdout (a few MB through cat, compared by hash); pipes given
back blocking as they came."""
import hashlib
import os
import signal
import subprocess

import pytest

import harness
from test_mux import Mux, accepted, gone, masters, mux  # noqa: F401
from test_session import Tmux, pty_script, wait_file

RUN_TIMEOUT = 120


@pytest.fixture
def tmux(tmp_path, mux):
    t = Tmux(tmp_path, mux.client.home.env)
    yield t
    t.stop()


def shell_argv(mux, *extra):
    """A shell through the master at mux.path (no -N, no command)."""
    argv = mux.client.argv("adit", mux.server.port)
    argv.remove("-N")
    return argv[:-1] + ["-S", mux.path] + list(extra) + argv[-1:]


def start_shell(mux, masters, tmux, tmp_path, *extra):  # noqa: F811
    """A master, then a shell through it in the tmux pane, up to its
    first prompt's output; the logins sshd had with the master alone."""
    masters.append(mux.start_master())
    logins = accepted(mux.server)
    tmux.start(pty_script(tmp_path, shell_argv(mux, "-t", *extra)))
    tmux.type("echo hi-$((6*7))")
    tmux.keys("Enter")
    tmux.wait_for("hi-42")
    return logins


def test_pty_through_master(mux, masters, tmux, tmp_path):  # noqa: F811
    """The pane's size and a resize reach the remote pty, ~? lists the
    escapes without sending them, exit 7 is our status, the terminal is
    restored, and sshd saw no second login."""
    logins = start_shell(mux, masters, tmux, tmp_path)
    tmux.type("stty size")
    tmux.keys("Enter")
    tmux.wait_for("30 100")
    tmux.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
    tmux.type("clear; stty size")
    tmux.keys("Enter")
    tmux.wait_for("40 120")
    tmux.keys("Enter")
    tmux.type("~?")
    tmux.wait_for("Supported escape sequences:")
    tmux.type("tty; exit 7")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=7"
    tmux.wait_for("CLIENT-DONE")
    screen = tmux.screen()
    assert "/dev/pts/" in screen
    assert "Shared connection to 127.0.0.1 closed." in screen
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()
    assert accepted(mux.server) == logins
    assert mux.check()[0] == 0  # the master goes on


def test_pty_through_master_escape_dot(mux, masters, tmux,  # noqa: F811
                                       tmp_path):
    """~. ends this session only (255, the terminal as it was); the
    master stays up."""
    start_shell(mux, masters, tmux, tmp_path)
    tmux.keys("Enter")
    tmux.type("~.")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=255"
    tmux.wait_for("CLIENT-DONE")
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()
    assert mux.check()[0] == 0


def test_pty_through_master_signal(mux, masters, tmux,  # noqa: F811
                                   tmp_path):
    """SIGTERM to the client while its terminal is raw: 255 and the
    modes back as they were, as ssh's mux client."""
    start_shell(mux, masters, tmux, tmp_path)
    pid = int(wait_file(str(tmp_path / "pid")))
    os.kill(pid, signal.SIGTERM)
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=255"
    tmux.wait_for("CLIENT-DONE")
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()
    assert mux.check()[0] == 0


def test_plain_files_through_master(mux, masters, tmp_path):  # noqa: F811
    """adit -S p host cat < file > out: 3 MB and their hash come back,
    with no login of its own."""
    masters.append(mux.start_master())
    logins = accepted(mux.server)
    src = tmp_path / "in.bin"
    dst = tmp_path / "out.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        r = subprocess.run(mux.argv("-T", "cat"), stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE, timeout=RUN_TIMEOUT,
                           env=mux.client.home.env)
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(dst.read_bytes()).hexdigest() == \
        hashlib.sha256(data).hexdigest()
    # stderr to a file too, the exit status kept.
    err = tmp_path / "err.txt"
    with open(err, "wb") as ferr:
        r = subprocess.run(mux.argv("-T", "echo oops >&2; exit 3"),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=ferr, timeout=RUN_TIMEOUT,
                           env=mux.client.home.env)
    assert r.returncode == 3
    assert err.read_bytes() == b"oops\n"
    assert accepted(mux.server) == logins


def test_stdio_files_through_master(mux, masters, peers,  # noqa: F811
                                    tmp_path):
    """-W through the master with plain files as stdin and stdout (as adit
    -W takes them alone): 1 MB to an echo peer and back, by hash."""
    masters.append(mux.start_master())
    logins = accepted(mux.server)
    echo = peers.echo()
    data = os.urandom(1024 * 1024)
    src, dst = tmp_path / "w.in", tmp_path / "w.out"
    src.write_bytes(data)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        r = subprocess.run(mux.argv("-W", "127.0.0.1:%d" % echo.port),
                           stdin=fin, stdout=fout, stderr=subprocess.PIPE,
                           timeout=RUN_TIMEOUT, env=mux.client.home.env)
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(dst.read_bytes()).hexdigest() == \
        hashlib.sha256(data).hexdigest()
    assert accepted(mux.server) == logins


def pipes_through(argv, env, data):
    """Run argv with stdin and stdout pipes of ours (data in): its output,
    and whether both pipes are blocking once it is over."""
    rin, win = os.pipe()
    rout, wout = os.pipe()
    try:
        os.write(win, data)
        os.close(win)
        win = -1
        r = subprocess.run(argv, stdin=rin, stdout=wout,
                           stderr=subprocess.PIPE, timeout=RUN_TIMEOUT,
                           env=env)
        assert r.returncode == 0, r.stderr
        blocking = os.get_blocking(rin) and os.get_blocking(wout)
        os.close(wout)
        wout = -1
        out = b""
        while True:
            chunk = os.read(rout, 4096)
            if not chunk:
                break
            out += chunk
        return out, blocking
    finally:
        for fd in (rin, win, rout, wout):
            if fd >= 0:
                os.close(fd)


def test_pipes_stay_blocking(mux, masters, peers):  # noqa: F811
    """The pipes a session and a -W got are blocking again once they are
    over: the master's O_NONBLOCK is not left to the caller's shell."""
    masters.append(mux.start_master())
    env = mux.client.home.env
    assert pipes_through(mux.argv("-T", "cat"), env, b"ping\n") == \
        (b"ping\n", True)
    echo = peers.echo()
    assert pipes_through(mux.argv("-W", "127.0.0.1:%d" % echo.port), env,
                         b"through -W") == (b"through -W", True)


def test_control_persist_with_command(mux, masters):  # noqa: F811
    """ControlMaster auto with ControlPersist yes and a command: the
    master goes to the background and the command runs as its first
    client (its output, stderr and exit status ours); a later command
    uses the same master with no new login; -O exit ends it."""
    opts = ["ControlMaster=auto", "ControlPersist=yes"]
    r = mux.run("-T", "echo out-$((2*3)); echo err >&2; exit 5", opts=opts)
    assert r.returncode == 5, r.stderr.decode()
    assert r.stdout == b"out-6\n"
    assert b"err\n" in r.stderr
    rc, pid, err = mux.check()
    assert rc == 0, err
    masters.append(pid)
    logins = accepted(mux.server)
    r = mux.run("-T", "echo again", opts=opts)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b"again\n"
    assert accepted(mux.server) == logins == 1
    assert mux.run("-O", "exit").returncode == 0
    harness.poll(lambda: gone(pid), 30, "the master to exit")


def test_control_persist_with_pty(mux, masters, tmux, tmp_path):  # noqa: F811
    """ControlMaster auto, ControlPersist yes and a shell on a pty: the
    new master goes to the background and the shell runs through it (exit
    3 is ours, the terminal restored); the master stays."""
    argv = shell_argv(mux, "-t", "-o", "ControlMaster=auto", "-o",
                      "ControlPersist=yes")
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("echo persist-$((5*5))")
    tmux.keys("Enter")
    tmux.wait_for("persist-25")
    rc, pid, err = mux.check()
    assert rc == 0, err
    masters.append(pid)
    tmux.type("exit 3")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=3"
    tmux.wait_for("CLIENT-DONE")
    assert "Shared connection to 127.0.0.1 closed." in tmux.screen()
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()
    assert mux.check()[0] == 0
    assert accepted(mux.server) == 1


def test_pipes_blocking_after_client_killed(mux, masters):  # noqa: F811
    """A client killed (SIGKILL: nothing of its own runs) while the master
    runs its session: the master puts the pipes' flags back itself once
    the session is over."""
    masters.append(mux.start_master())
    rin, win = os.pipe()
    rout, wout = os.pipe()
    try:
        proc = subprocess.Popen(mux.argv("-T", "echo started; cat >/dev/null"),
                                stdin=rin, stdout=wout,
                                stderr=subprocess.DEVNULL,
                                env=mux.client.home.env)
        try:
            assert os.read(rout, 100) == b"started\n"
            assert not os.get_blocking(wout)  # the master's, meanwhile
        finally:
            proc.kill()
            proc.wait(30)
        harness.poll(lambda: os.get_blocking(rin) and os.get_blocking(wout),
                     30, "the master to put the flags back")
    finally:
        for fd in (rin, win, rout, wout):
            os.close(fd)
