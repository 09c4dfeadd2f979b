# SPDX-License-Identifier: ISC
"""Hostile peers (issue 7): a raw SSH client (rawssh.py) attacks aditd, each
attack in its own connection, and a fake server attacks adit.

After every attack on aditd: the same aditd process is still up, a real
`ssh -N -L` logs in through it and carries data byte for byte, and aditd's
VmRSS stayed under RSS_LIMIT_KIB (ASAN_RSS_LIMIT_KIB for a sanitizer
build, whose shadow memory and quarantine cost more). Where aditd answers
with a DISCONNECT, its reason code is checked too.
"""
import os
import socket
import threading
import time

import pytest

import harness
import rawssh
from fwdhelp import echo_through
from rawssh import RawSsh, boolean, frame, kexinit_payload, string, u32

# aditd's resident set after any attack, in KiB. The worst case here is
# the client that stops reading: the connection's output queue stops
# reading at 8 MiB (LIM_OUTQ_HIGHWATER), a channel at 4 MiB, and aditd
# then measured about 15 MiB (35 MiB under ASan).
RSS_LIMIT_KIB = 64 * 1024
ASAN_RSS_LIMIT_KIB = 256 * 1024

PROTOCOL_ERROR = 2
KEY_EXCHANGE_FAILED = 3
MAC_ERROR = 5
COMPRESSION_ERROR = 6
GRACE_SECONDS = 3


def rss_limit(bins):
    with open(bins.aditd, "rb") as f:
        asan = b"__asan_init" in f.read()
    return ASAN_RSS_LIMIT_KIB if asan else RSS_LIMIT_KIB


@pytest.fixture
def target(aditd, home, bins):
    """An aditd for one attack, with a short LoginGraceTime (slowloris)."""
    server = aditd.start(extra=["LoginGraceTime %d" % GRACE_SECONDS])
    server.pid = server.proc.pid
    server.key = rawssh.load_ed25519(home.key)
    server.stranger_key = rawssh.load_ed25519(home.stranger_key)
    server.user = home.user
    server.rss_limit = rss_limit(bins)
    return server


def check_healthy(server, client, peers):
    """aditd is the same process, under its memory bound, and a real ssh
    login through it forwards data."""
    assert server.proc.alive(), server.proc.describe()
    assert server.proc.pid == server.pid
    rss = rawssh.vm_rss_kib(server.pid)
    assert rss < server.rss_limit, "aditd VmRSS %d KiB" % rss
    echo = peers.echo()
    proc, lport = client.tunnel("ssh", server, echo.port)
    echo_through(lport)
    proc.stop()
    assert server.proc.alive(), server.proc.describe()
    rss = rawssh.vm_rss_kib(server.pid)
    assert rss < server.rss_limit, "aditd VmRSS %d KiB" % rss


def closed_by_server(c):
    """The server hangs up (within the socket timeout)."""
    assert c.read_until_closed(), "aditd kept the connection open"


def disconnected(c, reason, text=None):
    """The server's DISCONNECT has this reason (and text in it)."""
    d = c.expect_disconnect()
    assert d is not None, "no DISCONNECT before the connection closed"
    assert d[0] == reason, d
    if text is not None:
        assert text in d[1], d
    closed_by_server(c)


def flood(c, payload, n):
    """Send payload n times; the server may hang up part way."""
    try:
        for _ in range(n):
            c.send(payload)
    except OSError:
        pass


def plain_prefix(c):
    """Version lines exchanged, nothing else."""
    c.send_version()
    c.read_version()


def authed(c, server):
    assert c.login(server.user, server.key)


# --- the version line and packet framing -----------------------------------

def attack_garbage_version(c, server):
    c.send_raw(bytes(range(256)) * 64)
    closed_by_server(c)


def attack_long_version(c, server):
    c.send_raw(b"SSH-2.0-" + b"A" * 300000)
    closed_by_server(c)


def attack_prelines(c, server):
    # Only a server may send lines before its version (RFC 4253 4.2).
    c.send_raw(b"hello\r\n" * 2000)
    closed_by_server(c)


def attack_huge_packet_length(c, server):
    plain_prefix(c)
    c.send_raw(u32(0xffffffff) + b"\x04" + b"\0" * 64)
    disconnected(c, PROTOCOL_ERROR)


def attack_tiny_packet_length(c, server):
    plain_prefix(c)
    c.send_raw(u32(1) + b"\x00" + b"\0" * 64)
    disconnected(c, PROTOCOL_ERROR)


def attack_padding_too_long(c, server):
    plain_prefix(c)
    # padding_length 200 in a 12-byte packet.
    c.send_raw(u32(12) + bytes([200]) + b"\x02" + b"\0" * 10)
    disconnected(c, PROTOCOL_ERROR)


def attack_padding_too_short(c, server):
    plain_prefix(c)
    c.send(bytes([rawssh.MSG_IGNORE]) + string(b"x" * 8), pad_len=1)
    disconnected(c, PROTOCOL_ERROR)


def attack_bad_mac(c, server):
    c.kex()
    c.send(bytes([rawssh.MSG_SERVICE_REQUEST]) + string("ssh-userauth"),
           bad_mac=True)
    disconnected(c, MAC_ERROR)


def attack_bad_length_encrypted(c, server):
    c.kex()
    # An encrypted length of 2^31: the first block decrypts to nonsense.
    pkt = u32(0x80000000) + b"\x04" + b"\0" * 11
    c.send_packet_bytes(pkt)
    disconnected(c, PROTOCOL_ERROR)


# --- key exchange ------------------------------------------------------------

def attack_kexinit_flood(c, server):
    plain_prefix(c)
    flood(c, kexinit_payload(), 200)
    disconnected(c, PROTOCOL_ERROR, "unexpected message 20")


def attack_rekey_kexinit_flood(c, server):
    authed(c, server)
    flood(c, kexinit_payload(), 50)
    disconnected(c, PROTOCOL_ERROR, "unexpected message 20")


def attack_no_common_algorithm(c, server):
    plain_prefix(c)
    lists = list(rawssh.LISTS)
    lists[2] = lists[3] = "rot13-cbc"
    c.send(kexinit_payload(lists))
    disconnected(c, KEY_EXCHANGE_FAILED)


def attack_huge_namelist(c, server):
    plain_prefix(c)
    lists = list(rawssh.LISTS)
    lists[0] = ",".join("kex%d" % i for i in range(20000))
    c.send(kexinit_payload(lists))
    disconnected(c, PROTOCOL_ERROR)


def attack_ignore_in_strict_kex(c, server):
    # Terrapin: nothing may come between KEXINIT and NEWKEYS.
    plain_prefix(c)
    c.send(kexinit_payload())
    c.send(bytes([rawssh.MSG_IGNORE]) + string(""))
    disconnected(c, PROTOCOL_ERROR, "strict KEX violation")


def attack_newkeys_first(c, server):
    plain_prefix(c)
    c.send(bytes([rawssh.MSG_NEWKEYS]))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 21")


def attack_ecdh_before_kexinit(c, server):
    plain_prefix(c)
    c.send(bytes([rawssh.MSG_KEX_ECDH_INIT]) + string(b"\x09" * 32))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 30")


def attack_userauth_before_kex(c, server):
    plain_prefix(c)
    c.send(bytes([rawssh.MSG_USERAUTH_REQUEST]) + string(server.user)
           + string("ssh-connection") + string("none"))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 50")


# --- authentication and the connection protocol -----------------------------

def attack_userauth_success_from_client(c, server):
    c.kex()
    c.service_request()
    c.send(bytes([rawssh.MSG_USERAUTH_SUCCESS]))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 52")


def attack_channel_open_before_auth(c, server):
    c.kex()
    c.service_request()
    c.send(bytes([rawssh.MSG_CHANNEL_OPEN]) + string("direct-tcpip")
           + u32(0) + u32(65536) + u32(32768) + string("127.0.0.1")
           + u32(server.port) + string("127.0.0.1") + u32(1))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 90")


def attack_global_request_before_auth(c, server):
    c.kex()
    c.send(bytes([rawssh.MSG_GLOBAL_REQUEST]) + string("tcpip-forward")
           + boolean(True) + string("127.0.0.1") + u32(0))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 80")


def attack_pre_auth_message_budget(c, server):
    c.kex()
    flood(c, bytes([rawssh.MSG_IGNORE]) + string(""), 1000)
    disconnected(c, PROTOCOL_ERROR, "before authentication")


def attack_userauth_before_service_request(c, server):
    c.kex()
    c.send(bytes([rawssh.MSG_USERAUTH_REQUEST]) + string(server.user)
           + string("ssh-connection") + string("none"))
    disconnected(c, PROTOCOL_ERROR)


def attack_unknown_service(c, server):
    c.kex()
    c.send(bytes([rawssh.MSG_SERVICE_REQUEST]) + string("ssh-connection"))
    disconnected(c, PROTOCOL_ERROR)


def attack_second_service_request(c, server):
    c.kex()
    c.service_request()
    c.send(bytes([rawssh.MSG_SERVICE_REQUEST]) + string("ssh-userauth"))
    disconnected(c, PROTOCOL_ERROR)


def attack_user_changes_mid_auth(c, server):
    c.kex()
    c.service_request()
    c.auth_none(server.user)
    c.send(bytes([rawssh.MSG_USERAUTH_REQUEST]) + string(server.user + "x")
           + string("ssh-connection") + string("none"))
    disconnected(c, PROTOCOL_ERROR)


def attack_password_and_kbdint(c, server):
    """aditd is public key only: password and keyboard-interactive get
    FAILURE "publickey" (no INFO_REQUEST, no PASSWD_CHANGEREQ)."""
    c.kex()
    c.service_request()
    c.auth_none(server.user)
    for method, rest in (("password", boolean(False) + string("x")),
                         ("keyboard-interactive", string("") + string(""))):
        c.send(bytes([rawssh.MSG_USERAUTH_REQUEST]) + string(server.user)
               + string("ssh-connection") + string(method) + rest)
        reply = c.recv()
        assert reply == (bytes([rawssh.MSG_USERAUTH_FAILURE])
                         + string("publickey") + boolean(False)), reply


def attack_info_response_unasked(c, server):
    """INFO_RESPONSE (61) goes to a server only after its INFO_REQUEST,
    which aditd never sends: a protocol error, before and after login."""
    c.kex()
    c.service_request()
    c.send(bytes([rawssh.MSG_USERAUTH_INFO_RESPONSE]) + u32(1)
           + string("secret"))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 61")


def attack_info_request_from_client(c, server):
    """60 is server-to-client only (PK_OK, PASSWD_CHANGEREQ,
    INFO_REQUEST)."""
    c.kex()
    c.service_request()
    c.send(bytes([rawssh.MSG_USERAUTH_INFO_REQUEST]) + string("")
           + string("") + string("") + u32(0))
    disconnected(c, PROTOCOL_ERROR, "unexpected message 60")


def refused(reply):
    assert reply[0] == rawssh.MSG_USERAUTH_FAILURE, reply


def attack_query_one_key_sign_another(c, server):
    """Rights come from the key that signed, not the one asked about."""
    c.kex()
    c.service_request()
    assert c.auth_query(server.user, server.key)[0] == \
        rawssh.MSG_USERAUTH_PK_OK
    refused(c.auth_signed(server.user, server.stranger_key))


def attack_authorized_blob_foreign_signature(c, server):
    c.kex()
    c.service_request()
    refused(c.auth_signed(server.user, server.stranger_key,
                          blob_key=server.key))


def attack_signature_for_another_session(c, server):
    c.kex()
    c.service_request()
    refused(c.auth_signed(server.user, server.key, session_id=b"\0" * 32))


def attack_channel_data_unknown_id(c, server):
    authed(c, server)
    c.send(bytes([rawssh.MSG_CHANNEL_DATA]) + u32(4242) + string(b"x" * 100))
    disconnected(c, PROTOCOL_ERROR)


def attack_decompression_bomb(c, server):
    """4 MiB of zeros in one compressed packet of a few KiB."""
    lists = list(rawssh.LISTS)
    lists[6] = lists[7] = "zlib@openssh.com"
    assert c.login(server.user, server.key, lists)
    assert c.deflate is not None, "aditd did not agree to zlib@openssh.com"
    c.send(bytes([rawssh.MSG_IGNORE]) + string(b"\0" * (4 << 20)))
    disconnected(c, COMPRESSION_ERROR, "inflates to more than")


def attack_window_adjust_overflow(c, server, peers):
    authed(c, server)
    echo = peers.echo()
    sid = c.open_direct("127.0.0.1", echo.port)
    for _ in range(2):
        c.send(bytes([rawssh.MSG_CHANNEL_WINDOW_ADJUST]) + u32(sid)
               + u32(0xffffffff))
    disconnected(c, PROTOCOL_ERROR)


def attack_late_userauth_request(c, server, peers):
    """Not an attack that should fail: RFC 4252 5.1 says a request after
    success is ignored, and the connection goes on."""
    authed(c, server)
    c.send(bytes([rawssh.MSG_USERAUTH_REQUEST]) + string(server.user)
           + string("ssh-connection") + string("none"))
    echo = peers.echo()
    sid = c.open_direct("127.0.0.1", echo.port)
    c.send(bytes([rawssh.MSG_CHANNEL_DATA]) + u32(sid) + string(b"ping"))
    got = b""
    while len(got) < 4:
        p = c.recv(skip=(rawssh.MSG_IGNORE, rawssh.MSG_GLOBAL_REQUEST,
                         rawssh.MSG_CHANNEL_WINDOW_ADJUST))
        if p[0] == rawssh.MSG_CHANNEL_DATA:
            got += rawssh.Reader(p[5:]).string()
    assert got == b"ping"


MSG_CHANNEL_REQUEST, MSG_CHANNEL_SUCCESS, MSG_CHANNEL_FAILURE = 98, 99, 100
SESSION_REQUESTS = [
    ("exec", string("id")),
    ("shell", b""),
    ("subsystem", string("sftp")),
    ("pty-req", string("xterm") + u32(80) + u32(24) + u32(0) + u32(0)
     + string(b"\0")),
    ("env", string("LANG") + string("C")),
]


def channel_answer(c, chan):
    """The next CHANNEL_SUCCESS or CHANNEL_FAILURE (for our channel)."""
    while True:
        p = c.recv(skip=(rawssh.MSG_IGNORE, rawssh.MSG_DEBUG,
                         rawssh.MSG_GLOBAL_REQUEST,
                         rawssh.MSG_CHANNEL_WINDOW_ADJUST))
        if p[0] in (MSG_CHANNEL_SUCCESS, MSG_CHANNEL_FAILURE):
            assert rawssh.Reader(p[1:]).u32() == chan, p
            return p[0]
        assert p[0] not in (rawssh.MSG_CHANNEL_DATA, rawssh.MSG_CHANNEL_EOF,
                            rawssh.MSG_CHANNEL_CLOSE), \
            "the direct-tcpip channel got a session's answer: %r" % p


def attack_session_request_on_direct_channel(c, server, peers):
    """exec, shell, subsystem, pty-req and env on a direct-tcpip channel
    each get CHANNEL_FAILURE, never the session's line, exit status and
    close; the channel goes on carrying data."""
    authed(c, server)
    echo = peers.echo()
    sid = c.open_direct("127.0.0.1", echo.port)
    for name, data in SESSION_REQUESTS:
        c.send(bytes([MSG_CHANNEL_REQUEST]) + u32(sid) + string(name)
               + boolean(True) + data)
        assert channel_answer(c, 0) == MSG_CHANNEL_FAILURE, name
    c.send(bytes([rawssh.MSG_CHANNEL_DATA]) + u32(sid) + string(b"ping"))
    got = b""
    while len(got) < 4:
        p = c.recv(skip=(rawssh.MSG_IGNORE, rawssh.MSG_GLOBAL_REQUEST,
                         rawssh.MSG_CHANNEL_WINDOW_ADJUST))
        assert p[0] == rawssh.MSG_CHANNEL_DATA, p
        got += rawssh.Reader(p[5:]).string()
    assert got == b"ping"


ATTACKS = [
    attack_garbage_version, attack_long_version, attack_prelines,
    attack_huge_packet_length, attack_tiny_packet_length,
    attack_padding_too_long, attack_padding_too_short, attack_bad_mac,
    attack_bad_length_encrypted, attack_kexinit_flood,
    attack_rekey_kexinit_flood, attack_no_common_algorithm,
    attack_huge_namelist, attack_ignore_in_strict_kex, attack_newkeys_first,
    attack_ecdh_before_kexinit, attack_userauth_before_kex,
    attack_userauth_success_from_client, attack_channel_open_before_auth,
    attack_global_request_before_auth, attack_pre_auth_message_budget,
    attack_userauth_before_service_request, attack_unknown_service,
    attack_second_service_request, attack_user_changes_mid_auth,
    attack_password_and_kbdint, attack_info_response_unasked,
    attack_info_request_from_client,
    attack_query_one_key_sign_another,
    attack_authorized_blob_foreign_signature,
    attack_signature_for_another_session,
    attack_channel_data_unknown_id, attack_decompression_bomb,
]

ATTACKS_WITH_PEERS = [attack_window_adjust_overflow,
                      attack_late_userauth_request,
                      attack_session_request_on_direct_channel]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda f: f.__name__[7:])
def test_attack(attack, target, client, peers):
    with RawSsh(target.port) as c:
        attack(c, target)
    check_healthy(target, client, peers)


@pytest.mark.parametrize("attack", ATTACKS_WITH_PEERS,
                         ids=lambda f: f.__name__[7:])
def test_attack_channel(attack, target, client, peers):
    with RawSsh(target.port) as c:
        attack(c, target, peers)
    check_healthy(target, client, peers)


# --- resources ---------------------------------------------------------------

class EndlessSource:
    """A TCP peer that writes until the far end stops taking data, and
    counts what the kernel accepted."""

    def __init__(self):
        self.sent = 0
        self.chunk = b"z" * 65536

    def __call__(self, conn):
        conn.settimeout(1.0)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                self.sent += conn.send(self.chunk)
            except socket.timeout:
                continue
            except OSError:
                return


def wait_stalled(source, timeout=120.0, quiet=2.0):
    """Wait until source.sent stops growing for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if source.sent != last:
            last, since = source.sent, time.monotonic()
        elif time.monotonic() - since >= quiet and last > 0:
            return last
        time.sleep(0.1)
    raise AssertionError("the source never stalled: aditd kept reading "
                         "(%d bytes)" % source.sent)


def test_client_stops_reading(target, client, peers):
    """A client with a 4 GiB window that never reads: aditd stops reading
    the target once its queue is full instead of buffering without end."""
    source = EndlessSource()
    src = peers.start(source)
    with RawSsh(target.port) as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        authed(c, target)
        c.open_direct("127.0.0.1", src.port, window=0xffffffff)
        stalled = wait_stalled(source)
        rss = rawssh.vm_rss_kib(target.pid)
        print("source stalled after %d bytes; aditd VmRSS %d KiB"
              % (stalled, rss))
        assert rss < target.rss_limit, "aditd VmRSS %d KiB" % rss
        # Far less than the window reached aditd's queue.
        assert stalled < 256 * 1024 * 1024
    check_healthy(target, client, peers)


# LIM_CONN_WINDOWS and LIM_CHAN_PACKET (src/util/adit_limits.h).
CONN_WINDOWS = 64 * 1024 * 1024
CHAN_PACKET = 32 * 1024
HOARD_CHANNELS = 300


def test_many_channels_into_a_target_that_never_reads(target, client,
                                                       peers):
    """Each channel's window is data a peer may park in aditd by sending
    it to a target that does not read: 300 channels of 2 MiB would be
    600 MB. The connection's windows together stay within LIM_CONN_WINDOWS
    plus one packet per channel, and aditd holds what it granted."""
    release = threading.Event()
    # What aditd may hold here is the budget itself, on top of the usual
    # bound (freed, it need not go back to the system at once).
    target.rss_limit += CONN_WINDOWS // 1024

    def never_reads(conn):
        release.wait(120)

    sink = peers.start(never_reads)
    try:
        with RawSsh(target.port) as c:
            authed(c, target)
            windows = []
            for i in range(HOARD_CHANNELS):
                windows.append((c.open_direct("127.0.0.1", sink.port,
                                              chan=i), c.peer_window))
            granted = sum(w for _, w in windows)
            print("%d channels, %d bytes of window granted"
                  % (len(windows), granted))
            assert granted <= CONN_WINDOWS + HOARD_CHANNELS * CHAN_PACKET
            for sid, w in windows:
                while w > 0:
                    n = min(w, CHAN_PACKET)
                    c.send(bytes([rawssh.MSG_CHANNEL_DATA]) + u32(sid)
                           + string(b"h" * n))
                    w -= n
            # aditd has read it all once it answers a global request.
            c.send(bytes([rawssh.MSG_GLOBAL_REQUEST]) + string("x@rawssh")
                   + boolean(True))
            while c.recv(skip=(rawssh.MSG_IGNORE,
                               rawssh.MSG_CHANNEL_WINDOW_ADJUST))[0] != 82:
                pass
            rss = rawssh.vm_rss_kib(target.pid)
            print("aditd VmRSS %d KiB" % rss)
            assert rss < target.rss_limit, rss
    finally:
        release.set()
    check_healthy(target, client, peers)


def test_slowloris(target, client, peers):
    """One byte a second: LoginGraceTime ends it, and meanwhile others log
    in."""
    line = b"SSH-2.0-slowloris_" + b"x" * 200 + b"\r\n"
    start = time.monotonic()
    closed = False
    with RawSsh(target.port) as c:
        c.sock.settimeout(1.0)
        for i in range(len(line)):
            try:
                c.send_raw(line[i:i + 1])
                if c.sock.recv(65536) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
            if time.monotonic() - start > GRACE_SECONDS + 60:
                break
    elapsed = time.monotonic() - start
    print("slowloris ended after %.1fs (LoginGraceTime %ds)"
          % (elapsed, GRACE_SECONDS))
    assert closed, "aditd kept a one-byte-a-second client for %.0fs" % elapsed
    assert elapsed >= GRACE_SECONDS - 1
    check_healthy(target, client, peers)


def test_unauthenticated_flood(aditd, home, bins, client, peers):
    """Hundreds of connections that never authenticate, held open while a
    real user logs in. MaxStartups and PerSourcePenalties (sshd's defaults,
    which would drop the flood and then the user) are lifted here: this is
    about what aditd holds, not about its admission limits."""
    target = aditd.start(extra=["MaxStartups 1000",
                                "PerSourceMaxStartups none",
                                "PerSourcePenalties no"])
    target.pid = target.proc.pid
    target.rss_limit = rss_limit(bins)
    conns = []
    try:
        for i in range(300):
            s = socket.create_connection(("127.0.0.1", target.port),
                                         timeout=30)
            conns.append(s)
            if i % 2 == 0:
                s.sendall(b"SSH-2.0-flood\r\n")
            if i % 4 == 0:
                s.sendall(frame(kexinit_payload()))
        check_healthy(target, client, peers)
    finally:
        for s in conns:
            s.close()
    check_healthy(target, client, peers)


def banner_ok(port):
    """aditd sends its version line to a new connection (not dropped)."""
    line = harness.read_banner(port)
    return line is not None and line.startswith(b"SSH-2.0-")


def test_unauthenticated_flood_default_limits(target, client, peers):
    """The same flood against MaxStartups' default (10:30:100): aditd
    drops what is over the limit, stays up and small, and once the flood
    has gone a user logs in."""
    conns = []
    try:
        for i in range(300):
            try:
                s = socket.create_connection(("127.0.0.1", target.port),
                                             timeout=30)
                conns.append(s)
                s.sendall(b"SSH-2.0-flood\r\n")
            except OSError:
                pass  # dropped: that is the point
        assert target.proc.alive(), target.proc.describe()
        rss = rawssh.vm_rss_kib(target.pid)
        assert rss < target.rss_limit, rss
    finally:
        for s in conns:
            s.close()
    # Until aditd has seen every close, a new connection may still be
    # dropped at random: wait for a few banners in a row.
    harness.poll(lambda: all(banner_ok(target.port) for _ in range(5)),
                 harness.READY_TIMEOUT, "aditd to accept again")
    check_healthy(target, client, peers)


# --- adit against a hostile server -------------------------------------------
# Each script plays one connection of a fake server (a harness.TcpServer).

def read_some(conn):
    try:
        conn.recv(65536)
    except OSError:
        pass


def server_garbage(conn):
    conn.sendall(os.urandom(4096))


def server_long_version(conn):
    conn.sendall(b"SSH-2.0-" + b"A" * 100000)


def server_no_common_kex(conn):
    conn.sendall(b"SSH-2.0-fake\r\n")
    read_some(conn)
    lists = list(rawssh.LISTS)
    lists[0] = "rot13-kex"
    conn.sendall(frame(kexinit_payload(lists)))
    read_some(conn)


def server_malformed_kexinit(conn):
    conn.sendall(b"SSH-2.0-fake\r\n")
    read_some(conn)
    conn.sendall(frame(bytes([rawssh.MSG_KEXINIT]) + b"\0" * 16
                              + u32(0xfffffff0)))
    read_some(conn)


def server_oversized_packet(conn):
    conn.sendall(b"SSH-2.0-fake\r\n")
    read_some(conn)
    conn.sendall(u32(0x7ffffff0) + b"\x04" + b"\0" * 4096)
    read_some(conn)


def server_success_first(conn):
    conn.sendall(b"SSH-2.0-fake\r\n")
    read_some(conn)
    conn.sendall(frame(bytes([rawssh.MSG_USERAUTH_SUCCESS])))
    read_some(conn)


def keyed(play, between=None):
    """A server script that does a real kex (RawSshServer), then play()."""
    def script(conn):
        srv = rawssh.RawSshServer(conn, timeout=10)
        try:
            srv.kex(between=between)
            if play is not None:
                play(srv)
            srv.expect_disconnect()
        except (rawssh.Closed, ValueError, OSError):
            pass
    return script


def after_service_request(payload, **kw):
    """Wait for the client's SERVICE_REQUEST, answer with payload."""
    def play(srv):
        srv.recv()
        srv.send(payload, **kw)
    return play


server_ignore_in_strict_kex = keyed(
    None, between=lambda s: s.send(bytes([rawssh.MSG_IGNORE]) + string("")))
server_second_kexinit = keyed(
    None, between=lambda s: s.send(kexinit_payload(rawssh.SERVER_LISTS)))
server_success_unasked = keyed(after_service_request(
    bytes([rawssh.MSG_USERAUTH_SUCCESS])))
server_channel_open_before_auth = keyed(after_service_request(
    bytes([rawssh.MSG_CHANNEL_OPEN]) + string("forwarded-tcpip") + u32(0)
    + u32(65536) + u32(32768) + string("127.0.0.1") + u32(1)
    + string("127.0.0.1") + u32(2)))
server_bad_mac = keyed(after_service_request(
    bytes([rawssh.MSG_SERVICE_ACCEPT]) + string("ssh-userauth"),
    bad_mac=True))

def kbdint_then(payload):
    """Answer the client's first keyboard-interactive request with
    payload (an INFO_REQUEST built to hurt)."""
    def play(srv):
        srv.recv()
        srv.send(bytes([rawssh.MSG_SERVICE_ACCEPT]) + string("ssh-userauth"))
        while True:
            r = rawssh.Reader(srv.recv())
            assert r.u8() == rawssh.MSG_USERAUTH_REQUEST
            r.string(), r.string()
            if r.string() == b"keyboard-interactive":
                break
            srv.send(bytes([rawssh.MSG_USERAUTH_FAILURE])
                     + string("keyboard-interactive") + boolean(False))
        srv.send(payload)
    return play


def info_request(n, prompt=b"Password: ", extra=b""):
    return (bytes([rawssh.MSG_USERAUTH_INFO_REQUEST]) + string("")
            + string("") + string("") + u32(n)
            + (string(prompt) + boolean(False)) * min(n, 200) + extra)


server_kbdint_many_prompts = keyed(kbdint_then(info_request(101)))
server_kbdint_huge_count = keyed(kbdint_then(info_request(0xffffffff)))
server_kbdint_truncated = keyed(kbdint_then(info_request(2)[:-3]))
server_kbdint_trailing = keyed(kbdint_then(info_request(1, extra=b"\0")))
server_kbdint_long_prompt = keyed(kbdint_then(info_request(
    1, prompt=b"P" * 5000)))
server_response_unasked = keyed(after_service_request(
    bytes([rawssh.MSG_USERAUTH_INFO_RESPONSE]) + u32(0)))
server_encrypted_length = keyed(lambda srv: (
    srv.recv(), srv.send_packet_bytes(u32(0x80000000) + b"\4" + b"\0" * 11)))

SERVERS = [server_garbage, server_long_version, server_no_common_kex,
           server_malformed_kexinit, server_oversized_packet,
           server_success_first, server_ignore_in_strict_kex,
           server_second_kexinit, server_success_unasked,
           server_channel_open_before_auth, server_bad_mac,
           server_encrypted_length, server_response_unasked]
SERVER_NAMES = ["garbage", "long_version", "no_common_kex",
                "malformed_kexinit", "oversized_packet", "success_first",
                "ignore_in_strict_kex", "second_kexinit", "success_unasked",
                "channel_open_before_auth", "bad_mac", "encrypted_length",
                "info_response_unasked"]
KBDINT_SERVERS = [server_kbdint_many_prompts, server_kbdint_huge_count,
                  server_kbdint_truncated, server_kbdint_trailing,
                  server_kbdint_long_prompt]
KBDINT_NAMES = ["many_prompts", "huge_count", "truncated", "trailing",
                "long_prompt"]


@pytest.mark.parametrize("script", SERVERS, ids=SERVER_NAMES)
def test_adit_against_hostile_server(script, client, peers):
    fake = peers.start(script)
    rc, err = client.run("adit", fake.port, timeout=60)
    lines = err.strip().splitlines()
    print("%s" % lines)
    assert rc == 255, err
    # The last line says why, in ssh's words ("adit: ..." or "Unable to
    # negotiate ..."); before it at most the known_hosts notice.
    assert lines and len(lines) <= 2, err
    assert len(lines) == 1 or "Permanently added" in lines[0], err
    assert "Sanitizer" not in err and "runtime error" not in err, err


@pytest.mark.parametrize("script", KBDINT_SERVERS, ids=KBDINT_NAMES)
def test_adit_against_hostile_info_request(script, client, peers, procs,
                                           home):
    """A malformed keyboard-interactive INFO_REQUEST (too many prompts, a
    count past the end, truncated, a trailing byte, an overlong prompt)
    ends the connection with 255 before anything is asked."""
    fake = peers.start(script)
    argv = client.argv("adit", fake.port)
    argv[argv.index("BatchMode=yes")] = "BatchMode=no"
    env = dict(home.env)
    env["SSH_ASKPASS"] = "/bin/false"
    env["SSH_ASKPASS_REQUIRE"] = "never"
    proc = procs.start("adit", argv, env=env)
    rc = proc.wait(60)
    err = proc.stderr()
    assert rc == 255, err
    assert "user authentication failed" in err, err
    assert "Sanitizer" not in err and "runtime error" not in err, err


def accept_any_login(srv):
    """Play a server that lets anyone in: SERVICE_ACCEPT, FAILURE for
    none, PK_OK for a query, SUCCESS for a signature."""
    srv.recv()
    srv.send(bytes([rawssh.MSG_SERVICE_ACCEPT]) + string("ssh-userauth"))
    while True:
        r = rawssh.Reader(srv.recv())
        assert r.u8() == rawssh.MSG_USERAUTH_REQUEST
        r.string(), r.string()
        if r.string() != b"publickey":
            srv.send(bytes([rawssh.MSG_USERAUTH_FAILURE])
                     + string("publickey") + boolean(False))
            continue
        signed, alg, blob = r.boolean(), r.string(), r.string()
        if signed:
            srv.send(bytes([rawssh.MSG_USERAUTH_SUCCESS]))
            return
        srv.send(bytes([rawssh.MSG_USERAUTH_PK_OK]) + string(alg)
                 + string(blob))


def test_adit_refuses_channels_it_did_not_ask_for(client, peers):
    """A server opens channels adit -N never asked for: a forwarded-tcpip
    for a port adit did not forward, direct-tcpip, session, x11 and agent.
    Every one is refused; none reaches anything local."""
    echo = peers.echo()
    opens = [
        ("forwarded-tcpip", string("127.0.0.1") + u32(echo.port)
         + string("127.0.0.1") + u32(1)),
        ("direct-tcpip", string("127.0.0.1") + u32(echo.port)
         + string("127.0.0.1") + u32(1)),
        ("session", b""),
        ("x11", string("127.0.0.1") + u32(1)),
        ("auth-agent@openssh.com", b""),
    ]
    replies = []

    def play(srv):
        accept_any_login(srv)
        for i, (kind, extra) in enumerate(opens):
            srv.send(bytes([rawssh.MSG_CHANNEL_OPEN]) + string(kind) + u32(i)
                     + u32(65536) + u32(32768) + extra)
            replies.append((kind, srv.recv(skip=(
                rawssh.MSG_IGNORE, rawssh.MSG_GLOBAL_REQUEST))[0]))
        srv.send(bytes([rawssh.MSG_DISCONNECT]) + u32(11) + string("bye")
                 + string(""))

    fake = peers.start(keyed(play))
    rc, err = client.run("adit", fake.port, timeout=60)
    print(replies, repr(err))
    assert ":11: bye" in err, err
    assert replies == [(k, rawssh.MSG_CHANNEL_OPEN_FAILURE)
                       for k, _ in opens], (replies, err)
    assert echo.accepted == 0
    assert rc == 255, err
