# SPDX-License-Identifier: ISC
"""Password and keyboard-interactive logins, side by side with OpenSSH ssh:
against a real sshd in a private mount namespace whose /etc/passwd and
/etc/shadow are copies holding a throwaway user with a known password (the
machine's own files are never touched), password with UsePAM no and
keyboard-interactive through PAM; against a real asyncssh server for two
prompts with their echo flags, a zero-prompt round and a password change
request. The answers come from an SSH_ASKPASS script or a terminal (pty).
"""
import os
import shutil
import signal
import subprocess

import pytest

import harness
from conftest import SSH
from fwdhelp import echo_through
from sshsetup import SSH_KEYGEN, SSHD, write_sshd_config
from test_identity import Pty

UNSHARE = shutil.which("unshare")
USER = "aditpw"
PASSWORD = "pw-secret-1"
TOKEN = "424242"
KINDS = ["ssh", "adit"]
HERE = os.path.dirname(os.path.abspath(__file__))

# Answers by prompt; records each prompt it is asked with.
ASKPASS = """#!/bin/sh
printf '%%s\\n' "$1" >> %(log)s
case "$1" in
*Token*) echo %(token)s ;;
*"new password"*) echo new-secret-2 ;;
*) printf '%%s\\n' "$ASKPASS_ANSWER" ;;
esac
"""


def _namespace_usable():
    if os.geteuid() != 0 or UNSHARE is None:
        return "needs root and mount namespaces for a private /etc/shadow"
    r = subprocess.run([UNSHARE, "-m", "--propagation", "private", "true"],
                       capture_output=True, timeout=10)
    if r.returncode != 0:
        return "unshare -m failed: %s" % r.stderr.decode(errors="replace")
    if subprocess.run(["openssl", "version"], capture_output=True,
                      timeout=10).returncode != 0:
        return "openssl(1) is needed to hash the test password"
    return None


class Env:
    """The throwaway user's passwd/shadow copies, an askpass script and a
    known_hosts file, in one temporary directory."""

    def __init__(self, d, home, bins):
        self.dir = d
        self.home = home
        self.bins = bins
        self.known_hosts = os.path.join(d, "known_hosts")
        self.askpass_log = os.path.join(d, "askpass.log")
        self.askpass = os.path.join(d, "askpass.sh")
        with open(self.askpass, "w") as f:
            f.write(ASKPASS % {"log": self.askpass_log, "token": TOKEN})
        os.chmod(self.askpass, 0o755)

    def user_files(self):
        """passwd and shadow copies with USER added; their paths."""
        h = subprocess.run(["openssl", "passwd", "-6", PASSWORD],
                           check=True, capture_output=True, text=True,
                           timeout=30).stdout.strip()
        passwd = os.path.join(self.dir, "passwd")
        shadow = os.path.join(self.dir, "shadow")
        shutil.copyfile("/etc/passwd", passwd)
        shutil.copyfile("/etc/shadow", shadow)
        with open(passwd, "a") as f:
            f.write("%s:x:4242:4242::%s:/bin/sh\n" % (USER, self.dir))
        with open(shadow, "a") as f:
            f.write("%s:%s:19000:0:99999:7:::\n" % (USER, h))
        os.chmod(shadow, 0o600)
        return passwd, shadow

    def calls(self):
        if not os.path.exists(self.askpass_log):
            return []
        with open(self.askpass_log) as f:
            return f.read().splitlines()

    def reset(self):
        if os.path.exists(self.askpass_log):
            os.unlink(self.askpass_log)

    def env(self, answer=PASSWORD, askpass=True):
        env = dict(self.home.env)
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("SSH_ASKPASS_REQUIRE", None)
        if askpass:
            env["SSH_ASKPASS"] = self.askpass
            env["SSH_ASKPASS_REQUIRE"] = "force"
            env["ASKPASS_ANSWER"] = answer
        return env

    def argv(self, kind, port, user=USER, opts=(), forwards=()):
        prog = SSH if kind == "ssh" else self.bins.adit
        argv = [prog, "-F", "/dev/null", "-N", "-p", str(port),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "UserKnownHostsFile=" + self.known_hosts,
                "-o", "StrictHostKeyChecking=accept-new",
                "-o", "IdentityFile=/nonexistent",
                "-o", "ExitOnForwardFailure=yes",
                "-o", "ConnectTimeout=20"]
        for o in opts:
            argv += ["-o", o]
        for fwd in forwards:
            argv += ["-L", fwd]
        return argv + ["%s@127.0.0.1" % user]


@pytest.fixture
def penv(tmp_path, home, bins):
    return Env(str(tmp_path), home, bins)


# Waits (bounded) for a release file before answering.
BLOCKING_ASKPASS = """#!/bin/sh
printf '%%s\\n' "$1" >> %(log)s
i=0
while [ ! -e %(release)s ] && [ $i -lt 1200 ]; do
    sleep 0.05; i=$((i+1))
done
printf '%%s\\n' "$ASKPASS_ANSWER"
"""


def start_sshd(penv, procs, lines, proc_out=None):
    """sshd -D -e with lines first, in a mount namespace where /etc/passwd
    and /etc/shadow are penv's copies; its port (and its Proc appended to
    proc_out)."""
    why = _namespace_usable()
    if why:
        pytest.skip(why)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    passwd, shadow = penv.user_files()
    hostkey = os.path.join(penv.dir, "host_ed25519")
    if not os.path.exists(hostkey):
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f",
                        hostkey], check=True, stdin=subprocess.DEVNULL,
                       timeout=60)
    script = ('mount --bind "$1" /etc/passwd && '
              'mount --bind "$2" /etc/shadow && shift 2 && exec "$@"')
    last = None
    for _ in range(3):  # the free port may be taken meanwhile
        port = harness.free_port()
        cfg = os.path.join(penv.dir, "sshd_config")
        write_sshd_config(cfg, list(lines) + [
            "ListenAddress 127.0.0.1", "Port %d" % port,
            "HostKey %s" % hostkey, "PidFile none", "StrictModes no",
            "PubkeyAuthentication no", "AllowTcpForwarding yes",
            "MaxAuthTries 10", "LogLevel VERBOSE"], penv.home.env)
        proc = procs.start("sshd", [UNSHARE, "-m", "--propagation",
                                    "private", "sh", "-c", script, "sh",
                                    passwd, shadow, SSHD, "-D", "-e", "-f",
                                    cfg])
        try:
            harness.wait_ssh_server(proc, port)
            if proc_out is not None:
                proc_out.append(proc)
            return port
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    raise last


PASSWORD_SSHD = ["UsePAM no", "PasswordAuthentication yes",
                 "KbdInteractiveAuthentication no"]
PAM_SSHD = ["UsePAM yes", "PasswordAuthentication no",
            "KbdInteractiveAuthentication yes"]


@pytest.fixture
def pw_sshd(penv, procs):
    return start_sshd(penv, procs, PASSWORD_SSHD)


def run(procs, kind, argv, env, timeout=90):
    proc = procs.start(kind, argv, env=env)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit: %s" % (kind, proc.describe()))
    return rc, proc.stderr()


def said(err):
    """stderr without the known_hosts notice."""
    return [ln for ln in err.splitlines()
            if ln and not ln.startswith("Warning: Permanently added")]


def tunnel(penv, procs, kind, port, echo_port, env, opts=()):
    """Start kind with -L to echo_port; wait until it listens."""
    last = None
    for _ in range(3):
        lport = harness.free_port()
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo_port)
        proc = procs.start(kind, penv.argv(kind, port, opts=opts,
                                           forwards=[fwd]), env=env)
        try:
            harness.wait_listening(proc, lport)
            return proc, lport
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
            if "in use" not in proc.stderr():
                break
    raise last


PROMPT = "%s@127.0.0.1's password: " % USER


@pytest.mark.parametrize("kind", KINDS)
def test_password_tunnel(kind, penv, pw_sshd, procs, peers):
    """The password from SSH_ASKPASS with ssh's prompt; the tunnel works;
    the password shows up nowhere."""
    echo = peers.echo()
    proc, lport = tunnel(penv, procs, kind, pw_sshd, echo.port, penv.env())
    echo_through(lport)
    assert penv.calls() == [PROMPT]
    proc.stop()
    assert PASSWORD not in proc.stderr()


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_password(kind, penv, pw_sshd, procs):
    """Three tries (NumberOfPasswordPrompts' default), ssh's words between
    them, then Permission denied and 255."""
    rc, err = run(procs, kind, penv.argv(kind, pw_sshd),
                  penv.env(answer="wrong"))
    assert rc == 255, err
    assert said(err) == ["Permission denied, please try again."] * 2 + [
        "%s@127.0.0.1: Permission denied (password)." % USER], err
    assert penv.calls() == [PROMPT] * 3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("opt", ["BatchMode=yes",
                                 "PasswordAuthentication=no",
                                 "NumberOfPasswordPrompts=0",
                                 "PreferredAuthentications=publickey"])
def test_no_prompt(kind, opt, penv, pw_sshd, procs):
    """BatchMode, the method turned off, no prompts allowed, or not
    preferred: nothing is asked, Permission denied and 255."""
    rc, err = run(procs, kind, penv.argv(kind, pw_sshd, opts=[opt]),
                  penv.env())
    assert rc == 255, err
    assert said(err) == ["%s@127.0.0.1: Permission denied (password)."
                         % USER], err
    assert penv.calls() == []


@pytest.mark.parametrize("kind", KINDS)
def test_number_of_password_prompts(kind, penv, pw_sshd, procs):
    rc, err = run(procs, kind, penv.argv(kind, pw_sshd, opts=[
        "NumberOfPasswordPrompts=1"]), penv.env(answer="wrong"))
    assert rc == 255, err
    assert said(err) == ["%s@127.0.0.1: Permission denied (password)."
                         % USER], err
    assert penv.calls() == [PROMPT]


@pytest.mark.parametrize("kind", KINDS)
def test_host_key_alias_in_prompt(kind, penv, pw_sshd, procs):
    """The prompt names the server as HostKeyAlias, as ssh's does."""
    rc, err = run(procs, kind, penv.argv(kind, pw_sshd, opts=[
        "HostKeyAlias=pwhost", "NumberOfPasswordPrompts=1"]),
        penv.env(answer="wrong"))
    assert rc == 255, err
    assert penv.calls() == ["%s@pwhost's password: " % USER]


def test_terminal_password(penv, pw_sshd, peers):
    """Typed on a terminal: ssh's prompt with echo off, a wrong one is
    asked again after ssh's line, the tunnel works, echo is back after."""
    echo = peers.echo()
    port = harness.free_port()
    argv = penv.argv("adit", pw_sshd, forwards=[
        "127.0.0.1:%d:127.0.0.1:%d" % (port, echo.port)])
    t = Pty(argv, penv.env(askpass=False))
    try:
        t.expect(PROMPT)
        harness.poll(lambda: not t.echo_on(), 30, "echo off")
        t.text = b""
        t.send("wrong\n")
        t.expect("Permission denied, please try again.")
        t.expect(PROMPT)
        t.send(PASSWORD + "\n")
        harness.poll(lambda: harness.port_open(port), 60, "the tunnel")
        assert t.echo_on()
        echo_through(port)
        assert PASSWORD.encode() not in t.text
    finally:
        t.stop()


def test_terminal_restored_when_stopped(penv, pw_sshd):
    """SIGTERM to adit while the password is asked: the asking child puts
    the terminal back (echo on) and adit ends."""
    t = Pty(penv.argv("adit", pw_sshd), penv.env(askpass=False))
    try:
        t.expect(PROMPT)
        harness.poll(lambda: not t.echo_on(), 30, "echo off")
        t.p.send_signal(signal.SIGTERM)
        t.p.wait(timeout=30)
        assert t.echo_on()
    finally:
        t.stop()


def test_prompt_does_not_stop_the_loop(penv, procs, peers, sshd, home,
                                       bins):
    """Two destinations (Reconnect): while the first one's password is
    being asked (an askpass that waits), the second logs in with its key
    and the shared -L carries data through it; then the answer comes and
    the first logs in too."""
    sshd_procs = []
    port = start_sshd(penv, procs, PASSWORD_SSHD, proc_out=sshd_procs)
    release = os.path.join(penv.dir, "release")
    with open(penv.askpass, "w") as f:
        f.write(BLOCKING_ASKPASS % {"log": penv.askpass_log,
                                    "release": release})
    cfg = os.path.join(penv.dir, "config")
    with open(cfg, "w") as f:
        f.write("Host pw\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
                "  IdentityFile /nonexistent\n"
                "Host pk\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
                "  IdentityFile %s\n"
                "Host *\n  UserKnownHostsFile %s\n"
                "  GlobalKnownHostsFile /dev/null\n"
                "  StrictHostKeyChecking accept-new\n  ConnectTimeout 120\n"
                % (port, USER, sshd.port, home.user, home.key,
                   penv.known_hosts))
    echo = peers.echo()
    lport = harness.free_port()
    proc = procs.start("adit", [
        bins.adit, "-F", cfg, "-N", "-o", "Reconnect=yes",
        "-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port), "pw", "pk"],
        env=penv.env())
    harness.poll(lambda: penv.calls() == [PROMPT] or None, 60,
                 "the password prompt")
    harness.wait_listening(proc, lport)
    echo_through(lport)
    assert penv.calls() == [PROMPT]
    assert "Accepted password" not in sshd_procs[0].stderr()
    with open(release, "w"):
        pass
    harness.wait_log(sshd_procs[0], "Accepted password for %s" % USER)
    echo_through(lport)
    assert proc.alive(), proc.describe()
    proc.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_kbdint_pam(kind, penv, procs, peers):
    """keyboard-interactive through sshd's PAM: the prompt as ssh shows
    it, "(user@host) Password: ", and the tunnel works."""
    port = start_sshd(penv, procs, PAM_SSHD)
    echo = peers.echo()
    try:
        proc, lport = tunnel(penv, procs, kind, port, echo.port, penv.env())
    except (AssertionError, TimeoutError):
        if kind == "ssh":
            pytest.skip("PAM does not work in the namespace here")
        raise
    echo_through(lport)
    assert penv.calls() == ["(%s@127.0.0.1) Password: " % USER]
    proc.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_preferred_authentications(kind, penv, procs):
    """A server offering both: keyboard-interactive comes first by
    default; PreferredAuthentications=password asks the password."""
    port = start_sshd(penv, procs, ["UsePAM yes",
                                    "PasswordAuthentication yes",
                                    "KbdInteractiveAuthentication yes"])
    for prefs, prompt in [(None, "(%s@127.0.0.1) Password: " % USER),
                          ("password", PROMPT)]:
        penv.reset()
        opts = ["NumberOfPasswordPrompts=1"]
        if prefs:
            opts.append("PreferredAuthentications=" + prefs)
        rc, err = run(procs, kind, penv.argv(kind, port, opts=opts),
                      penv.env(answer="wrong"))
        assert rc == 255, err
        calls = penv.calls()
        if kind == "ssh" and prefs is None and not calls:
            pytest.skip("PAM does not work in the namespace here")
        assert calls[0] == prompt, (prefs, calls, err)


# --- asyncssh -----------------------------------------------------------------


def start_asyncssh(penv, procs, mode):
    pytest.importorskip("asyncssh")
    key = os.path.join(penv.dir, "asyncssh_host")
    if not os.path.exists(key):
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f",
                        key], check=True, stdin=subprocess.DEVNULL,
                       timeout=60)
    log = os.path.join(penv.dir, "server_%s.log" % mode)
    last = None
    for _ in range(3):
        port = harness.free_port()
        proc = procs.start("asyncssh", [
            "/usr/bin/python3", os.path.join(HERE, "kbdint_server.py"),
            str(port), key, log, mode])
        try:
            harness.wait_ssh_server(proc, port)
            return port, log
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    raise last


def server_log(log):
    harness.poll(lambda: os.path.exists(log), 30, "the server's log")
    with open(log) as f:
        return f.read().splitlines()


@pytest.mark.parametrize("kind", KINDS)
def test_kbdint_two_prompts(kind, penv, procs, peers):
    """Two prompts in one INFO_REQUEST, each shown as ssh shows it, the
    name and instruction printed first, the answers in order."""
    port, log = start_asyncssh(penv, procs, "kbdint")
    echo = peers.echo()
    proc, lport = tunnel(penv, procs, kind, port, echo.port, penv.env(),
                         opts=["PreferredAuthentications="
                               "keyboard-interactive"])
    echo_through(lport)
    proc.stop()
    assert penv.calls() == ["(%s@127.0.0.1) Password: " % USER,
                            "(%s@127.0.0.1) Token: " % USER]
    assert server_log(log) == ["round 1: %s|%s" % (PASSWORD, TOKEN)]
    lines = said(proc.stderr())
    assert lines[:2] == ["adit test login", "Answer both questions."], lines


@pytest.mark.parametrize("kind", KINDS)
def test_kbdint_zero_prompts(kind, penv, procs, peers):
    """A round with nothing to ask is answered at once (its name and
    instruction shown), then the real one."""
    port, log = start_asyncssh(penv, procs, "zero")
    echo = peers.echo()
    proc, lport = tunnel(penv, procs, kind, port, echo.port, penv.env())
    proc.stop()
    assert server_log(log) == ["round 1: ",
                               "round 2: %s|%s" % (PASSWORD, TOKEN)]
    lines = said(proc.stderr())
    assert lines[:2] == ["Round one", "Nothing to ask yet."], lines


def test_kbdint_echo_flags_on_terminal(penv, procs):
    """On a terminal the password prompt hides what is typed and the
    token prompt shows it, as the server's echo flags say."""
    port, log = start_asyncssh(penv, procs, "kbdint")
    t = Pty(penv.argv("adit", port), penv.env(askpass=False))
    try:
        t.expect("(%s@127.0.0.1) Password: " % USER)
        harness.poll(lambda: not t.echo_on(), 30, "echo off")
        t.send(PASSWORD + "\n")
        t.expect("(%s@127.0.0.1) Token: " % USER)
        harness.poll(t.echo_on, 30, "echo on for the token")
        t.send(TOKEN + "\n")
        harness.poll(lambda: len(server_log(log)) == 1, 30, "the answers")
        assert server_log(log) == ["round 1: %s|%s" % (PASSWORD, TOKEN)]
        assert PASSWORD.encode() not in t.text
    finally:
        t.stop()


def test_password_change_request(penv, procs, peers):
    """PASSWD_CHANGEREQ: the server's text shown, old and new password
    asked as ssh asks them (new one twice), and sent."""
    port, log = start_asyncssh(penv, procs, "change")
    echo = peers.echo()
    proc, lport = tunnel(penv, procs, "adit", port, echo.port, penv.env())
    echo_through(lport)
    proc.stop()
    who = "%s@127.0.0.1" % USER
    assert penv.calls() == [PROMPT,
                            "Enter %s's old password: " % who,
                            "Enter %s's new password: " % who,
                            "Retype %s's new password: " % who]
    assert server_log(log) == ["password:" + PASSWORD, "old:" + PASSWORD,
                               "new:new-secret-2"]
    assert "Your password has expired." in proc.stderr()
