# SPDX-License-Identifier: ISC
"""aditd status, metrics, systemd and make install, against real peers:
`aditd status --json` checked field by field with real OpenSSH ssh clients
holding -L, -R and a named endpoint; the metrics scraped with curl and
parsed as the Prometheus text format; sd_notify read from a notify socket
the test binds (READY, STATUS, WATCHDOG, RELOADING on SIGHUP, STOPPING);
socket activation through systemd-socket-activate; the control socket's
mode and peer check; `make install` into a DESTDIR."""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

import pytest

import harness
from promtext import metric, parse_metrics, scrape
from test_aditd_forwarding import (authorized_keys, fingerprint, ssh_argv,
                                   start_rfwd)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
NAME_RULES = 'permitlisten="localhost:*",permitlisten="svc-1:7"'


def status_server(aditd, tmp_path, home, extra=(), env=None):
    """aditd with a control socket and a metrics port; its key may hold
    localhost ports and the name svc-1:7."""
    ak = authorized_keys(tmp_path, [(NAME_RULES, home.key)])
    ctl = os.path.join(str(tmp_path), "ctl")
    mport = harness.free_port()
    server = aditd.start(extra=["ControlSocket " + ctl,
                                "MetricsAddress 127.0.0.1:%d" % mport]
                         + list(extra), authorized_keys=ak, env=env)
    server.ctl = ctl
    server.metrics_port = mport
    harness.wait_log(server.proc, "Metrics listening on port %d" % mport)
    return server


def aditd_status(bins, *args):
    r = subprocess.run([bins.aditd, "status"] + list(args),
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return r.stdout


def status_json(bins, server):
    return json.loads(aditd_status(bins, "--json", "-f", server.config))


def login_port(server, user):
    """The client port of the last login, from aditd's log."""
    found = re.findall(r"Accepted publickey for %s from 127\.0\.0\.1 port "
                       r"(\d+)" % re.escape(user), server.proc.stderr())
    return int(found[-1])


def tunnels(client, procs, server, echo):
    """ssh -N with -R PORT, -R svc-1:7 and -L PORT, all to echo; returns
    (proc, remote port, local port) once everything is up."""
    rport, lport = harness.free_port(), harness.free_port()
    argv = ssh_argv(client, server,
                    rfwds=["%d:127.0.0.1:%d" % (rport, echo.port),
                           "svc-1:7:127.0.0.1:%d" % echo.port],
                    lfwds=["127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port)])
    proc = procs.start("ssh", argv)
    harness.wait_listening(proc, rport)
    harness.wait_listening(proc, lport)
    harness.wait_log(server.proc, "Named endpoint svc-1 port 7")
    return proc, rport, lport


def echo_once(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        assert harness.recv_all(s) == data


def ctl_exchange(path, request):
    """One raw request on the control socket; everything until EOF."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(path)
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        return harness.recv_all(s)


def test_status_json(bins, client, aditd, procs, peers, home, tmp_path):
    t0 = int(time.time())
    server = status_server(aditd, tmp_path, home)
    st = os.stat(server.ctl)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    echo = peers.echo()
    proc, rport, lport = tunnels(client, procs, server, echo)

    # One -L connection held open: one channel on the session.
    held = socket.create_connection(("127.0.0.1", lport), timeout=30)
    held.sendall(b"ping")
    assert held.recv(4) == b"ping"
    doc = harness.poll(
        lambda: (lambda d: d if d["sessions"] and
                 d["sessions"][0]["channels"] == 1 else None)(
                     status_json(bins, server)),
        30, "the held -L channel in aditd status")

    assert doc["program"] == "aditd"
    assert doc["pid"] == server.proc.pid
    assert doc["listeners"] == [{"address": "127.0.0.1",
                                 "port": server.port}]
    assert doc["preauth"] == 0
    assert len(doc["sessions"]) == 1
    s = doc["sessions"][0]
    assert s["id"] >= 1
    assert s["user"] == home.user
    assert s["key"] == fingerprint(home.key)
    assert s["source"] == {"address": "127.0.0.1",
                           "port": login_port(server, home.user)}
    assert t0 - 1 <= s["since_unix"] <= int(time.time()) + 1
    assert s["since"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                       time.gmtime(s["since_unix"]))
    assert s["bytes_in"] > 0 and s["bytes_out"] > 0
    assert s["channels"] == 1
    assert s["forwards"] == [{"type": "tcpip", "listen": "localhost",
                              "port": rport}]
    assert s["endpoints"] == [{"name": "svc-1", "port": 7}]
    assert doc["totals"]["logins"] == 1
    assert doc["totals"]["connections"] >= 1
    held.close()

    # 100 kB each way through -L: the session's counters grow with it.
    echo_once(lport, harness.payload_of(100000, seed=9))
    after = harness.poll(
        lambda: (lambda d: d if d["sessions"][0]["bytes_in"] >=
                 s["bytes_in"] + 100000 and d["sessions"][0]["bytes_out"] >=
                 s["bytes_out"] + 100000 else None)(status_json(bins, server)),
        30, "bytes of the -L transfer in aditd status")
    assert after["sessions"][0]["id"] == s["id"]

    # The table, through -S.
    text = aditd_status(bins, "-S", server.ctl)
    lines = text.splitlines()
    assert lines[0] == ("1 session, 1 forward, 1 named endpoint, "
                        "1 listener")
    assert lines[1].split() == ["ID", "USER", "KEY", "FROM", "SINCE", "IN",
                                "OUT", "CHANNELS", "FORWARDS"]
    row = lines[2].split()
    assert row[1:4] == [home.user, s["key"], "127.0.0.1:%d"
                        % s["source"]["port"]]
    assert sorted(row[8:]) == sorted(["localhost:%d" % rport,
                                      "name:svc-1:7"])

    # The protocol itself, as socat would speak it: "check" answers the
    # pid, another version is refused naming ours.
    pid = str(server.proc.pid).encode() + b"\n"
    assert ctl_exchange(server.ctl, b"ADIT-CTL/1 check\n") == (
        b"ADIT-CTL/1 ok %d\n" % len(pid)) + pid
    assert ctl_exchange(server.ctl, b"ADIT-CTL/9 status\n").startswith(
        b"ADIT-CTL/1 error ")

    # The session ends: it leaves the list, its bytes stay in the totals.
    proc.stop()
    end = harness.poll(
        lambda: (lambda d: d if not d["sessions"] else None)(
            status_json(bins, server)), 30, "the session to leave the list")
    assert end["totals"]["logins"] == 1
    assert end["totals"]["bytes_in"] >= after["sessions"][0]["bytes_in"]


def test_status_peer_strings(bins, aditd, home, tmp_path):
    """A user name is the client's to choose (the key decides): quotes,
    backslashes, an ESC sequence and non-ASCII sent by paramiko come back
    exact in the JSON and escaped in the table, never raw on a terminal."""
    paramiko = pytest.importorskip("paramiko")
    server = status_server(aditd, tmp_path, home)
    weird = 'we"ird\\name\x1b[2J\u00e9\u2028'
    t = paramiko.Transport(("127.0.0.1", server.port))
    try:
        t.connect(username=weird,
                  pkey=paramiko.Ed25519Key.from_private_key_file(home.key))
        raw = subprocess.run([bins.aditd, "status", "--json", "-S",
                              server.ctl], capture_output=True, timeout=60,
                             stdin=subprocess.DEVNULL).stdout
        assert b"\x1b" not in raw and b"\xe2\x80\xa8" not in raw
        assert b"\\u001b" in raw and b"\\u2028" in raw
        doc = json.loads(raw)
        assert [x["user"] for x in doc["sessions"]] == [weird]
        table = subprocess.run([bins.aditd, "status", "-S", server.ctl],
                               capture_output=True, timeout=60,
                               stdin=subprocess.DEVNULL).stdout
        assert b"\x1b" not in table
        assert 'we"ird\\name\\033[2J\u00e9'.encode() in table
    finally:
        t.close()


def test_metrics(bins, client, aditd, procs, peers, home, tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    server = status_server(aditd, tmp_path, home,
                           extra=["ClientAliveInterval 1"])
    echo = peers.echo()
    proc, rport, lport = tunnels(client, procs, server, echo)
    echo_once(lport, b"through -L")
    echo_once(rport, b"through -R")
    # A key aditd does not know: an auth failure, a preauth disconnect.
    r = client.run("ssh", server.port, key=home.stranger_key)
    assert r[0] == 255

    head, body = scrape(server.metrics_port)
    assert head.startswith("HTTP/1.0 200 OK\r\n")
    assert "Content-Type: text/plain; version=0.0.4; charset=utf-8" in head
    assert "Content-Length: %d" % len(body.encode()) in head
    samples, types = parse_metrics(body)
    assert types["aditd_sessions"] == "gauge"
    assert metric(samples, "aditd_sessions") == 1
    assert metric(samples, "aditd_connections_total") >= 2
    assert metric(samples, "aditd_logins_total") == 1
    assert metric(samples, "aditd_auth_failures_total") >= 1
    assert metric(samples, "aditd_preauth_disconnects_total") >= 1
    assert metric(samples, "aditd_listeners") == 1
    assert metric(samples, "aditd_forwards", type="tcpip") == 1
    assert metric(samples, "aditd_forwards", type="name") == 1
    assert metric(samples, "aditd_forwards", type="streamlocal") == 0
    assert metric(samples, "aditd_channel_opens_total",
                  type="direct-tcpip") >= 1
    assert metric(samples, "aditd_channel_opens_total",
                  type="forwarded-tcpip") >= 1
    assert metric(samples, "aditd_received_bytes_total") > 0
    assert metric(samples, "aditd_sent_bytes_total") > 0
    assert abs(metric(samples, "aditd_start_time_seconds")
               - time.time()) < 600

    # A -L to a port nobody listens on: counted as a failed direct-tcpip
    # once the client has tried it.
    dead = harness.closed_port()
    bad = procs.start("ssh", ssh_argv(
        client, server, lfwds=["127.0.0.1:%d:127.0.0.1:%d"
                               % (harness.free_port(), dead)]))
    lp = int(bad.argv[bad.argv.index("-L") + 1].split(":")[1])
    harness.wait_listening(bad, lp)
    with socket.create_connection(("127.0.0.1", lp), timeout=30) as s:
        assert harness.recv_all(s) == b""

    def failed():
        samples, _ = parse_metrics(scrape(server.metrics_port)[1])
        return metric(samples, "aditd_channel_open_failures_total",
                      type="direct-tcpip") >= 1
    harness.poll(failed, 30, "a failed direct-tcpip in the metrics")

    # The same key again with the same -R: aditd hands the port over (a
    # client that reconnected), counted as a takeover. ssh -N is idle: its
    # answer to ClientAlive gives the round trip.
    assert metric(samples, "aditd_takeovers_total") == 0
    again = procs.start("ssh", ssh_argv(
        client, server, rfwds=["%d:127.0.0.1:%d" % (rport, echo.port)]))

    def taken_and_timed():
        samples, types = parse_metrics(scrape(server.metrics_port)[1])
        assert types["aditd_keepalive_rtt_max_seconds"] == "gauge"
        rtt = samples.get(("aditd_keepalive_rtt_max_seconds", frozenset()))
        return (metric(samples, "aditd_takeovers_total") == 1
                and rtt is not None and 0 <= rtt < 30)
    harness.poll(taken_and_timed, 60, "a takeover and a keepalive round "
                 "trip in the metrics")
    echo_once(rport, b"through the new -R")
    again.stop()

    assert scrape(server.metrics_port, "/")[0].startswith(
        "HTTP/1.0 404 Not Found")
    assert scrape(server.metrics_port, method="POST")[0].startswith(
        "HTTP/1.0 405 Method Not Allowed")
    assert proc.alive()


def test_metrics_loopback_only(bins, tmp_path):
    """aditd -t refuses a MetricsAddress that is not loopback."""
    r = subprocess.run([bins.aditd, "-t", "-f", "/dev/null", "-o",
                        "MetricsAddress=0.0.0.0:9187"], capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert "metrics are served on loopback only" in r.stderr


class NotifySocket:
    """A datagram socket bound where NOTIFY_SOCKET points, as systemd's."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.seen = []

    def expect(self, pred, timeout, what):
        """Read messages until pred(message) holds; return it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no %s in %r" % (what, self.seen))
            self.sock.settimeout(left)
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            self.seen.append(msg)
            if pred(msg):
                return msg

    def close(self):
        self.sock.close()


def test_sd_notify(bins, client, aditd, procs, peers, home, tmp_path):
    ns = NotifySocket(os.path.join(str(tmp_path), "notify"))
    env = dict(home.env, NOTIFY_SOCKET=ns.path, WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    try:
        server = status_server(aditd, tmp_path, home, env=env)
        ready = ns.expect(lambda m: "READY=1" in m, 30, "READY=1")
        assert ready.split("\n") == [
            "READY=1", "STATUS=0 sessions, 0 forwards, 0 named endpoints, "
            "1 listener"]
        # WatchdogSec=1s: pings every half second or sooner.
        for _ in range(2):
            ns.expect(lambda m: m == "WATCHDOG=1", 10, "WATCHDOG=1")

        echo = peers.echo()
        tunnels(client, procs, server, echo)
        ns.expect(lambda m: m == "STATUS=1 session, 1 forward, 1 named "
                  "endpoint, 1 listener", 30, "STATUS= with the session")

        # SIGHUP with a good file: RELOADING=1 with the time, then READY.
        os.kill(server.proc.pid, signal.SIGHUP)
        rel = ns.expect(lambda m: m.startswith("RELOADING=1"), 30,
                        "RELOADING=1")
        assert re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=\d+", rel), rel
        ns.expect(lambda m: m.startswith("READY=1"), 30, "READY=1 again")
        harness.wait_log(server.proc, "Reloaded the configuration")

        # A file that does not load: the old configuration is kept, and
        # systemd still hears RELOADING=1 ... READY=1.
        with open(server.config, "a") as f:
            f.write("NoSuchKeyword yes\n")
        os.kill(server.proc.pid, signal.SIGHUP)
        ns.expect(lambda m: m.startswith("RELOADING=1"), 30, "RELOADING=1")
        ns.expect(lambda m: m.startswith("READY=1"), 30, "READY=1 again")
        harness.wait_log(server.proc, "Bad configuration option: "
                         "NoSuchKeyword")
        harness.wait_log(server.proc, "the running configuration is kept")
        assert server.proc.alive()

        server.proc.stop()
        ns.expect(lambda m: m == "STOPPING=1", 30, "STOPPING=1")
    finally:
        ns.close()


def test_reload_new_connections(bins, client, aditd, procs, peers, home,
                                tmp_path):
    """SIGHUP: new connections get the new configuration (here
    PermitListen none), the running one keeps its forward."""
    server = status_server(aditd, tmp_path, home)
    echo = peers.echo()
    port = harness.free_port()
    first = start_rfwd(client, procs, server, "%d:127.0.0.1:%d"
                       % (port, echo.port))
    harness.wait_listening(first, port)
    with open(server.config, "a") as f:
        f.write("PermitListen none\n")
    os.kill(server.proc.pid, signal.SIGHUP)
    harness.wait_log(server.proc, "Reloaded the configuration")
    second = start_rfwd(client, procs, server, "%d:127.0.0.1:%d"
                        % (harness.free_port(), echo.port),
                        opts=["ExitOnForwardFailure=yes"])
    assert second.wait(60) == 255
    echo_once(port, b"the first session keeps its forward")
    doc = status_json(bins, server)
    assert [s["forwards"] for s in doc["sessions"]] == [
        [{"type": "tcpip", "listen": "localhost", "port": port}]]


def test_socket_activation(bins, client, procs, peers, home, tmp_path):
    """aditd takes its listening socket from systemd-socket-activate
    (LISTEN_FDS/LISTEN_PID): the configured Port is not bound."""
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        pytest.skip("systemd-socket-activate is not installed")
    bins.require("aditd")
    d = str(tmp_path)
    unused = harness.free_port()
    cfg = os.path.join(d, "aditd_config")
    with open(cfg, "w") as f:
        f.write("ListenAddress 127.0.0.1\nPort %d\nHostKey %s\n"
                "AuthorizedKeysFile %s\nLogLevel VERBOSE\n"
                % (unused, os.path.join(d, "hostkey"),
                   home.authorized_keys))
    port = harness.free_port()
    proc = procs.start("aditd", [activate, "-l", "127.0.0.1:%d" % port,
                                 bins.aditd, "-D", "-f", cfg])
    harness.wait_listening(proc, port)
    echo = peers.echo()

    class Server:
        pass
    server = Server()
    server.port = port
    rport = harness.free_port()
    ssh = start_rfwd(client, procs, server, "%d:127.0.0.1:%d"
                     % (rport, echo.port))
    harness.wait_listening(ssh, rport)
    echo_once(rport, harness.payload_of(50000, seed=4))
    harness.wait_log(proc, "Server listening on 127.0.0.1 port %d (socket "
                     "activation)." % port)
    assert not harness.port_open(unused)


def test_control_socket_peer(bins, aditd, home, tmp_path):
    """Only aditd's own uid (or root) is answered, even when the socket's
    mode would let others in; a stale socket file is replaced."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to connect as another user")
    d = tempfile.mkdtemp(prefix="adit-ctl-", dir="/tmp")
    try:
        os.chmod(d, 0o711)
        ctl = os.path.join(d, "ctl")
        # A socket file nobody listens on: replaced at start.
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(ctl)
        stale.close()
        server = aditd.start(extra=["ControlSocket " + ctl])
        assert "1 listener" in aditd_status(bins, "-S", ctl)
        os.chmod(ctl, 0o666)
        # Closed without an answer: an empty read, or a reset when the
        # request was still unread.
        probe = ("import socket\ns = socket.socket(socket.AF_UNIX)\n"
                 "s.settimeout(20)\ns.connect(%r)\n"
                 "try:\n s.sendall(b'ADIT-CTL/1 status\\n')\n"
                 " print(repr(s.recv(100)))\n"
                 "except (ConnectionResetError, BrokenPipeError):\n"
                 " print(repr(b''))\n" % ctl)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", "/usr/bin/python3", "-c",
                            probe], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "b''"
        harness.wait_log(server.proc, "control socket: connection from uid "
                         "65534 refused")
        server.proc.stop()
        assert not os.path.exists(ctl)
    finally:
        shutil.rmtree(d, ignore_errors=True)


INSTALLED = [
    "usr/bin/adit",
    "usr/lib/systemd/system/adit@.service",
    "usr/lib/systemd/system/aditd.service",
    "usr/lib/systemd/system/aditd.socket",
    "usr/lib/sysusers.d/adit.conf",
    "usr/lib/sysusers.d/aditd.conf",
    "usr/sbin/aditd",
    "usr/share/man/man1/adit.1",
    "usr/share/man/man5/aditd_config.5",
    "usr/share/man/man8/aditd.8",
]


def test_make_install(bins, tmp_path):
    """make install PREFIX=/usr DESTDIR=...: binaries, man pages that
    render without warnings, units that name the installed binaries and
    pass systemd-analyze verify."""
    bins.require("adit", "aditd")
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dest = str(tmp_path / "stage")
    r = subprocess.run(["make", "-C", TOP, "install", "BUILD=" + bins.build,
                        "PREFIX=/usr", "DESTDIR=" + dest],
                       capture_output=True, text=True, timeout=900,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    found = sorted(os.path.relpath(os.path.join(p, f), dest)
                   for p, _, files in os.walk(dest) for f in files)
    assert found == INSTALLED
    for exe in ("usr/bin/adit", "usr/sbin/aditd"):
        assert os.access(os.path.join(dest, exe), os.X_OK)
    units = os.path.join(dest, "usr/lib/systemd/system")
    with open(os.path.join(units, "aditd.service")) as f:
        assert "ExecStart=/usr/sbin/aditd -D -f /etc/adit/aditd_config" \
            in f.read()
    with open(os.path.join(units, "adit@.service")) as f:
        assert "ExecStart=/usr/bin/adit -N -F /etc/adit/%i.conf" in f.read()
    if shutil.which("groff"):
        for page in INSTALLED[-3:]:
            g = subprocess.run(["groff", "-man", "-Tutf8", "-ww",
                                os.path.join(dest, page)],
                               capture_output=True, text=True, timeout=60)
            assert g.returncode == 0 and g.stderr == "", (page, g.stderr)
            assert len(g.stdout) > 500
    # systemd-analyze verify (package systemd, in install-deps.sh): only
    # its absence skips, and then after everything else was checked.
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: units not verified")
    # The units as installed, with the binaries where DESTDIR put
    # them, so verify can check that ExecStart= is executable.
    check = str(tmp_path / "units")
    os.makedirs(check)
    for u in ("adit@.service", "aditd.service", "aditd.socket"):
        with open(os.path.join(units, u)) as f:
            text = f.read().replace("=/usr/", "=" + dest + "/usr/")
        with open(os.path.join(check, u), "w") as f:
            f.write(text)
    v = subprocess.run(["systemd-analyze", "verify", "--man=no"]
                       + [os.path.join(check, u) for u in
                          ("adit@.service", "aditd.service",
                           "aditd.socket")],
                       capture_output=True, text=True, timeout=120)
    assert v.returncode == 0 and v.stderr.strip() == "", v.stderr
