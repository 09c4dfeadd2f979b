# SPDX-License-Identifier: ISC
"""Sessions against a real sshd, side by side with ssh: exec and its exit
status (0, 1, 42, a signal), stdout and stderr kept apart under load, a
large stdin through cat, -n, a subsystem, SendEnv/SetEnv, and a shell on
a pty driven through tmux (the prompt, the window size, ~. and ~C)."""
import hashlib
import os
import subprocess

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
