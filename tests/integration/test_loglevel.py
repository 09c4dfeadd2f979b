# SPDX-License-Identifier: ISC
"""What adit says at each LogLevel, side by side with ssh against an sshd
with a Banner: at the default (ssh's INFO) the server's banner is shown as
it came, a new host key's "Warning: Permanently added ...", a -R 0's
"Allocated port N ..." and a refused -R's "Warning: remote port
forwarding failed ..."; with -o LogLevel=ERROR or -q none of them."""
import os
import signal

import pytest

import harness

BANNER = "Authorised use only.\n\tsecond line of the banner\n"
ADDED = "Warning: Permanently added '[127.0.0.1]:%d' (ED25519) to the list " \
        "of known hosts."

LEVELS = [
    ([], True),
    (["-o", "LogLevel=ERROR"], False),
    (["-o", "LogLevel=INFO"], True),
    (["-q"], False),
]


@pytest.fixture
def banner_sshd(sshd_factory, tmp_path):
    path = os.path.join(str(tmp_path), "banner")
    with open(path, "w") as f:
        f.write(BANNER)
    return sshd_factory.start(["Banner %s" % path,
                               "HostKeyAlgorithms ssh-ed25519"])


def run_true(client, procs, kind, server, args, known_hosts):
    """kind ... true, with a -R 0 and a -R the server refuses (its own
    port, taken): their replies come before the session's end."""
    argv = client.argv(kind, server.port, known_hosts=known_hosts,
                       no_cmd=False)
    i = argv.index("ExitOnForwardFailure=yes")
    del argv[i - 1:i + 1]
    fwds = ["-R", "0:127.0.0.1:1",
            "-R", "127.0.0.1:%d:127.0.0.1:1" % server.port]
    argv = argv[:-1] + args + fwds + argv[-1:] + ["true"]
    proc = procs.start(kind, argv)
    assert proc.wait(60) == 0, proc.describe()
    return proc.stderr()


@pytest.mark.parametrize("args,shown", LEVELS,
                         ids=["default", "error", "info", "q"])
def test_banner_and_added_key_by_level(args, shown, banner_sshd, client,
                                       procs, tmp_path):
    said = {}
    for kind in ("ssh", "adit"):
        kh = os.path.join(str(tmp_path), "known_hosts_" + kind)
        err = run_true(client, procs, kind, banner_sshd, args, kh)
        said[kind] = (BANNER in err, ADDED % banner_sshd.port in err,
                      "Allocated port " in err,
                      "Warning: remote port forwarding failed for listen "
                      "port %d\n" % banner_sshd.port in err)
        # The key is added whatever is said about it.
        with open(kh) as f:
            assert "ssh-ed25519 " in f.read()
    assert said["ssh"] == (shown,) * 4, said
    assert said["adit"] == said["ssh"]


@pytest.mark.parametrize("args", [[], ["-q"]], ids=["default", "q"])
def test_server_gone_after_login(args, sshd, client, procs, peers, tmp_path):
    """The server's end of a logged-in connection killed: ssh's client
    loop says "Connection to HOST closed by remote host." on the terminal
    at any level (before login it is "Connection closed by HOST port P",
    elsewhere), or "Read from remote host HOST: Connection reset by peer"
    when the kernel answered with a reset (data was left unread); adit
    says the same."""
    echo = peers.echo()
    said = {}
    for kind in ("ssh", "adit"):
        def argv_of(ports):
            kh = os.path.join(str(tmp_path), "known_hosts_" + kind)
            argv = client.argv(kind, sshd.port, known_hosts=kh, forwards=[
                "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], echo.port)])
            return argv[:-1] + args + argv[-1:]
        proc, _ = client.start_listening(kind, argv_of)
        kids = harness.descendants(sshd.proc.pid)
        assert kids, "no per-connection sshd process"
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # a child already on its way out
                pass
        assert proc.wait(60) == 255, proc.describe()
        said[kind] = [line for line in proc.stderr().splitlines()
                      if not line.startswith("Warning: Permanently added")]
    ends = [["Connection to 127.0.0.1 closed by remote host."],
            ["Read from remote host 127.0.0.1: Connection reset by peer"]]
    # ssh may also find the socket gone while it writes its DISCONNECT,
    # or (rarely, at -q) say nothing.
    assert said["ssh"] in ends + [
        ["client_loop: send disconnect: Broken pipe"], []], said
    assert said["adit"] in ends, said
