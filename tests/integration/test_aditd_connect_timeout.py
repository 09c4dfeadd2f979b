# SPDX-License-Identifier: ISC
"""AditdConnectTimeout: how long aditd tries a direct-tcpip target (name
lookup and connect) before refusing the open. sshd has no such setting
(it waits for the kernel's SYN retries, about two minutes); aditd's
default is 10 seconds, and the value is bounded (1 to 600 seconds)."""
import contextlib
import os
import socket
import time

import harness


@contextlib.contextmanager
def silent_target():
    """A port on 127.0.0.1 whose SYNs go unanswered: a listener with a full
    accept queue, never accepting."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fillers = []
    try:
        # Fill the queue; once full, the kernel drops further SYNs.
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        time.sleep(0.2)
        yield port
    finally:
        for s in fillers:
            s.close()
        lst.close()


def probe_silent(port):
    """Does a connect to port hang (rather than fail or succeed)?"""
    s = socket.socket()
    s.settimeout(1.0)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except socket.timeout:
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_connect_timeout(client, aditd, procs):
    server = aditd.start(extra=["AditdConnectTimeout 2"])
    with silent_target() as port:
        if not probe_silent(port):
            import pytest
            pytest.skip("this kernel answers SYNs to a full accept queue")
        proc, lport = client.tunnel("ssh", server, port)
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", lport), timeout=60) as s:
            s.settimeout(60)
            assert s.recv(1) == b""
        took = time.monotonic() - start
        harness.wait_log(proc, "open failed: connect failed: ")
        harness.wait_log(server.proc, "connect_to 127.0.0.1 port %d: failed "
                         "(Connection timed out)" % port)
    # The refusal came from the 2 s timeout, not at once nor after the
    # kernel's two minutes (bounds kept wide for a loaded machine).
    assert 1.5 <= took < 50, took
    assert "timed out" in proc.stderr().lower(), proc.describe()


def test_config_bounds(bins, procs, tmp_path, host_keys):
    bins.require("aditd")
    cfg = os.path.join(str(tmp_path), "cfg")
    for value, ok in (("0", False), ("601", False), ("10m", True),
                      ("1", True), ("soon", False)):
        with open(cfg, "w") as f:
            f.write("HostKey %s\nAditdConnectTimeout %s\n"
                    % (host_keys["ed25519"], value))
        p = procs.start("aditd", [bins.aditd, "-T", "-f", cfg])
        rc = p.wait(30)
        if ok:
            assert rc == 0, p.stderr()
            seconds = 600 if value == "10m" else int(value)
            assert "aditdconnecttimeout %d" % seconds in p.stdout()
        else:
            assert rc == 1
            assert 'bad AditdConnectTimeout argument "%s"' % value \
                in p.stderr(), p.stderr()
    with open(cfg, "w") as f:
        f.write("HostKey %s\n" % host_keys["ed25519"])
    p = procs.start("aditd", [bins.aditd, "-T", "-f", cfg])
    assert p.wait(30) == 0
    assert "aditdconnecttimeout 10" in p.stdout().splitlines()
