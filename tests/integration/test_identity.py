# SPDX-License-Identifier: ISC
"""Identity files with passphrases, against real OpenSSH sshd: keys made by
ssh-keygen -N (ed25519, ecdsa, rsa, aes256-gcm@openssh.com), the passphrase
from an SSH_ASKPASS script (no terminal) or typed on a terminal (a pty),
wrong passphrases, BatchMode; the same cases run with OpenSSH ssh where
its behaviour is the reference."""
import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time

import pytest

import harness
from conftest import SSH, SSH_KEYGEN
from fwdhelp import echo_through

PASS = "adit-secret"

ASKPASS = """#!/bin/sh
# Records each call (its prompt) and answers with $ASKPASS_ANSWER.
printf '%%s\\n' "$1" >> %(log)s
printf '%%s\\n' "$ASKPASS_ANSWER"
"""

KEYS = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa": ["-t", "ecdsa", "-b", "256"],
    "rsa": ["-t", "rsa", "-b", "2048"],
    "gcm": ["-t", "ed25519", "-Z", "aes256-gcm@openssh.com"],
}


class Keys:
    """Encrypted keys, an askpass script and an sshd that trusts them."""

    def __init__(self, d):
        self.dir = d
        self.paths = {}
        auth = os.path.join(d, "authorized_keys")
        with open(auth, "w") as out:
            for name, args in KEYS.items():
                path = os.path.join(d, "enc_" + name)
                subprocess.run([SSH_KEYGEN, "-q", "-N", PASS, "-C", name,
                                "-f", path] + args, check=True,
                               stdin=subprocess.DEVNULL, timeout=60)
                with open(path + ".pub") as f:
                    out.write(f.read())
                self.paths[name] = path
        self.authorized_keys = auth
        self.askpass_log = os.path.join(d, "askpass.log")
        self.askpass = os.path.join(d, "askpass.sh")
        with open(self.askpass, "w") as f:
            f.write(ASKPASS % {"log": self.askpass_log})
        os.chmod(self.askpass, 0o755)

    def calls(self):
        """The prompts askpass was called with since the last reset."""
        if not os.path.exists(self.askpass_log):
            return []
        with open(self.askpass_log) as f:
            return f.read().splitlines()

    def reset(self):
        if os.path.exists(self.askpass_log):
            os.unlink(self.askpass_log)


@pytest.fixture
def keys(tmp_path):
    return Keys(str(tmp_path))


@pytest.fixture
def server(keys, sshd_factory):
    return sshd_factory.start(extra=["AuthorizedKeysFile %s"
                                     % keys.authorized_keys])


def askpass_env(home, keys, answer, require="force", display=None):
    env = dict(home.env)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["SSH_ASKPASS"] = keys.askpass
    env["ASKPASS_ANSWER"] = answer
    if require is not None:
        env["SSH_ASKPASS_REQUIRE"] = require
    else:
        env.pop("SSH_ASKPASS_REQUIRE", None)
    if display is not None:
        env["DISPLAY"] = display
    return env


def argv_of(client, kind, port, key, batch="no", forwards=()):
    """client.argv with BatchMode as given, for key."""
    argv = client.argv(kind, port, key=key, forwards=forwards)
    argv[argv.index("BatchMode=yes")] = "BatchMode=" + batch
    return argv


def run(procs, kind, argv, env, timeout=90):
    proc = procs.start(kind, argv, env=env)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit: %s" % (kind, proc.describe()))
    return rc, proc.stderr()


def prompt_of(path):
    return "Enter passphrase for key '%s': " % path


@pytest.mark.parametrize("name", sorted(KEYS))
def test_askpass_passphrase_tunnel(name, keys, server, client, procs, peers,
                                   home):
    """SSH_ASKPASS_REQUIRE=force and no terminal: the askpass program is
    asked with ssh's prompt, the key decrypts and the tunnel carries
    data."""
    echo = peers.echo()
    key = keys.paths[name]
    env = askpass_env(home, keys, PASS)

    def argv(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        return argv_of(client, "adit", server.port, key, forwards=[fwd])
    for _ in range(3):  # the free port may be taken meanwhile: retry
        keys.reset()
        port = harness.free_port()
        proc = procs.start("adit", argv([port]), env=env)
        try:
            harness.wait_listening(proc, port)
            break
        except (AssertionError, TimeoutError):
            proc.stop()
            if "in use" not in proc.stderr():
                raise
    echo_through(port)
    assert keys.calls() == [prompt_of(key)]
    proc.stop()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_wrong_passphrase(kind, keys, server, client, procs, home):
    """A wrong answer is asked again, NumberOfPasswordPrompts (3) times in
    all, then the key is skipped: 255 and ssh's denial."""
    key = keys.paths["ed25519"]
    env = askpass_env(home, keys, "not-" + PASS)
    rc, err = run(procs, kind, argv_of(client, kind, server.port, key), env)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err, err
    assert keys.calls() == [prompt_of(key)] * 3


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_number_of_password_prompts(kind, keys, server, client, procs, home):
    key = keys.paths["ecdsa"]
    env = askpass_env(home, keys, "not-" + PASS)
    argv = argv_of(client, kind, server.port, key)
    argv[-1:-1] = ["-o", "NumberOfPasswordPrompts=1"]
    rc, err = run(procs, kind, argv, env)
    assert rc == 255, err
    assert keys.calls() == [prompt_of(key)]


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_empty_answer_skips_key(kind, keys, server, client, procs, home):
    key = keys.paths["ed25519"]
    env = askpass_env(home, keys, "")
    rc, err = run(procs, kind, argv_of(client, kind, server.port, key), env)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err, err
    assert keys.calls() == [prompt_of(key)]


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_batchmode_never_asks(kind, keys, server, client, procs, home):
    key = keys.paths["ed25519"]
    env = askpass_env(home, keys, PASS)
    rc, err = run(procs, kind,
                  argv_of(client, kind, server.port, key, batch="yes"), env)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err, err
    assert keys.calls() == []


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("require,display,asked", [
    (None, None, False),      # no terminal, no DISPLAY: nothing to ask with
    (None, ":0", True),       # no terminal, DISPLAY set: askpass
    ("prefer", ":0", True),
    ("never", ":0", False),
])
def test_askpass_require(kind, require, display, asked, keys, server, client,
                         procs, home):
    """SSH_ASKPASS_REQUIRE and the DISPLAY rule, without a terminal."""
    key = keys.paths["ed25519"]
    env = askpass_env(home, keys, PASS, require=require, display=display)
    argv = argv_of(client, kind, server.port, key, forwards=())
    argv[-1:-1] = ["-W", "127.0.0.1:1"]  # ends once logged in
    argv.remove("-N")
    rc, err = run(procs, kind, argv, env)
    assert keys.calls() == ([prompt_of(key)] if asked else [])
    if not asked:
        assert rc == 255 and "Permission denied (publickey)." in err, err
    else:
        assert "Permission denied" not in err, err


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_passphrase_asked_only_when_accepted(kind, keys, sshd, client, procs,
                                             peers, home):
    """As ssh: the encrypted key's public half (.pub) is offered first and
    its passphrase asked only if the server accepts it; a server that
    trusts another key (offered after it) never causes a prompt."""
    echo = peers.echo()
    key = keys.paths["ecdsa"]
    keys.reset()

    def argv(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        a = argv_of(client, kind, sshd.port, key, forwards=[fwd])
        i = a.index(key)
        a[i + 1:i + 1] = ["-i", home.key]  # the session sshd trusts this
        return a
    proc, ports = client.start_listening(
        kind, argv, env=askpass_env(home, keys, PASS))
    echo_through(ports[0])
    proc.stop()
    assert keys.calls() == [], proc.stderr()


class Pty:
    """A process on a new pseudo-terminal that is its controlling tty."""

    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env,
            preexec_fn=lambda: (os.setsid(),
                                fcntl.ioctl(0, termios.TIOCSCTTY, 0)))
        os.close(slave)
        self.text = b""

    def expect(self, what, timeout=60):
        end = time.monotonic() + timeout
        while what.encode() not in self.text:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("no %r on the terminal: %r"
                                     % (what, self.text))
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if r:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk and self.p.poll() is not None:
                    raise AssertionError("exited (%s) before %r: %r"
                                         % (self.p.returncode, what,
                                            self.text))
                self.text += chunk

    def echo_on(self):
        return bool(termios.tcgetattr(self.master)[3] & termios.ECHO)

    def send(self, s):
        os.write(self.master, s.encode())

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=10)
        os.close(self.master)
        return self.p.returncode


def test_terminal_passphrase(keys, server, client, home, peers):
    """Typed on the terminal: ssh's prompt, echo off while asked, on
    again after; a wrong one is asked again; the tunnel works."""
    echo = peers.echo()
    key = keys.paths["rsa"]
    port = harness.free_port()
    env = dict(home.env)
    env.pop("DISPLAY", None)
    env.pop("SSH_ASKPASS_REQUIRE", None)
    argv = argv_of(client, "adit", server.port, key,
                   forwards=["127.0.0.1:%d:127.0.0.1:%d" % (port, echo.port)])
    t = Pty(argv, env)
    try:
        t.expect(prompt_of(key))
        assert not t.echo_on()
        t.send("wrong\n")
        t.text = b""
        t.expect(prompt_of(key))
        t.send(PASS + "\n")
        harness.poll(lambda: harness.port_open(port), 60, "the tunnel")
        assert t.echo_on()
        echo_through(port)
        assert PASS.encode() not in t.text
    finally:
        t.stop()


def test_terminal_restored_on_signal(keys, server, client, home):
    """SIGTERM while the passphrase is asked (the server accepted the
    key): the terminal gets its echo back, then adit ends."""
    key = keys.paths["ed25519"]
    env = dict(home.env)
    argv = argv_of(client, "adit", server.port, key)
    t = Pty(argv, env)
    try:
        t.expect(prompt_of(key))
        assert not t.echo_on()
        t.p.send_signal(signal.SIGTERM)
        rc = t.p.wait(timeout=60)
        assert rc in (-signal.SIGTERM, 255, 0), rc
        assert t.echo_on()
    finally:
        t.stop()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("fmt", ["openssh", "pem"])
def test_passphrase_without_pub_asked_when_tried(kind, fmt, keys, sshd,
                                                 client, procs, peers, home,
                                                 tmp_path):
    """An encrypted key with no .pub beside it is asked for only when it
    is about to be tried, as ssh: never when the server cannot be
    reached; with a server that trusts another key offered after it,
    what is asked is what ssh asks (an openssh-key-v1 file's public half
    is readable without the passphrase, a PEM file's is not)."""
    key = str(tmp_path / ("nopub_" + fmt))
    subprocess.run([SSH_KEYGEN, "-q", "-N", PASS, "-t", "ecdsa", "-b", "256",
                    "-f", key] + (["-m", "PEM"] if fmt == "pem" else []),
                   check=True, stdin=subprocess.DEVNULL, timeout=60)
    os.unlink(key + ".pub")
    env = askpass_env(home, keys, PASS)
    keys.reset()
    rc, err = run(procs, kind, argv_of(client, kind, harness.closed_port(),
                                       key), env)
    assert rc == 255, err
    assert keys.calls() == [], err
    echo = peers.echo()

    def argv(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        a = argv_of(client, kind, sshd.port, key, forwards=[fwd])
        i = a.index(key)
        a[i + 1:i + 1] = ["-i", home.key]  # the session sshd trusts this
        return a
    proc, ports = client.start_listening(kind, argv, env=env)
    echo_through(ports[0])
    proc.stop()
    want = [] if fmt == "openssh" else [prompt_of(key)]
    assert keys.calls() == want, proc.stderr()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("fmt", ["openssh", "pem"])
def test_key_without_pub_logs_in(kind, fmt, keys, server, client, procs,
                                 peers, home, tmp_path):
    """The same kind of key, trusted by the server: asked for once, and
    the tunnel works."""
    key = str(tmp_path / ("nopub_ok_" + fmt))
    subprocess.run([SSH_KEYGEN, "-q", "-N", PASS, "-t", "ecdsa", "-b", "256",
                    "-f", key] + (["-m", "PEM"] if fmt == "pem" else []),
                   check=True, stdin=subprocess.DEVNULL, timeout=60)
    with open(key + ".pub") as f, open(keys.authorized_keys, "a") as out:
        out.write(f.read())
    os.unlink(key + ".pub")
    echo = peers.echo()
    keys.reset()

    def argv(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        return argv_of(client, kind, server.port, key, forwards=[fwd])
    proc, ports = client.start_listening(
        kind, argv, env=askpass_env(home, keys, PASS))
    echo_through(ports[0])
    proc.stop()
    assert keys.calls() == [prompt_of(key)], proc.stderr()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_askpass_gets_the_starting_nofile_limit(kind, keys, server, client,
                                                procs, home, tmp_path):
    """The askpass program runs with the soft RLIMIT_NOFILE the client
    started with (adit raises its own at start; ssh never does)."""
    client.bins.require("adit")
    seen = tmp_path / "nofile"
    script = tmp_path / "askpass-nofile.sh"
    script.write_text("#!/bin/sh\nulimit -Sn > %s\nprintf '%%s\\n' '%s'\n"
                      % (seen, PASS))
    os.chmod(str(script), 0o755)
    env = askpass_env(home, keys, PASS)
    env["SSH_ASKPASS"] = str(script)
    argv = argv_of(client, kind, server.port, keys.paths["ed25519"])
    argv.remove("-N")
    argv = (["/bin/sh", "-c", 'ulimit -Sn 256 && exec "$@"', "sh"] + argv
            + ["true"])
    rc, err = run(procs, kind, argv, env)
    assert rc == 0, err
    assert seen.read_text() == "256\n"
