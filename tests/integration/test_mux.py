# SPDX-License-Identifier: ISC
"""Multiplexing (ControlMaster, ControlPath, ControlPersist, -S, -O) between
adit processes, against a real OpenSSH sshd on loopback: a master started
with -M -S path -fN answers -O check with its PID, carries -W stdio
forwards of other adit processes over its one connection (counted in
sshd's log), adds a forward with -O forward (-L, and -R 0 with the port
printed) and removes it with -O cancel, ends with -O exit; a stale socket
is handled as ssh handles it; ControlPersist backgrounds the master and
ends it once idle; `adit status` reads the master's socket; and OpenSSH's
own ssh -O fails cleanly on adit's socket (and adit's on ssh's)."""
import os
import re
import socket
import stat
import subprocess
import time

import pytest

import harness
from fwdhelp import echo_through

SSH = "/usr/bin/ssh"
RUN_TIMEOUT = 60


def accepted(server):
    """Logins sshd has accepted so far: one per TCP connection here."""
    return server.proc.stderr().count("Accepted publickey")


class Mux:
    """adit command lines that share one ControlPath."""

    def __init__(self, client, server, path):
        self.client = client
        self.server = server
        self.path = path

    def argv(self, *extra, opts=()):
        """extra: options, then (after -T or a word not starting with
        "-") the remote command, which goes after the destination."""
        argv = self.client.argv("adit", self.server.port, opts=opts)
        extra = list(extra)
        cmd = []
        if extra and extra[0] == "-T":
            argv.remove("-N")
            cmd = extra[1:]
            extra = ["-T"]
        return argv[:-1] + ["-S", self.path] + extra + argv[-1:] + cmd

    def run(self, *extra, opts=(), stdin=b"", timeout=RUN_TIMEOUT, env=None):
        return subprocess.run(self.argv(*extra, opts=opts), input=stdin,
                              capture_output=True, timeout=timeout,
                              env=env or self.client.home.env)

    def check(self):
        r = self.run("-O", "check")
        err = r.stderr.decode()
        m = re.search(r"Master running \(pid=(\d+)\)", err)
        return r.returncode, (int(m.group(1)) if m else None), err

    def start_master(self, *extra, opts=(), env=None):
        """-M -fN: returns once the master is up; its PID."""
        r = self.run("-M", "-f", *extra, opts=opts, env=env)
        assert r.returncode == 0, r.stderr.decode()
        rc, pid, err = self.check()
        assert rc == 0, err
        return pid


def gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] == "Z"
    except OSError:
        return True


@pytest.fixture
def masters():
    """PIDs of backgrounded masters, ended when the test ends."""
    pids = []
    yield pids
    for pid in pids:
        if not gone(pid):
            os.kill(pid, 15)
            harness.poll(lambda: gone(pid), 10, "master %d to exit" % pid)


@pytest.fixture
def mux(sshd_factory, client, tmp_path):
    server = sshd_factory.start()
    return Mux(client, server, os.path.join(str(tmp_path), "ctl"))


def test_master_check_status_exit(mux, masters, bins):
    """-M -S path -fN: the socket is 0600, -O check names the master's
    PID, adit status reads the same socket, -O exit ends the master (its
    PID and its socket gone) and a later -O check says so as ssh does."""
    pid = mux.start_master()
    masters.append(pid)
    st = os.stat(mux.path)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    assert pid != os.getpid() and not gone(pid)

    r = subprocess.run([bins.adit, "status", "-S", mux.path, "-F",
                        "/dev/null", "127.0.0.1"], capture_output=True,
                       text=True, timeout=RUN_TIMEOUT,
                       env=mux.client.home.env)
    assert r.returncode == 0, r.stderr
    assert "up" in r.stdout.split("\n")[1]

    r = mux.run("-O", "exit")
    assert r.returncode == 0, r.stderr
    assert b"Exit request sent." in r.stderr
    harness.poll(lambda: gone(pid), 30, "the master to exit")
    assert not os.path.exists(mux.path)
    rc, _, err = mux.check()
    assert rc == 255
    assert "Control socket connect(%s): No such file or directory" % mux.path \
        in err


def test_stdio_through_master(mux, masters, peers):
    """-W through a master: several runs, each its data echoed byte for
    byte, over the master's one TCP connection; a refused target fails as
    adit -W fails alone."""
    echo = peers.echo()
    pid = mux.start_master()
    masters.append(pid)
    logins = accepted(mux.server)
    for i in range(5):
        data = harness.payload_of(50000 + i, seed=i)
        r = mux.run("-W", "127.0.0.1:%d" % echo.port, stdin=data)
        assert r.returncode == 0, r.stderr.decode()
        assert r.stdout == data
    assert accepted(mux.server) == logins  # no new connection to sshd
    r = mux.run("-W", "127.0.0.1:%d" % harness.closed_port())
    assert r.returncode == 255
    assert b"open failed: connect failed" in r.stderr
    assert b"stdio forwarding failed" in r.stderr
    assert not gone(pid)


def test_forward_and_cancel(mux, masters, peers):
    """-O forward -L adds a listener that carries data; -O cancel closes
    it. -O forward -R 0 prints the port the server gave (as ssh); data
    through it arrives; -O cancel -R closes the server's port."""
    echo = peers.echo()
    masters.append(mux.start_master())
    lport = harness.free_port()
    spec = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)
    r = mux.run("-O", "forward", "-L", spec)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b""
    echo_through(lport)
    r = mux.run("-O", "cancel", "-L", spec)
    assert r.returncode == 0, r.stderr.decode()
    harness.poll(lambda: not harness.port_open(lport), 30,
                 "the cancelled -L to close")

    rspec = "127.0.0.1:0:127.0.0.1:%d" % echo.port
    r = mux.run("-O", "forward", "-R", rspec)
    assert r.returncode == 0, r.stderr.decode()
    rport = int(r.stdout.decode().strip())
    assert 0 < rport < 65536
    echo_through(rport)
    r = mux.run("-O", "cancel", "-R", rspec)
    assert r.returncode == 0, r.stderr.decode()
    harness.poll(lambda: not harness.port_open(rport), 30,
                 "the cancelled -R to close on the server")

    # Nothing there to cancel: ssh's words, and still 0 as ssh.
    r = mux.run("-O", "cancel", "-L", spec)
    assert r.returncode == 0
    assert b"forwarding request failed: port not found" in r.stderr


def test_stale_socket(mux, masters, procs):
    """A socket file nobody answers on: -O check fails as ssh's (Connection
    refused, 255); ControlMaster auto removes it and becomes the master;
    -M finds it there, says so and goes on without multiplexing."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(mux.path)
    s.close()
    rc, _, err = mux.check()
    assert rc == 255
    assert "Control socket connect(%s): Connection refused" % mux.path in err

    proc = procs.start("adit", mux.argv("-M"))
    harness.wait_log(proc, "ControlSocket %s already exists, disabling "
                     "multiplexing" % mux.path)
    proc.stop()

    r = mux.run("-f", opts=["ControlMaster=auto"])
    assert r.returncode == 0, r.stderr.decode()
    rc, pid, err = mux.check()
    assert rc == 0, err
    masters.append(pid)


def test_control_persist(mux, masters, peers):
    """ControlPersist: the master goes to the background by itself (no
    -f), a -W given with it runs through the new master, and the master
    ends once idle for the time given."""
    echo = peers.echo()
    data = harness.payload_of(10000, seed=3)
    r = mux.run("-W", "127.0.0.1:%d" % echo.port, stdin=data,
                opts=["ControlMaster=auto", "ControlPersist=3"])
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == data
    rc, pid, err = mux.check()
    assert rc == 0, err
    masters.append(pid)
    harness.poll(lambda: gone(pid), 60, "the idle master to exit")
    assert not os.path.exists(mux.path)


def test_openssh_interop_fails_cleanly(mux, masters, client, procs, tmp_path):
    """OpenSSH's ssh -O speaks another protocol: on adit's socket it fails
    at once (no hang) and the master lives on; adit -O on ssh's master's
    socket fails cleanly too."""
    pid = mux.start_master()
    masters.append(pid)
    r = subprocess.run([SSH, "-F", "/dev/null", "-S", mux.path, "-O", "check",
                        "-o", "ConnectTimeout=5", "-p",
                        str(harness.closed_port()), "127.0.0.1"],
                       capture_output=True, timeout=RUN_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 255
    rc, pid2, err = mux.check()
    assert rc == 0 and pid2 == pid, err

    path = os.path.join(str(tmp_path), "sshctl")
    argv = client.argv("ssh", mux.server.port)
    ssh_master = argv[:-1] + ["-M", "-S", path] + argv[-1:]
    proc = procs.start("ssh", ssh_master)
    harness.poll(lambda: os.path.exists(path), harness.READY_TIMEOUT,
                 "ssh's control socket")
    r = subprocess.run([mux.client.bins.adit, "-F", "/dev/null", "-S", path,
                        "-O", "check", "127.0.0.1"], capture_output=True,
                       text=True, timeout=RUN_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 255
    assert "not an adit control socket" in r.stderr
    assert proc.alive()
    proc.stop()


def test_control_master_ask(mux, masters, peers, tmp_path):
    """-M -M (ControlMaster ask): the askpass program is asked, with ssh's
    prompts, before each use of the master; "yes" lets it through, "no"
    is refused in ssh's words."""
    echo = peers.echo()
    answer = tmp_path / "answer"
    prompts = tmp_path / "prompts"
    askpass = tmp_path / "askpass"
    askpass.write_text("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> %s\ncat %s\n"
                       % (prompts, answer))
    askpass.chmod(0o755)
    answer.write_text("yes\n")
    env = dict(mux.client.home.env, SSH_ASKPASS=str(askpass),
               SSH_ASKPASS_REQUIRE="force", DISPLAY=":99")
    pid = mux.start_master("-M", env=env)
    masters.append(pid)

    data = b"asked and allowed"
    r = mux.run("-W", "127.0.0.1:%d" % echo.port, stdin=data)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == data
    assert "Allow forward to 127.0.0.1:%d? " % echo.port \
        in prompts.read_text()

    answer.write_text("no\n")
    lport = harness.free_port()
    r = mux.run("-O", "forward", "-L",
                "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port))
    assert r.returncode == 255
    assert b"Master refused forwarding request: Permission denied" in r.stderr
    assert not harness.port_open(lport)
    r = mux.run("-O", "exit")
    assert r.returncode == 255
    assert b"Master refused termination request: Permission denied" \
        in r.stderr
    assert "Terminate shared connection to 127.0.0.1? " in prompts.read_text()
    assert not gone(pid)
    # check is never asked about.
    rc, pid2, err = mux.check()
    assert rc == 0 and pid2 == pid, err


def test_commands_through_master(mux, masters):
    """Commands through one master: each its own stdout, stderr and exit
    status (0, 1, 42), stdin passed through, and no new connection to
    sshd for any of them; a plain file as stdout still works (on a
    connection of its own)."""
    masters.append(mux.start_master())
    logins = accepted(mux.server)
    cases = [("echo out; echo err >&2", 0, b"out\n", b"err\n"),
             ("exit 1", 1, b"", b""),
             ("printf x; exit 42", 42, b"x", b""),
             ("cat", 0, b"piped in", b""),
             ("printf 'a\\nb\\n' | wc -l; exit 3", 3, b"2\n", b"")]
    for cmd, rc, out, err in cases:
        stdin = b"piped in" if cmd == "cat" else b""
        r = mux.run("-T", cmd, stdin=stdin)
        assert (r.returncode, r.stdout, r.stderr) == (rc, out, err), cmd
    assert accepted(mux.server) == logins
    # A plain file as stdout: not through the master (yet), but done.
    path = os.path.join(os.path.dirname(mux.path), "out.txt")
    with open(path, "wb") as f:
        r = subprocess.run(mux.argv("-T", "head -c 100000 /dev/zero"),
                           stdin=subprocess.DEVNULL, stdout=f,
                           stderr=subprocess.PIPE, timeout=RUN_TIMEOUT,
                           env=mux.client.home.env)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(path) == 100000


def test_stdin_null_through_master(mux, masters, peers):
    """-n through a master: /dev/null goes to the master as stdin, which
    copies it through a pump; the master keeps that descriptor until the
    pump is done (closing it at once let the number be reused by the next
    socket the master opened). The command sees EOF, the master carries
    on, and a -W opened meanwhile is not disturbed."""
    masters.append(mux.start_master())
    logins = accepted(mux.server)
    for n in range(3):
        r = mux.run("-T", "-n", "cat; echo done %d" % n)
        assert (r.returncode, r.stdout) == (0, b"done %d\n" % n), r.stderr
    echo = peers.echo()
    r = mux.run("-W", "127.0.0.1:%d" % echo.port, stdin=b"after -n")
    assert (r.returncode, r.stdout) == (0, b"after -n"), r.stderr
    assert accepted(mux.server) == logins
