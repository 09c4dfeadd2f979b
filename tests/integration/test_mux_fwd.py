# SPDX-License-Identifier: ISC
"""Forwards added to a running master with -O forward, against a real
OpenSSH sshd on loopback: their room is given back by -O cancel (many
more add/cancel cycles than the master holds at once), and with Reconnect
a -R added so is asked for again on the new connection; both kinds are
listed by `adit status` (table and --json) like the configured ones."""
import json
import os
import signal
import socket
import subprocess

import harness
from test_mux import Mux, gone, masters, mux  # noqa: F401
from test_reconnect import ALIVE, remote_echo

RUN_TIMEOUT = 60
# More than the master holds at once (LIM_MUX_FWDS, 64).
ROUNDS, PER_ROUND = 3, 30


def status(mux, *extra):
    r = subprocess.run([mux.client.bins.adit, "status"] + list(extra) +
                       ["-S", mux.path, "-F", "/dev/null", "127.0.0.1"],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT,
                       env=mux.client.home.env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def unix_echo(path, data=b"through the unix -L"):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(20)
        s.connect(path)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(data))
    assert got == data


def test_forward_cancel_cycles(mux, masters, peers, tmp_path):  # noqa: F811
    """-L and -R added and cancelled 90 times each (30 at a time): every
    -O forward is granted, and the last ones carry data (a -R 0 among
    them, cancelled with the port it was given)."""
    echo = peers.echo()
    masters.append(mux.start_master())
    for n in range(ROUNDS):
        specs = ["%s/l%d-%d:127.0.0.1:%d" % (tmp_path, n, i, echo.port)
                 for i in range(PER_ROUND)]
        argv = []
        for s in specs:
            argv += ["-L", s]
        # -R: Unix sockets on the server (distinct, as adit drops a
        # repeated spec as ssh does), and one port 0.
        rspecs = ["%s/r%d-%d:127.0.0.1:%d" % (tmp_path, n, i, echo.port)
                  for i in range(PER_ROUND - 1)]
        rspecs.append("0:127.0.0.1:%d" % echo.port)
        for s in rspecs:
            argv += ["-R", s]
        r = mux.run("-O", "forward", *argv)
        assert r.returncode == 0, r.stderr.decode()
        port = int(r.stdout)
        unix_echo(specs[-1].split(":")[0])
        unix_echo(rspecs[-2].split(":")[0])
        assert remote_echo(port)
        r = mux.run("-O", "cancel", *argv)
        assert r.returncode == 0, r.stderr.decode()
        assert b"failed" not in r.stderr, r.stderr.decode()
    # Nothing of them is left in the master's list.
    assert "l0-" not in status(mux)


def test_added_forwards_status_and_reconnect(mux, masters, peers,  # noqa: F811
                                             tmp_path):
    """A master in Reconnect mode: -O forward -L and -R show in adit
    status (table and --json) as up; the sshd child serving it killed,
    the master reconnects and the -R added through it is asked for again
    and echoes."""
    echo = peers.echo()
    rport, lport = harness.free_port(), harness.free_port()
    opts = ALIVE + ["ReconnectBackoff=1,2"]
    masters.append(mux.start_master("-r", opts=opts))
    rspec = "%d:127.0.0.1:%d" % (rport, echo.port)
    lspec = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)
    r = mux.run("-O", "forward", "-R", rspec, "-L", lspec)
    assert r.returncode == 0, r.stderr.decode()
    harness.poll(lambda: remote_echo(rport), 30, "the added -R")

    table = status(mux)
    assert "[localhost]:%d [127.0.0.1]:%d" % (rport, echo.port) in table
    rows = json.loads(status(mux, "--json"))["forwards"]
    by_kind = {f["kind"]: f for f in rows}
    assert by_kind["remote"]["state"] == "up"
    assert by_kind["remote"]["port"] == rport
    assert by_kind["local"]["state"] == "up"
    assert by_kind["local"]["port"] == lport

    children = harness.descendants(mux.server.proc.pid)
    assert children
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    harness.poll(lambda: all(gone(p) for p in children), 30,
                 "the sshd children to go")
    harness.poll(lambda: remote_echo(rport), 60,
                 "the added -R after the reconnect")
    rows = json.loads(status(mux, "--json"))["forwards"]
    assert [f["state"] for f in rows if f["kind"] == "remote"] == ["up"]


def test_ask_does_not_block_master(mux, masters, peers,  # noqa: F811
                                   tmp_path):
    """ControlMaster ask: while the askpass program is still thinking
    about one -O forward, the master answers -O check and carries its
    other forwards; the forward is done once it says yes."""
    echo = peers.echo()
    go, prompts = tmp_path / "go", tmp_path / "prompts"
    askpass = tmp_path / "askpass"
    # Waits (bounded) until the test writes its answer.
    askpass.write_text(
        "#!/bin/sh\nprintf '%%s\\n' \"$1\" >> %s\n"
        "i=0; while [ ! -s %s ] && [ $i -lt 600 ]; do sleep 0.1; "
        "i=$((i+1)); done\ncat %s\n" % (prompts, go, go))
    askpass.chmod(0o755)
    env = dict(mux.client.home.env, SSH_ASKPASS=str(askpass),
               SSH_ASKPASS_REQUIRE="force", DISPLAY=":99")
    lport, lport2 = harness.free_port(), harness.free_port()
    masters.append(mux.start_master(
        "-M", "-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport2, echo.port),
        env=env))
    asked = subprocess.Popen(
        mux.argv("-O", "forward", "-L",
                 "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=mux.client.home.env)
    try:
        harness.poll(lambda: prompts.exists() and "Open local forward"
                     in prompts.read_text(), 30, "the askpass prompt")
        rc, _, err = mux.check()
        assert rc == 0, err
        assert not harness.port_open(lport)
        with socket.create_connection(("127.0.0.1", lport2), 20) as s:
            s.sendall(b"meanwhile")
            s.shutdown(socket.SHUT_WR)
            assert harness.recv_all(s, limit=9) == b"meanwhile"
        go.write_text("yes\n")
        _, err = asked.communicate(timeout=RUN_TIMEOUT)
        assert asked.returncode == 0, err.decode()
    finally:
        if asked.poll() is None:
            asked.kill()
            asked.wait()
    assert harness.port_open(lport)
