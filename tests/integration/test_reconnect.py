# SPDX-License-Identifier: ISC
"""Reconnect mode (adit -r, Reconnect yes) under fault injection on
loopback, against real sshd and aditd: the server killed and restarted on
the same port, frozen (SIGSTOP) and thawed, -R forwards coming back,
permanent failures ending at once with status 78, SIGHUP cutting the
backoff short, and two bastions at once with one of them killed.

Recovery times are measured and printed (run with -s to see them); the
assertions on them are generous bounds, not performance checks (bench/
is for those)."""
import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

import harness
from fwdhelp import echo_through
from paths import roundtrip
from promtext import metric, parse_metrics, scrape
from sshsetup import pubkey_blob
from test_aditd_forwarding import authorized_keys
from harness import descendants

EXIT_PERMANENT = 78
# Keepalive settings of every test here: a dead server is noticed within
# INTERVAL x COUNT seconds.
INTERVAL, COUNT = 1, 3
ALIVE = ["ServerAliveInterval=%d" % INTERVAL,
         "ServerAliveCountMax=%d" % COUNT]
# How long a recovery may take on a loaded 2-core machine (ASan included).
RECOVERY_LIMIT = 60.0
# How late past Interval x Count a frozen server may be noticed: the loop's
# and the test's own scheduling on a loaded machine (bench/recovery measures
# the real figure; a one-second tick would show as a whole second here).
FROZEN_MARGIN = 1.5
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


# A connection up this long is steady (client_sup.c CLIENT_STEADY_MS,
# with a margin): its drop is retried at once.
STEADY = 1.5
WAITS = re.compile(r"reconnecting in (\d+)\.(\d) s")


def test_steady_drop_retried_at_once(client, procs, server_of, peers):
    """A tunnel that was up a while and loses its server tries again at
    once, then four quick retries (a restarted server listens again within
    ~100 ms), and only then the backoff (ReconnectBackoff=1,2: 0.5 s or
    more). The waits are read from adit's log, not timed."""
    server = server_of("aditd")
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port)
    roundtrip(lport, b"before the kill")
    time.sleep(STEADY)
    kill_server(server)
    harness.poll(lambda: len(WAITS.findall(proc.stderr())) >= 6,
                 RECOVERY_LIMIT, "six attempts")
    waits = [int(a) * 1000 + int(b) * 100
             for a, b in WAITS.findall(proc.stderr())[:6]]
    assert waits[0] == 0, proc.describe()
    assert all(w < 300 for w in waits[1:5]), proc.describe()
    assert waits[5] >= 500, proc.describe()


@pytest.mark.parametrize("server_kind", SERVERS)
def test_frozen_server(server_kind, client, procs, server_of, sshd_factory,
                       peers):
    """SIGSTOP every server process: adit notices within Interval x Count
    seconds of the last byte it heard (plus scheduling slack), keeps
    trying, and is back once the server runs again."""
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
        # Not at once: only the missing answers can have told it. The last
        # byte came before the freeze, so never later than the product
        # (plus the scheduling slack).
        assert noticed >= INTERVAL * 0.5, noticed
        assert noticed <= INTERVAL * COUNT + FROZEN_MARGIN, noticed
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
    """Without -r a second argument is the remote command, as in ssh: with
    -N there is no session, so only the first names a host."""
    bins.require("adit")
    r = subprocess.run([bins.adit, "-N", "-o", "ConnectTimeout=5",
                        "nonexistent.invalid", "b"], capture_output=True,
                       text=True, env=home.env, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 255
    assert "nonexistent.invalid" in r.stderr
    assert "remote commands" not in r.stderr


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


# --- seeing it: adit status, metrics, sd_notify ----------------------------

def adit_status(client, sock, json_out=True):
    """`adit status [--json]` for the tunnel whose StatusSocket is sock."""
    argv = [client.bins.adit, "status"] + (["--json"] if json_out else [])
    argv += ["-o", "StatusSocket=" + sock,
             "%s@127.0.0.1" % client.home.user]
    r = subprocess.run(argv, capture_output=True, text=True,
                       env=client.home.env, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if json_out else r.stdout


def test_status(client, procs, server_of, peers, tmp_path):
    """adit status --json, field by field, through a reconnect; the text
    table; the socket's mode."""
    server = server_of("aditd")
    echo = peers.echo()
    sock = str(tmp_path / "st-%n.sock")
    real = str(tmp_path / "st-127.0.0.1.sock")
    proc, lport = start_tunnel(
        client, procs, server, echo.port,
        opts=["StatusSocket=" + sock], remote=["0:127.0.0.1:%d" % echo.port])
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600

    def rtt_known():
        s = adit_status(client, sock)
        return s if (s["ready"] and s["destinations"][0]["keepalive_rtt_ms"]
                     is not None) else None
    st = harness.poll(rtt_known, harness.READY_TIMEOUT, "a keepalive RTT")
    assert st["mode"] == "reconnect"
    (d,) = st["destinations"]
    assert d["name"] == "127.0.0.1" and d["host"] == "127.0.0.1"
    assert d["port"] == server.port
    assert d["state"] == "up"
    assert abs(d["since_unix"] - time.time()) < 600
    assert d["last_error"] is None
    assert d["bytes_in"] > 0 and d["bytes_out"] > 0
    assert 0 <= d["keepalive_rtt_ms"] < 10000
    assert d["reconnects"] == 0
    local = [f for f in st["forwards"] if f["kind"] == "local"]
    remote = [f for f in st["forwards"] if f["kind"] == "remote"]
    assert len(local) == 1 and len(remote) == 1
    assert local[0]["state"] == "up" and local[0]["port"] == lport
    assert local[0]["destination"] is None
    assert remote[0]["state"] == "up" and remote[0]["port"] != 0
    assert remote[0]["destination"] == "127.0.0.1"
    assert remote[0]["spec"].endswith("[127.0.0.1]:%d" % echo.port)
    # The allocated -R port really forwards.
    roundtrip(remote[0]["port"], b"through -R 0")
    # An open channel is counted.
    with socket.create_connection(("127.0.0.1", lport), timeout=30) as s:
        s.sendall(b"x")
        assert s.recv(1) == b"x"
        harness.poll(lambda: adit_status(client, sock)["destinations"][0]
                     ["channels"] >= 1, harness.READY_TIMEOUT,
                     "an open channel in the status")
    text = adit_status(client, sock, json_out=False)
    assert "DESTINATION" in text and "127.0.0.1" in text and " up " in text
    # Down, then up again: the state, the error and the count follow.
    kill_server(server)
    harness.poll(lambda: adit_status(client, sock)["destinations"][0]
                 ["state"] in ("retrying", "connecting"),
                 harness.READY_TIMEOUT, "a retrying state")
    d = adit_status(client, sock)["destinations"][0]
    assert d["last_error"], d
    assert not adit_status(client, sock)["ready"]
    restart_server(procs, server)
    harness.poll(lambda: adit_status(client, sock)["ready"], RECOVERY_LIMIT,
                 "ready again")
    d = adit_status(client, sock)["destinations"][0]
    assert d["state"] == "up" and d["reconnects"] >= 1
    assert proc.alive()


def test_metrics(client, procs, server_of, peers):
    """adit's Prometheus endpoint, scraped with curl and read strictly:
    destinations and forwards by state, bytes, channel opens and failures
    both ways, logins, auth failures, reconnects and the keepalive round
    trip, each following what the test did (a -L that echoes, a -L to a
    closed port, a -R that echoes, the server killed and restarted)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    server = server_of("aditd")
    echo = peers.echo()
    mport, lport, dport, rport = (harness.free_port() for _ in range(4))
    dead = harness.closed_port()
    argv = reconnect_argv(
        client, server, opts=["MetricsListen=127.0.0.1:%d" % mport],
        forwards=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
                  "127.0.0.1:%d:127.0.0.1:%d" % (dport, dead)],
        remote=["%d:127.0.0.1:%d" % (rport, echo.port)])
    proc = procs.start("adit", argv)
    harness.wait_listening(proc, mport)
    harness.poll(lambda: remote_echo(rport), harness.READY_TIMEOUT,
                 "the -R forward")
    roundtrip(lport, b"count me")
    with socket.create_connection(("127.0.0.1", dport), timeout=30) as s:
        assert harness.recv_all(s) == b""  # refused at the far end
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    harness.poll(lambda: remote_echo(rport), RECOVERY_LIMIT,
                 "the -R forward after the restart")

    def dest(samples, name, **labels):
        return metric(samples, name, destination="127.0.0.1", **labels)

    def settled():
        samples, types = parse_metrics(scrape(mport)[1])
        # Fresh opens count once their answer has come; the round trip
        # once the new connection's first probe is answered.
        if (dest(samples, "adit_channel_open_failures_total",
                 direction="out") < 1 or
                ("adit_keepalive_rtt_seconds",
                 frozenset({("destination", "127.0.0.1")})) not in samples):
            return None
        return samples, types
    samples, types = harness.poll(settled, 60, "settled metrics")
    assert dest(samples, "adit_destination_state", state="up") == 1
    assert dest(samples, "adit_destination_state", state="retrying") == 0
    assert types["adit_forward_up"] == "gauge"
    for port, target in ((lport, echo.port), (dport, dead)):
        assert metric(samples, "adit_forward_up", kind="local",
                      forward="[127.0.0.1]:%d [127.0.0.1]:%d"
                      % (port, target)) == 1, samples
    ups = [v for (n, lab), v in samples.items()
           if n == "adit_forward_up" and ("kind", "remote") in lab]
    assert ups == [1], samples
    assert dest(samples, "adit_bytes_sent_total") > 0
    assert dest(samples, "adit_bytes_received_total") > 0
    # -L echo and -L to the closed port went out; the -R echo came in,
    # before and after the restart.
    assert dest(samples, "adit_channel_opens_total", direction="out") >= 2
    assert dest(samples, "adit_channel_opens_total", direction="in") >= 2
    assert dest(samples, "adit_channel_open_failures_total",
                direction="out") == 1
    assert dest(samples, "adit_channel_open_failures_total",
                direction="in") == 0
    assert dest(samples, "adit_connections_total") == 2
    assert dest(samples, "adit_reconnects_total") >= 1
    assert dest(samples, "adit_auth_failures_total") == 0
    assert 0 <= dest(samples, "adit_keepalive_rtt_seconds") < 30
    assert proc.alive()


def test_metrics_auth_failure(client, procs, aditd, server_of, home,
                              tmp_path):
    """Two bastions, b0 refusing the key: its login failure is counted
    and b0 given up (a permanent failure) while b1 stays up."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    client.bins.require("adit")
    b0 = aditd.start(authorized_keys=authorized_keys(
        tmp_path, [("", home.stranger_key)]))
    b1 = server_of("aditd")
    cfg = str(tmp_path / "bastions.conf")
    write_bastions_config(cfg, client, [b0, b1])
    mport = harness.free_port()
    argv = bastions_argv(client, cfg, ["b0", "b1"], [])
    proc = procs.start("adit", argv[:-2] + [
        "-o", "MetricsListen=127.0.0.1:%d" % mport, "b0", "b1"])
    harness.wait_listening(proc, mport)

    def settled():
        samples, _ = parse_metrics(scrape(mport)[1])
        return samples if metric(samples, "adit_destination_state",
                                 destination="b1", state="up") == 1 and \
            metric(samples, "adit_destination_state", destination="b0",
                   state="failed") == 1 else None
    samples = harness.poll(settled, harness.READY_TIMEOUT,
                           "b0 failed and b1 up")
    assert metric(samples, "adit_auth_failures_total", destination="b0") == 1
    assert metric(samples, "adit_auth_failures_total", destination="b1") == 0
    assert metric(samples, "adit_connections_total", destination="b0") == 0
    assert metric(samples, "adit_connections_total", destination="b1") == 1
    assert "Permission denied" in proc.stderr()
    assert proc.alive()


class NotifySocket:
    """A systemd notify socket: every datagram, with its arrival time."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.msgs = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                for line in data.decode().splitlines():
                    self.msgs.append((time.monotonic(), line))

    def lines(self, prefix):
        with self.lock:
            return [(t, m) for t, m in self.msgs if m.startswith(prefix)]

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_sd_notify(client, procs, sshd_factory, peers, tmp_path):
    """READY=1 once the forward is up, STATUS= lines, WATCHDOG=1 while the
    server answers, none while it is frozen, again once it runs."""
    server = sshd_factory.start()
    echo = peers.echo()
    ns = NotifySocket(str(tmp_path / "notify"))
    try:
        env = dict(client.home.env, NOTIFY_SOCKET=ns.path,
                   WATCHDOG_USEC="2000000")
        lport = harness.free_port()
        fwd = "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)
        proc = procs.start("adit", reconnect_argv(client, server,
                                                  forwards=[fwd]), env=env)
        harness.poll(lambda: ns.lines("READY=1"), harness.READY_TIMEOUT,
                     "READY=1")
        roundtrip(lport, b"ready means ready")
        assert any("every forward up" in m for _, m in ns.lines("STATUS="))
        harness.poll(lambda: len(ns.lines("WATCHDOG=1")) >= 3,
                     harness.READY_TIMEOUT, "watchdog pings")
        with harness.stopped(server_pids(server)):
            # Pings stop once adit has found the server silent for
            # Interval x Count (it then says it reconnects): none for a
            # while after that (a margin for one already in flight).
            harness.wait_log(proc, "reconnecting in", INTERVAL * COUNT + 15)
            dead_at = time.monotonic()
            time.sleep(3)
            late = [t for t, _ in ns.lines("WATCHDOG=1") if t > dead_at + 0.5]
            assert not late, (dead_at, late)
            assert proc.alive()
        n = len(ns.lines("WATCHDOG=1"))
        harness.poll(lambda: len(ns.lines("WATCHDOG=1")) > n,
                     RECOVERY_LIMIT, "watchdog pings after the thaw")
        wait_recovered(proc, lport, b"after the thaw", "sd_notify thaw")
        assert proc.stop() == 0
        harness.poll(lambda: ns.lines("STOPPING=1"), harness.READY_TIMEOUT,
                     "STOPPING=1")
    finally:
        ns.close()


def test_jump_host_killed(client, procs, sshd_factory, server_of, peers,
                          home):
    """-J through aditd to sshd: the jump host killed and restarted; the
    whole chain is taken down and built again, and the -L works again."""
    jump = server_of("aditd")
    target = sshd_factory.start()
    echo = peers.echo()
    proc, lport = start_tunnel(
        client, procs, target, echo.port,
        opts=["ProxyJump=%s@127.0.0.1:%d" % (home.user, jump.port)])
    roundtrip(lport, b"through the jump")
    kill_server(jump)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, jump)
    wait_recovered(proc, lport, b"through the jump again", "jump killed")
    echo_through(lport)


def test_proxy_command_server_killed(client, procs, server_of, peers):
    """Through a ProxyCommand (socat): each attempt runs it again."""
    server = server_of("aditd")
    echo = peers.echo()
    proc, lport = start_tunnel(
        client, procs, server, echo.port,
        opts=["ProxyCommand=socat - TCP:127.0.0.1:%p"])
    roundtrip(lport, b"through socat")
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    wait_recovered(proc, lport, b"through socat again", "ProxyCommand")


# --- packet drops in a network namespace of the test's own ------------------

CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def own_netns(procs):
    """This thread (and every process and socket it makes) in a new network
    namespace with lo up, held open by a sleeping process; back to the
    old one at the end. Skips where namespaces cannot be made."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a network namespace")
    libc = ctypes.CDLL(None, use_errno=True)
    holder = procs.start("netns", ["unshare", "-n", "sleep", "3600"])
    mine = os.readlink("/proc/thread-self/ns/net")
    harness.poll(lambda: os.readlink("/proc/%d/ns/net" % holder.pid) != mine,
                 harness.READY_TIMEOUT, "the namespace")
    back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    new = os.open("/proc/%d/ns/net" % holder.pid, os.O_RDONLY)
    try:
        if libc.setns(new, CLONE_NEWNET) != 0:
            pytest.skip("setns: errno %d" % ctypes.get_errno())
        try:
            ip("link", "set", "lo", "up")
            yield
        finally:
            assert libc.setns(back, CLONE_NEWNET) == 0
    finally:
        os.close(new)
        os.close(back)


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, timeout=30,
                   stdin=subprocess.DEVNULL, capture_output=True)


def test_packets_dropped(client, procs, sshd_factory, peers):
    """In a namespace of the test's own, every packet to the server is
    dropped (a blackhole policy rule ahead of the local table): adit finds
    the path dead within Interval x Count (the server never answers the
    keepalives), keeps trying, and once packets flow again the tunnel is
    back."""
    with own_netns(procs):
        server = sshd_factory.start()
        echo = peers.echo()
        proc, lport = start_tunnel(client, procs, server, echo.port)
        roundtrip(lport, b"before the drop")
        ip("rule", "add", "priority", "100", "lookup", "local")
        ip("rule", "del", "priority", "0")
        ip("rule", "add", "priority", "10", "ipproto", "tcp", "dport",
           str(server.port), "blackhole")
        start = time.monotonic()
        harness.wait_log(proc, "reconnecting in", INTERVAL * COUNT + 15)
        noticed = time.monotonic() - start
        print("\npackets dropped: noticed in %.2f s" % noticed)
        assert noticed <= INTERVAL * COUNT + FROZEN_MARGIN, noticed
        # New attempts fail while the path is dead (the blackhole refuses
        # the connect at once) and adit keeps trying.
        harness.poll(lambda: proc.stderr().count("reconnecting in") >= 3,
                     RECOVERY_LIMIT, "attempts failing while dropped")
        assert proc.alive(), proc.describe()
        ip("rule", "del", "priority", "10")
        wait_recovered(proc, lport, b"after the drop", "packets flow again")
        echo_through(lport)


SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture
TCP_USER_TIMEOUT = 18


def user_timeout_of(pid, port):
    """TCP_USER_TIMEOUT of pid's TCP socket connected to 127.0.0.1:port,
    read with getsockopt on a duplicate of it taken with pidfd_getfd
    (Linux 5.6 or newer, and the right to ptrace pid). None if no such
    socket is open; skips where sockets cannot be taken."""
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError) as e:
        pytest.skip("pidfd_open: %s" % e)
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            try:
                if not os.readlink("/proc/%d/fd/%s"
                                   % (pid, name)).startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                err = ctypes.get_errno()
                if err in (errno.ENOSYS, errno.EPERM):
                    pytest.skip("pidfd_getfd: %s" % os.strerror(err))
                continue
            with socket.socket(fileno=fd) as s:
                try:
                    if (s.family == socket.AF_INET
                            and s.type == socket.SOCK_STREAM
                            and s.getpeername() == ("127.0.0.1", port)):
                        return s.getsockopt(socket.IPPROTO_TCP,
                                            TCP_USER_TIMEOUT)
                except OSError:
                    pass
    finally:
        os.close(pidfd)
    return None


@pytest.mark.parametrize("reconnect", [True, False])
def test_user_timeout_on_the_socket(reconnect, client, procs, sshd_factory,
                                    peers):
    """TCP_USER_TIMEOUT read back from the running adit's connection to
    sshd: Interval x Count in ms in Reconnect mode (so data the server
    never acknowledges ends the connection as soon as the keepalives
    would), the kernel's default (0, off) without, as ssh."""
    server = sshd_factory.start()
    echo = peers.echo()
    if reconnect:
        proc, lport = start_tunnel(client, procs, server, echo.port)
    else:
        proc, lport = client.tunnel("adit", server, echo.port, ALIVE)
    roundtrip(lport, b"up")
    def found():
        v = user_timeout_of(proc.pid, server.port)
        return None if v is None else [v]
    v = harness.poll(found, harness.READY_TIMEOUT, "adit's socket to sshd")
    assert v == [INTERVAL * COUNT * 1000 if reconnect else 0], v


def test_one_destination_fails_permanently(client, procs, sshd_factory,
                                           server_of, peers, tmp_path):
    """b0 (sshd) refuses the login, for a user it does not know: b0 is
    given up, b1 carries b0's forwards, adit stays up, and SIGTERM ends it
    with 0."""
    b0, b1, cfg, lport = bastions(client, sshd_factory, server_of, peers,
                                  tmp_path, ["b0", "b1"])
    with open(cfg) as f:
        text = f.read()
    with open(cfg, "w") as f:
        f.write(text.replace("Port %d\n  User %s\n"
                             % (b0.port, client.home.user),
                             "Port %d\n  User nosuchuser\n" % b0.port))
    proc = procs.start("adit", bastions_argv(client, cfg, ["b0", "b1"], []))
    harness.wait_listening(proc, lport)
    harness.wait_log(proc, "giving up on b0")
    assert "Permission denied" in proc.stderr()
    echo_through(lport)
    assert proc.alive(), proc.describe()
    assert proc.stop() == 0, proc.describe()
