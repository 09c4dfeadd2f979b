# SPDX-License-Identifier: ISC
"""Unix socket forwards against real OpenSSH sshd, data byte for byte:
-R /remote/sock:host:port, -R port:/local/sock, -R /remote:/local
(streamlocal-forward@openssh.com, forwarded-streamlocal@openssh.com),
-L port:/remote/sock (direct-streamlocal@openssh.com) and
-L /local/sock:host:port, with ssh as the reference for each."""
import os
import shutil
import socket
import tempfile

import pytest

import harness
from fwdhelp import argv_with, echo_through, exits_255

KINDS = ["ssh", "adit"]


@pytest.fixture
def sockdir():
    """A short directory for sockets (sun_path holds 107 bytes)."""
    d = tempfile.mkdtemp(prefix="adit-sl", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def unix_ready(path):
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(path)
        return True
    except OSError:
        return False


def wait_unix(proc, path):
    def ready():
        assert proc.alive(), proc.describe()
        return unix_ready(path)
    harness.poll(ready, harness.READY_TIMEOUT, "a listener on " + path)


def echo_unix(path):
    echo_through(0, family=socket.AF_UNIX, addr=path)


def start(procs, client, kind, sshd, args, **kw):
    return procs.start(kind, argv_with(client, kind, sshd.port, args, **kw))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flag", ["-R", "-L"])
def test_socket_to_port(kind, flag, sshd, client, procs, peers, sockdir):
    """-R /sock:host:port has the server listen on its socket
    (streamlocal-forward@openssh.com); -L /sock:host:port listens here, on
    a socket only we may use (0600, as ssh's umask 0177)."""
    echo = peers.echo()
    path = os.path.join(sockdir, "s.sock")
    proc = start(procs, client, kind, sshd,
                 [flag, "%s:127.0.0.1:%d" % (path, echo.port)])
    wait_unix(proc, path)
    if flag == "-L":
        assert os.stat(path).st_mode & 0o777 == 0o600
    echo_unix(path)


@pytest.mark.parametrize("kind", KINDS)
def test_remote_port_to_socket(kind, sshd, client, procs, peers, sockdir):
    lsock = os.path.join(sockdir, "l.sock")
    peers.echo(lsock)
    rport = harness.free_port()
    proc = start(procs, client, kind, sshd, ["-R", "%d:%s" % (rport, lsock)])
    harness.wait_listening(proc, rport)
    echo_through(rport)


@pytest.mark.parametrize("kind", KINDS)
def test_remote_socket_to_socket(kind, sshd, client, procs, peers, sockdir):
    lsock, rsock = (os.path.join(sockdir, n) for n in ("l.sock", "r.sock"))
    peers.echo(lsock)
    proc = start(procs, client, kind, sshd, ["-R", "%s:%s" % (rsock, lsock)])
    wait_unix(proc, rsock)
    echo_unix(rsock)


@pytest.mark.parametrize("kind", KINDS)
def test_local_port_to_socket(kind, sshd, client, procs, peers, sockdir):
    """-L port:/socket: the server connects to the socket
    (direct-streamlocal@openssh.com)."""
    target = os.path.join(sockdir, "t.sock")
    peers.echo(target)
    lport = harness.free_port()
    proc = start(procs, client, kind, sshd,
                 ["-L", "127.0.0.1:%d:%s" % (lport, target)])
    harness.wait_listening(proc, lport)
    echo_through(lport)


@pytest.mark.parametrize("kind", KINDS)
def test_local_socket_stale(kind, sshd, client, procs, peers, sockdir):
    """An existing path is an error, as ssh's unix_listener says, unless
    StreamLocalBindUnlink=yes removes it first."""
    echo = peers.echo()
    lsock = os.path.join(sockdir, "stale.sock")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(lsock)  # bound, never listening: a stale socket file
    spec = ["-L", "%s:127.0.0.1:%d" % (lsock, echo.port)]
    proc = start(procs, client, kind, sshd, spec)
    exits_255(proc, "unix_listener: cannot bind to path %s: Address already "
              "in use" % lsock, "Could not request local forwarding.")
    proc = start(procs, client, kind, sshd, spec,
                 opts=["StreamLocalBindUnlink=yes"])
    wait_unix(proc, lsock)
    echo_unix(lsock)
