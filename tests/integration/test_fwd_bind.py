# SPDX-License-Identifier: ISC
"""-L bind addresses as ssh takes them (omitted, localhost, *, empty, IPv4,
[IPv6]) and -g: adit must listen on exactly the addresses ssh listens on,
read from /proc/net/tcp{,6}. Only loopback addresses are connected to;
the wildcard forms do listen on every address for the test's few seconds.
Also many forwards of every kind in one connection."""
import os
import shutil
import socket
import tempfile
import threading

import pytest

import harness
from fwdhelp import (argv_with, distinct_ports, echo_through,
                     has_ipv6_loopback, listen_addrs)

BINDS = [
    ("", (), "127.0.0.1"),
    ("localhost:", (), "127.0.0.1"),
    ("*:", (), "127.0.0.1"),
    (":", (), "127.0.0.2"),
    ("127.0.0.2:", (), "127.0.0.2"),
    ("", ("-g",), "127.0.0.2"),
    ("[::1]:", (), "::1"),
]


def listening_as(procs, client, kind, sshd, bind, flags, echo):
    """Start kind with one -L using bind; return its listen address set
    once it listens."""
    last = None
    for _ in range(3):  # the free port may be taken meanwhile
        port = harness.free_port()
        proc = procs.start(kind, argv_with(
            client, kind, sshd.port,
            list(flags) + ["-L", "%s%d:127.0.0.1:%d" % (bind, port,
                                                         echo.port)]))
        try:
            addrs = harness.poll(lambda: proc.alive() and listen_addrs(port),
                                 harness.READY_TIMEOUT, "a listener")
            return proc, port, addrs
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    raise last


@pytest.mark.parametrize("bind,flags,via", BINDS)
def test_local_bind_like_ssh(bind, flags, via, sshd, client, procs, peers):
    if ":" in via and not has_ipv6_loopback():
        pytest.skip("no IPv6 loopback")
    echo = peers.echo()
    want = {}
    for kind in ("ssh", "adit"):
        proc, port, _ = listening_as(procs, client, kind, sshd, bind, flags,
                                     echo)
        family = socket.AF_INET6 if ":" in via else socket.AF_INET
        echo_through(port, family=family, addr=via)
        # Read after a round trip: every address family is bound by then
        # (both clients bind them all in one pass before serving).
        want[kind] = listen_addrs(port)
        proc.stop()
    assert want["adit"] == want["ssh"]


def test_many_forwards(sshd, client, procs, peers):
    """Forwards of every kind in one connection, all used at once."""
    d = tempfile.mkdtemp(prefix="adit-many", dir="/tmp")
    try:
        run_many(d, sshd, client, procs, peers)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_many(d, sshd, client, procs, peers):
    echo = peers.echo()
    usock = os.path.join(d, "echo.sock")
    peers.echo(usock)
    args, tcp, unix = [], [], []
    ports = distinct_ports(18)
    for i in range(8):
        lp, rp = ports.pop(), ports.pop()
        args += ["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lp, echo.port),
                 "-R", "127.0.0.1:%d:127.0.0.1:%d" % (rp, echo.port)]
        tcp += [lp, rp]
    lp, rp = ports.pop(), ports.pop()
    args += ["-L", "127.0.0.1:%d:%s" % (lp, usock),
             "-R", "127.0.0.1:%d:%s" % (rp, usock)]
    tcp += [lp, rp]
    for name, flag in (("l.sock", "-L"), ("r.sock", "-R")):
        path = os.path.join(d, name)
        args += [flag, "%s:127.0.0.1:%d" % (path, echo.port)]
        unix.append(path)
    proc = procs.start("adit", argv_with(client, "adit", sshd.port, args))
    for port in tcp:
        harness.wait_listening(proc, port)
    harness.poll(lambda: all(os.path.exists(p) for p in unix),
                 harness.READY_TIMEOUT, "the Unix listeners")
    errors = []

    def one(fn):
        try:
            fn()
        except Exception as e:  # reported below
            errors.append(repr(e))

    jobs = [lambda p=p: echo_through(p) for p in tcp]
    jobs += [lambda p=p: echo_through(0, family=socket.AF_UNIX, addr=p)
             for p in unix]
    threads = [threading.Thread(target=one, args=(j,)) for j in jobs * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(harness.IO_TIMEOUT)
    assert not errors, errors
    assert proc.alive(), proc.describe()
