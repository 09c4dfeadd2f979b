# SPDX-License-Identifier: ISC
"""Helpers shared by the forwarding tests (test_remote_fwd, test_streamlocal):
command lines with extra forwards, byte-for-byte echo checks, taken ports,
and finding a backgrounded client by its listening socket."""
import contextlib
import os
import socket

import harness

PAYLOAD = harness.payload_of(200 * 1024, seed=7)


def argv_with(client, kind, port, extra, eoff=True, opts=()):
    """client.argv with extra arguments before the destination, and without
    ExitOnForwardFailure=yes when eoff is false."""
    argv = client.argv(kind, port, opts=opts)
    if not eoff:
        i = argv.index("ExitOnForwardFailure=yes")
        del argv[i - 1:i + 1]
    return argv[:-1] + list(extra) + argv[-1:]


def echo_through(port, payload=PAYLOAD, family=socket.AF_INET,
                 addr="127.0.0.1"):
    """Send payload through a forward and check the echo byte for byte."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(harness.IO_TIMEOUT)
        s.connect((addr, port) if family != socket.AF_UNIX else addr)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(payload))
    assert harness.sha256(got) == harness.sha256(payload)
    assert len(got) == len(payload)


@contextlib.contextmanager
def taken_port():
    """A port on 127.0.0.1 that someone else listens on meanwhile."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        yield taken.getsockname()[1]


def exits_255(proc, *texts):
    assert proc.wait(harness.READY_TIMEOUT) == 255, proc.describe()
    for t in texts:
        assert t in proc.stderr(), proc.describe()



def listener_pid(port):
    """The PID of the process listening on 127.0.0.1:port (from /proc)."""
    want = ":%04X" % port
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(want) and fields[3] == "0A":
                inodes.add("socket:[%s]" % fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
            for fd in fds:
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def _proc_addr(hexaddr):
    """An address from /proc/net/tcp{,6} (32-bit words in host order)."""
    raw = bytes.fromhex(hexaddr)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, words)


def listen_addrs(port):
    """The set of addresses something listens on with this TCP port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, hexport = fields[1].split(":")
            if int(hexport, 16) == port and fields[3] == "0A":
                found.add(_proc_addr(addr))
    return found


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def distinct_ports(n):
    """n ports free a moment ago, all different (free_port alone may hand
    out the same one twice)."""
    ports = set()
    while len(ports) < n:
        ports.add(harness.free_port())
    return list(ports)
