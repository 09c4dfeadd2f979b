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


# ---- a host name as -L / -D bind address --------------------------------

UNSHARE = shutil.which("unshare")
NS_SCRIPT = ('mount --bind "$1" /etc/hosts && '
             'mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"')


def in_hosts_ns(tmp_path, argv):
    """argv run in a mount namespace whose resolver knows adit-bind-name as
    127.0.0.1 and ::1 from a private /etc/hosts, and nothing from DNS."""
    if os.geteuid() != 0 or UNSHARE is None:
        pytest.skip("needs root and mount namespaces for a private hosts")
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.0.1 adit-bind-name\n"
                     "::1 adit-bind-name\n")
    nss = tmp_path / "nsswitch.conf"
    nss.write_text("hosts: files\n")
    return [UNSHARE, "-m", "--propagation", "private", "sh", "-c",
            NS_SCRIPT, "sh", str(hosts), str(nss)] + list(argv)


@pytest.mark.parametrize("kind", ["ssh", "adit"])
@pytest.mark.parametrize("flag", ["-L", "-D"])
def test_bind_name_every_address(kind, flag, sshd, client, procs, peers,
                                 tmp_path):
    """A name as bind address is resolved as ssh's getaddrinfo: both of
    its addresses are listened on, and the forward works."""
    if not has_ipv6_loopback():
        pytest.skip("no ::1")
    echo = peers.echo()
    port = harness.free_port()
    spec = "adit-bind-name:%d" % port
    if flag == "-L":
        spec += ":127.0.0.1:%d" % echo.port
    proc = procs.start(kind, in_hosts_ns(tmp_path, argv_with(
        client, kind, sshd.port, [flag, spec])))
    harness.wait_listening(proc, port)
    harness.poll(lambda: listen_addrs(port) == {"127.0.0.1", "::1"}, 20,
                 "listeners on 127.0.0.1 and ::1")
    if flag == "-L":
        echo_through(port)
        echo_through(port, family=socket.AF_INET6, addr="::1")
    assert proc.alive(), proc.describe()


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_bind_name_unknown(kind, sshd, client, procs, tmp_path):
    proc = procs.start(kind, in_hosts_ns(tmp_path, argv_with(
        client, kind, sshd.port, ["-L", "no-such-bind:%d:127.0.0.1:9"
                                  % harness.free_port()])))
    assert proc.wait(60) == 255, proc.describe()
    err = proc.stderr()
    assert ("channel_setup_fwd_listener_tcpip: getaddrinfo(no-such-bind): "
            "Name or service not known") in err, err
    assert "Could not request local forwarding." in err, err
