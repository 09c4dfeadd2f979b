# SPDX-License-Identifier: ISC
"""BindInterface (-B) against real sshd, side by side with OpenSSH ssh:
the connection leaves from the interface's address (sshd logs it as the
source) and a tunnel works; an interface with no address of the
family ends with ssh's two lines and 255."""
import subprocess

import pytest

import harness
from fwdhelp import echo_through

KINDS = ["ssh", "adit"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", [["-o", "BindInterface=lo"], ["-B", "lo"]],
                         ids=["option", "flag"])
def test_bind_interface_lo(kind, how, client, sshd, peers):
    echo = peers.echo()

    def argv(ports):
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)
        a = client.argv(kind, sshd.port, forwards=[fwd])
        return a[:1] + how + a[1:]
    proc, ports = client.start_listening(kind, argv)
    echo_through(ports[0])
    proc.stop()


def other_interface():
    """(name, IPv4 address) of an interface other than lo, or None."""
    r = subprocess.run(["ip", "-4", "-o", "addr", "show"],
                       capture_output=True, text=True, timeout=30)
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1] != "lo" and f[2] == "inet":
            return f[1], f[3].split("/")[0]
    return None


@pytest.mark.parametrize("kind", KINDS)
def test_bind_interface_source_address(kind, client, sshd, procs):
    """Another interface's address is the source sshd sees, though the
    server is on 127.0.0.1 (the kernel routes it over lo)."""
    other = other_interface()
    if other is None:
        pytest.skip("no interface but lo has an IPv4 address")
    name, addr = other
    line = "Connection from %s port" % addr
    before = sshd.proc.stderr().count(line)
    argv = client.argv(kind, sshd.port, opts=["BindInterface=" + name])
    proc = procs.start(kind, argv)
    harness.poll(lambda: sshd.proc.stderr().count(line) > before, 60,
                 "sshd to log a connection from %s" % addr)
    proc.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_bind_interface_without_address(kind, client, sshd, procs):
    argv = client.argv(kind, sshd.port, opts=["BindInterface=nosuch0"])
    proc = procs.start(kind, argv)
    rc = proc.wait(60)
    lines = proc.stderr().strip().splitlines()
    assert rc == 255, lines
    assert lines == ["getifaddrs: nosuch0: no suitable addresses",
                     "%s: connect to host 127.0.0.1 port %d: failure"
                     % (kind, sshd.port)], lines
