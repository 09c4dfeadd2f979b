# SPDX-License-Identifier: ISC
"""Sessions against a real sshd, side by side with ssh: exec and its exit
status (0, 1, 42, a signal), stdout and stderr kept apart under load, a
large stdin through cat, -n, a subsystem, SendEnv/SetEnv, and a shell on
a pty driven through tmux (the prompt, the window size, ~. and ~C)."""
import hashlib
import os
import select
import signal
import socket
import subprocess
import time

import pytest

import harness

RUN_TIMEOUT = 120


def session_argv(client, kind, port, args, opts=()):
    """The client's usual options, no -N, then args after the
    destination (the command, or options ssh reads after it too)."""
    return client.argv(kind, port, opts=opts, no_cmd=False) + list(args)


def run(argv, env, data=None, timeout=RUN_TIMEOUT):
    r = subprocess.run(argv, input=data, capture_output=True, env=env,
                       timeout=timeout,
                       stdin=None if data is not None else subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def read_exact(f, n, timeout):
    """n bytes from the pipe f within timeout seconds (fewer at its end)."""
    deadline = time.monotonic() + timeout
    data = b""
    while len(data) < n:
        left = deadline - time.monotonic()
        assert left > 0, "only %r within %ds" % (data, timeout)
        ready, _, _ = select.select([f], [], [], min(left, 1.0))
        if ready:
            chunk = os.read(f.fileno(), n - len(data))
            if not chunk:
                break
            data += chunk
    return data


@pytest.fixture(params=["ssh", "adit"])
def kind(request):
    return request.param


@pytest.fixture(autouse=True)
def known(client, sshd, home):
    """The server's key known beforehand: neither client says a word on
    adding it."""
    rc, _, err = run(client.argv("ssh", sshd.port, no_cmd=False) + ["true"],
                     home.env)
    assert rc == 0, err


def test_log_file_keeps_stderr(kind, client, sshd, home, tmp_path):
    """-E takes the log, not standard error: the remote command's stderr
    still comes out on ours, and the -v lines go to the file, as ssh."""
    log = tmp_path / ("%s.log" % kind)
    argv = session_argv(client, kind, sshd.port,
                        ["echo out; echo err >&2; exit 3"])
    argv[1:1] = ["-v", "-E", str(log)]
    rc, out, err = run(argv, home.env)
    assert (rc, out, err) == (3, b"out\n", b"err\n")
    text = log.read_text()
    assert "debug1: " in text and "err" not in text.split("\n")


@pytest.mark.parametrize("cmd,want", [
    ("exit 0", 0),
    ("exit 1", 1),
    ("echo out; echo err >&2; exit 42", 42),
    ("kill -TERM $$", 255),
])
def test_exit_status(kind, cmd, want, client, sshd, home):
    """The remote status becomes ours; a signal gives 255 and, as ssh,
    no word on it."""
    rc, out, err = run(session_argv(client, kind, sshd.port, [cmd]), home.env)
    assert rc == want, err
    if want == 42:
        assert out == b"out\n"
        assert err == b"err\n"
    if want == 255:
        assert out == b""
        assert err == b"", err


def test_exit_status_same_as_ssh(client, sshd, home):
    """Status and streams byte for byte as ssh gives them."""
    client.bins.require("adit")
    cmd = ["printf 'a\\nb' ; printf e >&2 ; kill -TERM $$"]
    ours = run(session_argv(client, "adit", sshd.port, cmd), home.env)
    theirs = run(session_argv(client, "ssh", sshd.port, cmd), home.env)
    assert ours == theirs


def test_options_after_destination(client, sshd, home):
    """Options after the host are read as ssh reads them; the words after
    the first non-option are the command, options included."""
    client.bins.require("adit")
    argv = session_argv(client, "adit", sshd.port,
                        ["-o", "LogLevel=ERROR", "echo", "-n", "x", "--", "y"])
    rc, out, err = run(argv, home.env)
    assert (rc, out) == (0, b"x -- y"), err


def test_stdout_stderr_apart_under_load(client, sshd, home):
    """Megabytes on both streams at once, each intact and in its own."""
    client.bins.require("adit")
    cmd = ("head -c 3000000 /dev/zero | tr '\\0' o & "
           "head -c 2000000 /dev/zero | tr '\\0' e >&2 & wait")
    rc, out, err = run(session_argv(client, "adit", sshd.port, [cmd]),
                       home.env)
    assert rc == 0, err[-2000:]
    # Lengths and stray bytes on failure, not a diff of megabytes.
    assert out == b"o" * 3000000, (len(out), out.replace(b"o", b"")[:300])
    assert err == b"e" * 2000000, (len(err), err.replace(b"e", b"")[:300])


def test_large_stdin_through_cat(client, sshd, home):
    """20 MB in, through cat, back byte for byte; EOF passed on."""
    client.bins.require("adit")
    data = harness.payload_of(20 * 1024 * 1024, seed=8)
    rc, out, err = run(session_argv(client, "adit", sshd.port, ["cat"]),
                       home.env, data=data)
    assert rc == 0, err
    assert hashlib.sha256(out).digest() == hashlib.sha256(data).digest()


def test_stdin_null(kind, client, sshd, home):
    """-n: the command reads EOF at once, whatever stdin holds."""
    argv = session_argv(client, kind, sshd.port, ["-n", "wc -c"])
    rc, out, err = run(argv, home.env, data=b"not for the server")
    assert (rc, out.strip()) == (0, b"0"), err


@pytest.fixture
def sshd_env(sshd_factory, client, home):
    """An sshd with the sftp subsystem and AcceptEnv, its key known."""
    srv = sshd_factory.start(extra=["Subsystem sftp /usr/lib/openssh/sftp-server",
                                    "AcceptEnv LANG ADIT_*"])
    rc, _, err = run(client.argv("ssh", srv.port, no_cmd=False) + ["true"],
                     home.env)
    assert rc == 0, err
    return srv


def test_subsystem_sftp(kind, client, sshd_env, home):
    """-s sftp: SSH_FXP_INIT in, SSH_FXP_VERSION back (stdin held open
    meanwhile: sftp-server quits at its input's end); then stdin's end
    ends the server and the session with status 0."""
    init = b"\x00\x00\x00\x05\x01\x00\x00\x00\x03"
    argv = session_argv(client, kind, sshd_env.port, ["-s", "sftp"])
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=home.env)
    try:
        p.stdin.write(init)
        p.stdin.flush()
        head = read_exact(p.stdout, 9, RUN_TIMEOUT)
        p.stdin.close()
        rc = p.wait(timeout=RUN_TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)
    err = p.stderr.read()
    assert head[4:5] == b"\x02" and head[5:9] == b"\x00\x00\x00\x03", err
    assert rc == 0, err


def test_subsystem_needs_name(kind, client, sshd_env, home):
    """-s with no subsystem named: ssh's refusal and usage, status 255."""
    rc, _, err = run(session_argv(client, kind, sshd_env.port, ["-s"]),
                     home.env)
    assert rc == 255
    assert b"You must specify a subsystem to invoke." in err


def test_send_env_and_set_env(client, sshd_env, home):
    """SendEnv patterns pick from our environment, SetEnv adds its own;
    sshd's AcceptEnv lets them in: the same as ssh gives."""
    client.bins.require("adit")
    env = dict(home.env, ADIT_SENT="from-env", ADIT_OTHER="o",
               NOT_SENT="no")
    opts = ("SendEnv=ADIT_S* NOT_MATCHED", "SetEnv=ADIT_SET=a=b")
    cmd = ['echo "$ADIT_SENT|$ADIT_OTHER|$NOT_SENT|$ADIT_SET"']
    res = {}
    for kind in ("ssh", "adit"):
        res[kind] = run(session_argv(client, kind, sshd_env.port, cmd,
                                     opts=opts), env)
    assert res["adit"] == res["ssh"]
    assert res["adit"][1] == b"from-env|||a=b\n"


def test_remote_command_option(kind, client, sshd_env, home):
    """RemoteCommand runs with its tokens expanded; a command line as
    well is refused, as ssh refuses it."""
    argv = session_argv(client, kind, sshd_env.port, [],
                        opts=("RemoteCommand=echo %r",))
    rc, out, err = run(argv, home.env)
    assert (rc, out) == (0, (home.user + "\n").encode()), err
    rc, _, err = run(argv + ["true"], home.env)
    assert rc == 255
    assert b"Cannot execute command-line and remote command." in err


def test_local_command(client, sshd, home):
    """LocalCommand runs (tokens expanded) before the session, only with
    PermitLocalCommand: as ssh."""
    client.bins.require("adit")
    res = {}
    for kind in ("ssh", "adit"):
        for permit in ("yes", "no"):
            opts = ("PermitLocalCommand=" + permit,
                    "LocalCommand=echo local-%n-%r >&2")
            res[kind, permit] = run(session_argv(client, kind, sshd.port,
                                                 ["echo remote"], opts=opts),
                                    home.env)
    for permit in ("yes", "no"):
        assert res["adit", permit] == res["ssh", permit]
    assert res["adit", "yes"] == (
        0, b"remote\n", ("local-127.0.0.1-%s\n" % home.user).encode())
    assert res["adit", "no"] == (0, b"remote\n", b"")


def test_children_get_the_starting_nofile_limit(kind, client, sshd, home,
                                                 tmp_path):
    """adit raises its soft RLIMIT_NOFILE at start; the programs it runs
    (ProxyCommand, LocalCommand) get the soft limit it started with, as
    ssh's (which never raises it) do: a select()-based child must not be
    told it may open more than FD_SETSIZE."""
    from test_reach import RELAY
    relay = tmp_path / "relay.py"
    relay.write_text(RELAY)
    pc_out, lc_out = tmp_path / "pc", tmp_path / "lc"
    opts = ("ProxyCommand=/bin/sh -c 'ulimit -Sn > %s; "
            "exec /usr/bin/python3 %s %%h %%p'" % (pc_out, relay),
            "PermitLocalCommand=yes", "LocalCommand=ulimit -Sn > %s" % lc_out)
    argv = session_argv(client, kind, sshd.port, ["true"], opts=opts)
    # 256 below a hard limit that is higher (CI's and ours are).
    wrapped = ["/bin/sh", "-c", 'ulimit -Sn 256 && exec "$@"', "sh"] + argv
    rc, _, err = run(wrapped, home.env)
    assert rc == 0, err
    assert pc_out.read_text() == "256\n"
    assert lc_out.read_text() == "256\n"


def test_fork_needs_command(kind, client, sshd, home):
    """-f with nothing to run (and no -N): ssh's refusal."""
    rc, _, err = run(session_argv(client, kind, sshd.port, ["-f"]), home.env)
    assert rc == 255
    assert b"Cannot fork into background without a command to execute." \
        in err


def test_refused_subsystem_as_ssh(client, sshd_env, home):
    """A subsystem the server does not have: ssh's words, 255."""
    client.bins.require("adit")
    res = {kind: run(session_argv(client, kind, sshd_env.port,
                                  ["-s", "no-such-subsystem"]), home.env)
           for kind in ("ssh", "adit")}
    assert res["adit"] == res["ssh"]
    assert res["adit"][0] == 255
    assert b"subsystem request failed on channel 0" in res["adit"][2]


def test_shell_without_terminal_as_ssh(client, sshd, home):
    """No command and stdin a pipe: a shell with no pty (ssh's word on
    it), reading its commands from stdin; its status is ours."""
    client.bins.require("adit")
    script = b"echo from-the-shell\nexit 3\n"
    res = {kind: run(session_argv(client, kind, sshd.port, []), home.env,
                     data=script) for kind in ("ssh", "adit")}
    assert res["adit"] == res["ssh"]
    assert res["adit"][:2] == (3, b"from-the-shell\n")
    assert b"Pseudo-terminal will not be allocated" in res["adit"][2]


def test_forward_beside_session(client, sshd, home, peers):
    """-L works while the command runs (the command waits on stdin)."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    argv = session_argv(client, "adit", sshd.port,
                        ["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
                         "cat"])
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=home.env)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not harness.port_open(lport):
            assert time.monotonic() < deadline and p.poll() is None
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", lport), timeout=30) as s:
            s.sendall(b"beside")
            assert read_exact(s.makefile("rb"), 6, RUN_TIMEOUT) == b"beside"
        p.stdin.write(b"session data\n")
        p.stdin.close()
        assert read_exact(p.stdout, 13, RUN_TIMEOUT) == b"session data\n"
        assert p.wait(timeout=RUN_TIMEOUT) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)


def test_stdio_files(client, sshd, home, tmp_path):
    """stdin from a file and stdout to a file (no pipe, no terminal), as
    a script redirects them."""
    client.bins.require("adit")
    data = harness.payload_of(3 * 1024 * 1024, seed=9)
    src, dst = tmp_path / "in", tmp_path / "out"
    src.write_bytes(data)
    argv = session_argv(client, "adit", sshd.port, ["cat"])
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        r = subprocess.run(argv, stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE, env=home.env,
                           timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    assert dst.read_bytes() == data


# ---- a shell on a pty, driven through tmux ----

class Tmux:
    """One tmux server of our own (its own socket, no config), one pane
    running a script; keys sent, the screen read back."""

    def __init__(self, tmp_path, env):
        self.sock = str(tmp_path / "tmux.sock")
        self.env = dict(env, TERM="xterm")
        self.env.pop("TMUX", None)

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"]
                           + list(args), env=self.env, capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        if check:
            assert r.returncode == 0, r.stderr
        return r.stdout

    def start(self, script, cols=100, rows=30):
        self.tmux("new-session", "-d", "-s", "t", "-x", str(cols),
                  "-y", str(rows), "sh " + script)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "t", "-l", "--", text)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t", "-S", "-200",
                         check=False)

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen():
                return
            time.sleep(0.2)
        raise AssertionError("%r not on screen within %ds:\n%s"
                             % (text, timeout, self.screen()))

    def stop(self):
        self.tmux("kill-server", check=False)


@pytest.fixture
def tmux(tmp_path, home):
    t = Tmux(tmp_path, home.env)
    yield t
    t.stop()


def pty_script(tmp_path, argv):
    """A script for the pane: the terminal's modes before and after the
    client, its exit status, then a long sleep (the pane stays)."""
    d = tmp_path
    quoted = " ".join("'%s'" % a.replace("'", "'\\''") for a in argv)
    script = d / "run.sh"
    # The client's pid (the sh -c execs it) for the tests that signal it.
    script.write_text(
        "stty -g > %s/before\n"
        "sh -c 'echo $$ > %s/pid; exec \"$@\"' sh %s\n"
        "echo rc=$? > %s/rc\nstty -g > %s/after\n"
        "echo CLIENT-DONE\nsleep 600\n" % (d, d, quoted, d, d))
    return str(script)


def wait_file(path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read()
        time.sleep(0.2)
    raise AssertionError("no %s within %ds" % (path, timeout))


def test_pty_shell_resize_and_escape(client, sshd, home, tmux, tmp_path):
    """A shell on a pty: the prompt, stty size as the pane's and again
    after a resize, ~. ends it with 255 and the terminal as it was."""
    client.bins.require("adit")
    argv = session_argv(client, "adit", sshd.port, [])
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("echo hi-$((6*7))")
    tmux.keys("Enter")
    tmux.wait_for("hi-42")
    tmux.type("stty size")
    tmux.keys("Enter")
    tmux.wait_for("30 100")
    tmux.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
    tmux.type("clear; stty size")
    tmux.keys("Enter")
    tmux.wait_for("40 120")
    tmux.keys("Enter")
    tmux.type("~.")
    rc = wait_file(str(tmp_path / "rc"))
    assert rc.strip() == "rc=255"
    tmux.wait_for("CLIENT-DONE")
    before = (tmp_path / "before").read_text()
    assert wait_file(str(tmp_path / "after")) == before
    assert "Connection to 127.0.0.1 closed." in tmux.screen()


def test_pty_exit_status_and_help(client, sshd, home, tmux, tmp_path):
    """exit 7 in the remote shell is ours too; ~? lists the escapes and
    is not sent; the terminal is restored after a normal end."""
    client.bins.require("adit")
    argv = session_argv(client, "adit", sshd.port, [])
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("echo ready-$((1+1))")
    tmux.keys("Enter")
    tmux.wait_for("ready-2")
    tmux.keys("Enter")
    tmux.type("~?")
    tmux.wait_for("Supported escape sequences:")
    tmux.type("exit 7")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=7"
    tmux.wait_for("CLIENT-DONE")
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()


def test_pty_restored_on_signal(client, sshd, home, tmux, tmp_path):
    """SIGTERM while the terminal is raw: adit ends (255, as ssh) and the
    terminal's modes are back as they were."""
    client.bins.require("adit")
    argv = session_argv(client, "adit", sshd.port, [])
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("echo sig-$((3*3))")
    tmux.keys("Enter")
    tmux.wait_for("sig-9")
    pid = int(wait_file(str(tmp_path / "pid")))
    os.kill(pid, signal.SIGTERM)
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=255"
    tmux.wait_for("CLIENT-DONE")
    assert wait_file(str(tmp_path / "after")) == \
        (tmp_path / "before").read_text()


def test_escape_command_line_adds_forward(client, sshd, home, tmux, tmp_path,
                                         peers):
    """~C -L (EnableEscapeCommandline yes, as ssh 9.2 needs it): a local
    forward added while the shell runs carries data."""
    client.bins.require("adit")
    echo = peers.echo()
    lport = harness.free_port()
    argv = session_argv(client, "adit", sshd.port, [],
                        opts=("EnableEscapeCommandline=yes",))
    tmux.start(pty_script(tmp_path, argv))
    tmux.type("echo up-$((2+3))")
    tmux.keys("Enter")
    tmux.wait_for("up-5")
    tmux.keys("Enter")
    tmux.type("~C")
    tmux.wait_for("adit>")
    tmux.type("-L 127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port))
    tmux.keys("Enter")
    tmux.wait_for("Forwarding port.")
    with socket.create_connection(("127.0.0.1", lport), timeout=30) as s:
        s.sendall(b"through the new forward")
        got = b""
        while len(got) < 23:
            chunk = s.recv(100)
            if not chunk:
                break
            got += chunk
    assert got == b"through the new forward"
    tmux.type("exit")
    tmux.keys("Enter")
    assert wait_file(str(tmp_path / "rc")).strip() == "rc=0"


def test_stderr_reader_gone(client, sshd, home):
    """The local stderr reader goes away while the command still writes
    megabytes there: what stderr held is dropped with its window given
    back (stdout shares it), so stdout still arrives whole and the exit
    status comes back, as with ssh."""
    client.bins.require("adit")
    cmd = ("head -c 4000000 /dev/zero >&2; "
           "head -c 3000000 /dev/zero | tr '\\0' o; exit 5")
    p = subprocess.Popen(session_argv(client, "adit", sshd.port, [cmd]),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=home.env)
    try:
        assert read_exact(p.stderr, 1, RUN_TIMEOUT) == b"\0"
        p.stderr.close()  # the reader is gone: further writes get EPIPE
        out = read_exact(p.stdout, 3000000, RUN_TIMEOUT)
        assert p.wait(RUN_TIMEOUT) == 5
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert out == b"o" * 3000000
