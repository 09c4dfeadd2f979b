# SPDX-License-Identifier: ISC
"""aditd's sandbox (no_new_privs, Landlock, seccomp) seen from outside:
/proc/PID/status of a running aditd shows NoNewPrivs 1 and Seccomp 2, a
login with a local forward, ssh -W and a SIGHUP reload still work under
it, and Sandbox no leaves the process as it was. The refusals themselves
(open outside the allowed paths, forbidden calls, execve) are in
tests/unit/io/test_sandbox.c, on the same library function. The other
aditd suites (forwards, rfwd, streamlocal, status, reload, KRL,
certificates) run under the sandbox too, as it is on by default."""
import os
import signal

import harness
from test_aditd_forwarding import ssh_stdio


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return fields


def test_sandbox_on_by_default(client, aditd, home, procs):
    server = aditd.start()
    harness.wait_log(server.proc, "Sandbox entered")
    st = proc_status(server.proc.pid)
    assert st["NoNewPrivs"] == "1"
    assert st["Seccomp"] == "2"
    echo = harness.TcpServer(harness.echo_handler)
    try:
        r = ssh_stdio(client, server, home, "127.0.0.1:%d" % echo.port,
                      b"through the sandbox\n")
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"through the sandbox\n"
        os.kill(server.proc.pid, signal.SIGHUP)
        harness.wait_log(server.proc, "Reloaded the configuration")
        r = ssh_stdio(client, server, home, "127.0.0.1:%d" % echo.port,
                      b"after reload\n")
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"after reload\n"
    finally:
        echo.stop()
    assert "Cannot enter the sandbox" not in server.proc.stderr()


def test_sandbox_no(aditd):
    server = aditd.start(extra=["Sandbox no"])
    st = proc_status(server.proc.pid)
    assert st["NoNewPrivs"] == "0"
    assert st["Seccomp"] == "0"
    assert "Sandbox entered" not in server.proc.stderr()


def test_sandbox_reads_match_only_files(client, aditd, home, tmp_path):
    """An AuthorizedKeysFile named only in a Match block is readable in
    the sandbox: the global one (an empty directory's file) knows no key,
    the block's (in a directory nothing else names) has the user's, and
    the login through it works after the sandbox is entered."""
    empty = tmp_path / "global"
    empty.mkdir()
    keys = tmp_path / "match-only"
    keys.mkdir()
    with open(home.key + ".pub") as pub, open(keys / "keys", "w") as f:
        f.write(pub.read())
    server = aditd.start(authorized_keys=str(empty / "authorized_keys"),
                         extra=["Match User " + home.user,
                                "  AuthorizedKeysFile %s" % (keys / "keys")])
    harness.wait_log(server.proc, "Sandbox entered")
    echo = harness.TcpServer(harness.echo_handler)
    try:
        r = ssh_stdio(client, server, home, "127.0.0.1:%d" % echo.port,
                      b"keys from a Match block\n")
        assert r.returncode == 0, r.stderr + server.proc.stderr().encode()
        assert r.stdout == b"keys from a Match block\n"
    finally:
        echo.stop()
