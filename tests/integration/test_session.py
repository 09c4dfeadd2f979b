# SPDX-License-Identifier: ISC
"""Sessions against a real sshd, side by side with ssh: exec and its exit
status (0, 1, 42, a signal), stdout and stderr kept apart under load, a
large stdin through cat, -n, a subsystem, SendEnv/SetEnv, and a shell on
a pty driven through tmux (the prompt, the window size, ~. and ~C)."""
import hashlib
import os
import select
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
    assert out == b"o" * 3000000
    assert err == b"e" * 2000000


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
