# SPDX-License-Identifier: ISC
"""aditd reads a login's per-user files (AuthorizedKeysFile with %u,
AuthorizedPrincipalsFile) off its event loop: while one user's file hangs
(a FIFO nobody writes to, as a stuck NFS home would), other sessions'
tunnels keep carrying data and other users still log in; the stalled
login is answered once the file gives way, and one whose client left
meanwhile is dropped cleanly."""
import os
import re
import signal

import harness
from paths import roundtrip

STALLED = "stalled"


def release(fifo):
    """Open the FIFO for writing and close it: a reader blocked in open()
    goes on (and sees no regular file). False if nobody was reading."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True


def stalled_login(client, server, home):
    argv = client.argv("ssh", server.port)
    argv[-1] = "%s@127.0.0.1" % STALLED
    return client.procs.start("ssh", argv)


def start_stalling(aditd, home, tmp_path):
    d = tmp_path / "keys"
    d.mkdir()
    with open(home.key + ".pub") as f:
        (d / home.user).write_text(f.read())
    fifo = str(d / STALLED)
    os.mkfifo(fifo)
    server = aditd.start(authorized_keys="%s/%%u" % d)
    return server, fifo


def test_slow_lookup_stalls_nothing_else(client, aditd, peers, home,
                                         tmp_path):
    server, fifo = start_stalling(aditd, home, tmp_path)
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"before")
    stuck = stalled_login(client, server, home)
    try:
        harness.wait_log(server.proc, "Reading the key files of user %s"
                         % STALLED)
        # The lookup is blocked in open(): the tunnel still moves data,
        # and another login (its own lookup) goes through meanwhile.
        for size in (1, 65536, 200000):
            roundtrip(lport, harness.payload_of(size, seed=size))
        _, lport2 = client.tunnel("ssh", server, echo.port)
        roundtrip(lport2, harness.payload_of(100000, seed=4))
        assert stuck.alive(), stuck.describe()
    finally:
        harness.poll(lambda: release(fifo), 30, "the lookup to open the FIFO")
    # A FIFO is no key file: that login is refused, as for a missing one.
    assert stuck.wait(60) == 255
    assert "Permission denied" in stuck.stderr()
    roundtrip(lport, b"after")


def test_client_gone_during_lookup(client, aditd, peers, home, tmp_path):
    """The client leaves while its lookup hangs: the result is dropped
    when the lookup ends (ASan builds check nothing is touched after)."""
    server, fifo = start_stalling(aditd, home, tmp_path)
    stuck = stalled_login(client, server, home)
    try:
        harness.wait_log(server.proc, "Reading the key files of user %s"
                         % STALLED)
        port = re.search(r"user %s for 127\.0\.0\.1 port (\d+)" % STALLED,
                         server.proc.stderr()).group(1)
        os.kill(stuck.pid, signal.SIGKILL)
        stuck.wait(30)
        harness.wait_log(server.proc, "Connection closed by 127.0.0.1 port "
                         + port)
    finally:
        harness.poll(lambda: release(fifo), 30, "the lookup to open the FIFO")
    harness.wait_log(server.proc, "Key files of user %s dropped: the "
                     "connection has gone" % STALLED)
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"still serving")
