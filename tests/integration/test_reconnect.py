# SPDX-License-Identifier: ISC
"""Reconnect mode (adit -r, Reconnect yes) under fault injection on
loopback, against real sshd and aditd: the server killed and restarted on
the same port, frozen (SIGSTOP) and thawed, -R forwards coming back,
permanent failures ending at once with status 78, SIGHUP cutting the
backoff short, and two bastions at once with one of them killed.

Recovery times are measured and printed (run with -s to see them); the
assertions on them are generous bounds, not performance checks (bench/
is for those)."""
import os
import signal
import subprocess
import time

import pytest

import harness
from fwdhelp import echo_through
from paths import roundtrip
from sshsetup import pubkey_blob
from harness import descendants

EXIT_PERMANENT = 78
# Keepalive settings of every test here: a dead server is noticed within
# INTERVAL x COUNT seconds.
INTERVAL, COUNT = 1, 3
ALIVE = ["ServerAliveInterval=%d" % INTERVAL,
         "ServerAliveCountMax=%d" % COUNT]
# How long a recovery may take on a loaded 2-core machine (ASan included).
RECOVERY_LIMIT = 60.0
SERVERS = ["sshd", "aditd"]


def reconnect_argv(client, server, opts=(), forwards=(), remote=(),
                   key=None, strict="accept-new", known_hosts=None):
    """client.argv for adit in Reconnect mode: -r, the keepalive settings,
    a short backoff, and no ConnectTimeout (the login deadline then follows
    the keepalive settings)."""
    argv = client.argv("adit", server.port,
                       list(opts) + ALIVE + ["ReconnectBackoff=1,2"],
                       key=key, strict=strict, known_hosts=known_hosts)
    i = argv.index("ConnectTimeout=20")
    del argv[i - 1:i + 1]
    extra = ["-r"]
    for f in forwards:
        extra += ["-L", f]
    for f in remote:
        extra += ["-R", f]
    return argv[:-1] + extra + argv[-1:]


def start_tunnel(client, procs, server, target_port, **kw):
    """adit -r -L lport:127.0.0.1:target_port; wait until lport accepts."""
    last = None
    for _ in range(3):
        lport = harness.free_port()
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (lport, target_port)
        proc = procs.start("adit", reconnect_argv(client, server,
                                                  forwards=[fwd], **kw))
        try:
            harness.wait_listening(proc, lport)
            return proc, lport
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    raise last


def server_pids(server):
    """The server's processes: the listener and, for sshd, the
    per-connection children."""
    return [server.proc.pid] + descendants(server.proc.pid)


def kill_server(server):
    for pid in server_pids(server):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.proc.wait(30)


def restart_server(procs, server):
    """The same server again on the same port (same config, same keys)."""
    proc = procs.start(server.kind, server.proc.argv)
    if server.kind == "sshd":
        harness.wait_ssh_server(proc, server.port)
    else:
        harness.wait_listening(proc, server.port)
    server.proc = proc
    return server


def try_roundtrip(lport, data):
    """One attempt at an echo through the tunnel; False while it is down."""
    try:
        roundtrip(lport, data, timeout=10)
        return True
    except (OSError, AssertionError):
        return False


def wait_recovered(proc, lport, data, what):
    """Poll until the tunnel carries data again; return the time taken."""
    start = time.monotonic()

    def ok():
        assert proc.alive(), "adit exited: " + proc.describe()
        return try_roundtrip(lport, data)
    harness.poll(ok, RECOVERY_LIMIT, what)
    took = time.monotonic() - start
    print("\n%s: recovered in %.2f s" % (what, took))
    return took


@pytest.mark.parametrize("server_kind", SERVERS)
def test_killed_server_restarted(server_kind, client, procs, server_of,
                                 sshd_factory, peers):
    """Kill the server (every process of it), start it again on the same
    port: the -L forward carries data again, byte for byte."""
    server = (sshd_factory.start() if server_kind == "sshd"
              else server_of("aditd"))
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port)
    roundtrip(lport, b"before the kill")
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    wait_recovered(proc, lport, b"after the restart",
                   "%s killed and restarted" % server_kind)
    echo_through(lport)
    assert proc.alive()


@pytest.mark.parametrize("server_kind", SERVERS)
def test_frozen_server(server_kind, client, procs, server_of, sshd_factory,
                       peers):
    """SIGSTOP every server process: adit notices within Interval x Count
    seconds (plus slack), keeps trying, and is back once the server
    runs again."""
    server = (sshd_factory.start() if server_kind == "sshd"
              else server_of("aditd"))
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port)
    roundtrip(lport, b"before the freeze")
    with harness.stopped(server_pids(server)):
        start = time.monotonic()
        harness.wait_log(proc, "reconnecting in", INTERVAL * COUNT + 15)
        noticed = time.monotonic() - start
        print("\n%s frozen: noticed in %.2f s" % (server_kind, noticed))
        assert noticed >= INTERVAL * (COUNT - 1), noticed
    wait_recovered(proc, lport, b"after the thaw",
                   "%s frozen and thawed" % server_kind)
    echo_through(lport)


def remote_echo(port, data=b"through -R"):
    """Whether the server's -R port echoes data (through adit)."""
    return try_roundtrip(port, data)


def start_remote(client, procs, server, peers):
    """adit -r -R rport:(an echo peer) to server, once the port echoes;
    returns (proc, rport)."""
    echo = peers.echo()
    rport = harness.free_port()
    argv = reconnect_argv(client, server,
                          remote=["%d:127.0.0.1:%d" % (rport, echo.port)])
    proc = procs.start("adit", argv)
    harness.poll(lambda: remote_echo(rport), harness.READY_TIMEOUT,
                 "the -R forward")
    return proc, rport


def test_remote_forward_aditd_takeover(client, procs, server_of, peers):
    """aditd killed and restarted: the -R forward is asked for again and
    granted at once."""
    server = server_of("aditd")
    proc, rport = start_remote(client, procs, server, peers)
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    start = time.monotonic()
    harness.poll(lambda: proc.alive() and remote_echo(rport),
                 RECOVERY_LIMIT, "the -R forward after the restart")
    print("\naditd -R back in %.2f s" % (time.monotonic() - start))
    assert "remote forwarding refused" not in proc.stderr(), proc.describe()


def test_remote_forward_sshd_port_held(client, procs, sshd_factory, peers):
    """The sshd child serving adit is frozen: adit reconnects through the
    listener, but the -R port is still held by the frozen child, so the
    request is refused and asked again with backoff until the stale
    session is gone (thawed, it sees the closed connection and exits)."""
    server = sshd_factory.start()
    proc, rport = start_remote(client, procs, server, peers)
    children = descendants(server.proc.pid)
    assert children, "no per-connection sshd process found"
    with harness.stopped(children):
        harness.wait_log(proc, "remote forwarding refused; asking again",
                         RECOVERY_LIMIT)
        assert proc.alive(), proc.describe()
    start = time.monotonic()
    harness.poll(lambda: proc.alive() and remote_echo(rport),
                 RECOVERY_LIMIT, "the -R forward once the port is free")
    print("\nsshd -R back %.2f s after the stale session was thawed"
          % (time.monotonic() - start))


@pytest.mark.parametrize("server_kind", SERVERS)
def test_wrong_host_key_is_permanent(server_kind, client, procs, server_of,
                                     home, tmp_path):
    server = server_of(server_kind)
    kh = str(tmp_path / "known_hosts_wrong")
    with open(kh, "w") as f:
        f.write("[127.0.0.1]:%d ssh-ed25519 %s\n"
                % (server.port, pubkey_blob(home.stranger_key)))
    argv = reconnect_argv(client, server, strict="yes", known_hosts=kh,
                          opts=["HostKeyAlgorithms=ssh-ed25519"])
    proc = procs.start("adit", argv)
    assert proc.wait(harness.READY_TIMEOUT) == EXIT_PERMANENT, \
        proc.describe()
    err = proc.stderr()
    assert "Host key verification failed." in err
    assert "giving up on 127.0.0.1" in err
    assert "reconnecting" not in err


@pytest.mark.parametrize("server_kind", SERVERS)
def test_auth_refused_is_permanent(server_kind, client, procs, server_of,
                                   home):
    server = server_of(server_kind)
    proc = procs.start("adit", reconnect_argv(client, server,
                                              key=home.stranger_key))
    assert proc.wait(harness.READY_TIMEOUT) == EXIT_PERMANENT, \
        proc.describe()
    err = proc.stderr()
    assert "Permission denied (publickey)." in err
    assert "reconnecting" not in err


def test_server_down_is_transient(client, procs):
    """Nothing listens: adit keeps trying (and SIGTERM ends it with 0)."""
    class Nowhere:
        port = harness.free_port()
    proc = procs.start("adit", reconnect_argv(client, Nowhere))
    harness.poll(lambda: proc.stderr().count("reconnecting in") >= 2,
                 harness.READY_TIMEOUT, "two reconnect attempts")
    assert "Connection refused" in proc.stderr()
    assert proc.alive()
    assert proc.stop() == 0, proc.describe()


def test_sighup_reconnects_at_once(client, procs, sshd_factory, peers):
    """With a long backoff, SIGHUP makes adit try again at once."""
    server = sshd_factory.start()
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port,
                               opts=["ReconnectBackoff=120,240"])
    roundtrip(lport, b"before")
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    os.kill(proc.pid, signal.SIGHUP)
    # The backoff alone would wait at least 60 s.
    took = wait_recovered(proc, lport, b"after SIGHUP", "SIGHUP")
    assert took < 50, took
    # SIGHUP while up: a fresh connection, the tunnel still works.
    n = proc.stderr().count("connected to")
    os.kill(proc.pid, signal.SIGHUP)
    harness.poll(lambda: proc.stderr().count("connected to") > n,
                 RECOVERY_LIMIT, "a reconnect on SIGHUP while up")
    wait_recovered(proc, lport, b"after the second SIGHUP", "SIGHUP while up")


def write_bastions_config(path, client, servers):
    """Host b0, b1, ...: each bastion's port; the rest is the command
    line's."""
    with open(path, "w") as f:
        for i, s in enumerate(servers):
            f.write("Host b%d\n  HostName 127.0.0.1\n  Port %d\n"
                    "  User %s\n" % (i, s.port, client.home.user))


def bastions_argv(client, cfg, names, forwards):
    argv = [client.bins.adit, "-F", cfg, "-N", "-r", "-i", client.home.key,
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
            "-o", "UserKnownHostsFile=" + client.known_hosts,
            "-o", "ReconnectBackoff=1,2"]
    for o in ALIVE:
        argv += ["-o", o]
    for f in forwards:
        argv += ["-L", f]
    return argv + list(names)


def start_bastions(client, procs, cfg, names, lport):
    """adit on names (with -r unless the file says Reconnect), once lport
    listens and both bastions are up."""
    argv = bastions_argv(client, cfg, names, [])
    if names == ["tunnel"]:
        argv.remove("-r")
    proc = procs.start("adit", argv)
    harness.wait_listening(proc, lport)
    harness.poll(lambda: ("connected to b0" in proc.stderr() and
                          "connected to b1" in proc.stderr()),
                 harness.READY_TIMEOUT, "both bastions up")
    return proc


def bastions(client, sshd_factory, server_of, peers, tmp_path, names):
    """b0 (sshd) and b1 (aditd) in a config file whose names[0] block (or
    the command line's -L for b0 b1) forwards lport to an echo peer."""
    client.bins.require("adit")
    b0 = sshd_factory.start()
    b1 = server_of("aditd")
    echo = peers.echo()
    cfg = str(tmp_path / "bastions.conf")
    write_bastions_config(cfg, client, [b0, b1])
    lport = harness.free_port()
    with open(cfg, "a") as f:
        f.write("Host %s\n  LocalForward 127.0.0.1:%d 127.0.0.1:%d\n"
                % (names[0], lport, echo.port))
        if names == ["tunnel"]:
            f.write("  Reconnect yes\n  Destinations b1 b0\n")
    return b0, b1, cfg, lport


def test_two_bastions_one_killed(client, procs, sshd_factory, server_of,
                                 peers, tmp_path):
    """adit -r ... b0 b1 (sshd and aditd): one shared -L listener; with
    b0 killed the forward keeps answering through b1, bytes intact, and
    b0 is back in use once restarted."""
    b0, b1, cfg, lport = bastions(client, sshd_factory, server_of, peers,
                                  tmp_path, ["b0", "b1"])
    proc = start_bastions(client, procs, cfg, ["b0", "b1"], lport)
    echo_through(lport)
    kill_server(b0)
    took = wait_recovered(proc, lport, b"through b1",
                          "b0 killed, -L through b1")
    assert took < RECOVERY_LIMIT
    echo_through(lport)
    # Every connection from here on goes through b1 and arrives intact.
    for i in range(5):
        echo_through(lport, harness.payload_of(64 * 1024, seed=i))
    restart_server(procs, b0)
    harness.wait_log(proc, "connected to b0 again", RECOVERY_LIMIT)
    kill_server(b1)
    wait_recovered(proc, lport, b"through b0 again", "b1 killed, back on b0")
    echo_through(lport)


def test_dump_shows_reconnect(client, bins, home):
    bins.require("adit")
    r = subprocess.run([bins.adit, "-G", "-r", "-o", "ReconnectBackoff=2,30",
                        "somehost"], capture_output=True, text=True,
                       env=home.env, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "reconnect yes" in lines
    assert "reconnectbackoff 2,30" in lines
    # Reconnect mode probes by default: 5 s x 3.
    assert "serveraliveinterval 5" in lines
    assert "serveralivecountmax 3" in lines
    r = subprocess.run([bins.adit, "-G", "somehost"], capture_output=True,
                       text=True, env=home.env, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert "reconnect no" in r.stdout.splitlines()
    assert "serveraliveinterval 0" in r.stdout.splitlines()


def test_several_destinations_need_reconnect(client, bins, home):
    """Without -r a second argument stays a remote command, refused as
    before."""
    bins.require("adit")
    r = subprocess.run([bins.adit, "-N", "a", "b"], capture_output=True,
                       text=True, env=home.env, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 255
    assert "remote commands are not supported" in r.stderr


def test_destinations_option(client, procs, sshd_factory, server_of, peers,
                             tmp_path):
    """The configuration form: Host tunnel with Reconnect, Destinations and
    the forward; `adit tunnel` connects to both bastions."""
    b0, b1, cfg, lport = bastions(client, sshd_factory, server_of, peers,
                                  tmp_path, ["tunnel"])
    proc = start_bastions(client, procs, cfg, ["tunnel"], lport)
    echo_through(lport)
    # b1 comes first: the -L connections go through aditd.
    kill_server(b0)
    echo_through(lport)
    assert proc.alive(), proc.describe()
