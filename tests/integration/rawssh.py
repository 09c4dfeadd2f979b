# SPDX-License-Identifier: ISC
"""A minimal SSH-2 client that speaks the wire protocol by hand, to play a
hostile peer against aditd: every packet can be built wrongly on purpose.

Just enough for that: curve25519-sha256, ssh-ed25519 host keys (the
signature over H is checked), aes128-ctr with hmac-sha2-256, no
compression, strict kex offered. Every socket operation has a timeout.
python3-cryptography provides the primitives.
"""
import hashlib
import hmac
import os
import socket
import struct
import time
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_UNIMPLEMENTED = 3
MSG_DEBUG = 4
MSG_SERVICE_REQUEST = 5
MSG_SERVICE_ACCEPT = 6
MSG_EXT_INFO = 7
MSG_KEXINIT = 20
MSG_NEWKEYS = 21
MSG_KEX_ECDH_INIT = 30
MSG_KEX_ECDH_REPLY = 31
MSG_USERAUTH_REQUEST = 50
MSG_USERAUTH_FAILURE = 51
MSG_USERAUTH_SUCCESS = 52
MSG_USERAUTH_BANNER = 53
MSG_USERAUTH_PK_OK = 60
MSG_USERAUTH_INFO_REQUEST = 60  # and PASSWD_CHANGEREQ: by the method
MSG_USERAUTH_INFO_RESPONSE = 61
MSG_GLOBAL_REQUEST = 80
MSG_CHANNEL_OPEN = 90
MSG_CHANNEL_OPEN_CONFIRMATION = 91
MSG_CHANNEL_OPEN_FAILURE = 92
MSG_CHANNEL_WINDOW_ADJUST = 93
MSG_CHANNEL_DATA = 94
MSG_CHANNEL_EOF = 96
MSG_CHANNEL_CLOSE = 97

TIMEOUT = 30.0

KEX = "curve25519-sha256,kex-strict-c-v00@openssh.com"
LISTS = [KEX, "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256",
         "hmac-sha2-256", "none", "none", "", ""]


class Closed(Exception):
    """The peer closed the connection (disconnect holds its DISCONNECT's
    (reason, text) if one came first)."""

    def __init__(self, what, disconnect=None):
        super().__init__(what)
        self.disconnect = disconnect


# --- encodings (RFC 4251 5) --------------------------------------------------

def u32(v):
    return struct.pack(">I", v)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def mpint(b):
    """An unsigned big-endian number as an mpint."""
    b = b.lstrip(b"\0")
    if b and b[0] & 0x80:
        b = b"\0" + b
    return string(b)


def boolean(v):
    return b"\1" if v else b"\0"


class Reader:
    def __init__(self, b):
        self.b = b
        self.off = 0

    def take(self, n):
        if n > len(self.b) - self.off:
            raise ValueError("truncated")
        v = self.b[self.off:self.off + n]
        self.off += n
        return v

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def string(self):
        return self.take(self.u32())

    def boolean(self):
        return self.u8() != 0

    def rest(self):
        return self.b[self.off:]


def kexinit_payload(lists=None, cookie=None):
    lists = LISTS if lists is None else lists
    body = bytes([MSG_KEXINIT]) + (cookie or os.urandom(16))
    for name_list in lists:
        body += string(name_list)
    return body + boolean(False) + u32(0)


def frame(payload, block=8, pad_len=None):
    """An unencrypted packet (RFC 4253 6): length, padding length, payload,
    random padding to a multiple of block (pad_len forces the padding
    length, right or wrong)."""
    if pad_len is None:
        pad_len = block - (5 + len(payload)) % block
        if pad_len < 4:
            pad_len += block
    return (u32(1 + len(payload) + pad_len) + bytes([pad_len]) + payload
            + os.urandom(pad_len))


def disconnect_payload(b):
    r = Reader(b)
    r.u8()
    return r.u32(), r.string().decode(errors="replace")


# --- the connection ----------------------------------------------------------

class RawSsh:
    """One TCP connection to an SSH server, driven packet by packet."""

    def __init__(self, port, host="127.0.0.1", timeout=TIMEOUT, sock=None):
        """Connect to port, or (sock given) play the server on an accepted
        connection (RawSshServer)."""
        if sock is None:
            sock = socket.create_connection((host, port), timeout=timeout)
        self.sock = sock
        self.sock.settimeout(timeout)
        self.is_server = False
        self.rbuf = b""
        self.seq_out = 0
        self.seq_in = 0
        self.enc_out = self.enc_in = None
        self.mac_out = self.mac_in = None
        self.version = b"SSH-2.0-rawssh_1.0"
        self.server_version = None
        self.session_id = None
        self.received = []  # every payload received after NEWKEYS, in order
        self.disconnect = None
        # zlib@openssh.com when offered (lists) and agreed: it starts
        # after USERAUTH_SUCCESS (PROTOCOL 1.2).
        self.lists = LISTS
        self.zlib_agreed = False
        self.deflate = self.inflate = None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # raw bytes

    def send_raw(self, b):
        self.sock.sendall(b)

    def _fill(self, n):
        while len(self.rbuf) < n:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed by peer", self.disconnect)
            self.rbuf += chunk

    def _take(self, n):
        self._fill(n)
        b, self.rbuf = self.rbuf[:n], self.rbuf[n:]
        return b

    def read_until_closed(self, limit=1 << 20):
        """Read (and drop) until the peer closes; True if it did. Bounded
        by the socket timeout and limit bytes."""
        n = len(self.rbuf)
        self.rbuf = b""
        while n <= limit:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False
            if not chunk:
                return True
            n += len(chunk)
        return False

    # version exchange (RFC 4253 4.2)

    def send_version(self):
        self.send_raw(self.version + b"\r\n")

    def read_version(self):
        while True:
            self._fill(1)
            while b"\n" not in self.rbuf:
                if len(self.rbuf) > 8192:
                    raise ValueError("no version line")
                self._fill(len(self.rbuf) + 1)
            line, self.rbuf = self.rbuf.split(b"\n", 1)
            line = line.rstrip(b"\r")
            if line.startswith(b"SSH-"):
                self.server_version = line
                return line

    # packets (RFC 4253 6)

    def packet(self, payload, pad_len=None):
        """The unencrypted packet for payload, as frame() builds it."""
        return frame(payload, 16 if self.enc_out else 8, pad_len)

    def send_packet_bytes(self, pkt, bad_mac=False):
        """Encrypt and MAC an unencrypted packet as is, and send it."""
        mac = b""
        if self.mac_out is not None:
            mac = hmac.new(self.mac_out, u32(self.seq_out) + pkt,
                           hashlib.sha256).digest()
            if bad_mac:
                mac = bytes([mac[0] ^ 1]) + mac[1:]
        if self.enc_out is not None:
            pkt = self.enc_out.update(pkt)
        self.seq_out = (self.seq_out + 1) & 0xffffffff
        self.send_raw(pkt + mac)

    def send(self, payload, **kw):
        bad_mac = kw.pop("bad_mac", False)
        if self.deflate is not None:
            payload = (self.deflate.compress(payload)
                       + self.deflate.flush(zlib.Z_SYNC_FLUSH))
        self.send_packet_bytes(self.packet(payload, **kw), bad_mac=bad_mac)

    def recv_packet(self):
        """One payload, decrypted and checked."""
        if self.enc_in is None:
            head = self._take(4)
            length = struct.unpack(">I", head)[0]
            if length > 256 * 1024:
                raise ValueError("packet length %d" % length)
            body = self._take(length)
            pkt = head + body
        else:
            first = self.enc_in.update(self._take(16))
            length = struct.unpack(">I", first[:4])[0]
            if length > 256 * 1024 or (length + 4) % 16:
                raise ValueError("packet length %d" % length)
            pkt = first + self.enc_in.update(self._take(length + 4 - 16))
            mac = self._take(32)
            want = hmac.new(self.mac_in, u32(self.seq_in) + pkt,
                            hashlib.sha256).digest()
            if not hmac.compare_digest(mac, want):
                raise ValueError("bad MAC from server")
        self.seq_in = (self.seq_in + 1) & 0xffffffff
        pad = pkt[4]
        payload = pkt[5:4 + struct.unpack(">I", pkt[:4])[0] - pad]
        if self.inflate is not None:
            payload = self.inflate.decompress(payload, 1 << 20)
        elif payload[:1] == bytes([MSG_USERAUTH_SUCCESS]) and \
                self.zlib_agreed:
            self.deflate = zlib.compressobj()
            self.inflate = zlib.decompressobj()
        if payload and payload[0] == MSG_DISCONNECT:
            self.disconnect = disconnect_payload(payload)
        return payload

    def recv(self, skip=(MSG_IGNORE, MSG_DEBUG, MSG_EXT_INFO)):
        """The next payload that is not one of skip; a DISCONNECT raises
        Closed."""
        while True:
            p = self.recv_packet()
            if self.enc_in is not None:
                self.received.append(p)
            if p[0] == MSG_DISCONNECT:
                raise Closed("disconnected: %r" % (self.disconnect,),
                             self.disconnect)
            if p[0] not in skip:
                return p

    def expect_disconnect(self):
        """Read until the server's DISCONNECT or the end; return
        (reason, text) or None if it just closed."""
        try:
            while True:
                p = self.recv_packet()
                if p[0] == MSG_DISCONNECT:
                    return self.disconnect
        except (Closed, ValueError, OSError):
            return self.disconnect

    # key exchange (RFC 4253 7, 8; RFC 8731)

    def kex(self, lists=None):
        """Version lines, KEXINIT, curve25519, NEWKEYS; keys in place."""
        self.lists = lists or self.lists
        self.send_version()
        self.read_version()
        my_kexinit = kexinit_payload(self.lists)
        self.send(my_kexinit)
        server_kexinit = self.recv()
        if server_kexinit[0] != MSG_KEXINIT:
            raise ValueError("expected KEXINIT, got %d" % server_kexinit[0])
        eph = X25519PrivateKey.generate()
        q_c = eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.send(bytes([MSG_KEX_ECDH_INIT]) + string(q_c))
        reply = Reader(self.recv())
        if reply.u8() != MSG_KEX_ECDH_REPLY:
            raise ValueError("expected KEX_ECDH_REPLY")
        k_s, q_s, sig = reply.string(), reply.string(), reply.string()
        shared = eph.exchange(X25519PublicKey.from_public_bytes(q_s))
        k = mpint(shared)
        h = hashlib.sha256(
            string(self.version) + string(self.server_version)
            + string(my_kexinit) + string(server_kexinit) + string(k_s)
            + string(q_c) + string(q_s) + k).digest()
        self._check_hostkey_sig(k_s, sig, h)
        self.zlib_agreed = self._server_offers(server_kexinit,
                                               "zlib@openssh.com")
        self.session_id = self.session_id or h
        self.send(bytes([MSG_NEWKEYS]))
        if self.recv()[0] != MSG_NEWKEYS:
            raise ValueError("expected NEWKEYS")
        self._take_keys(k, h)

    def _server_offers(self, server_kexinit, comp):
        """Whether both offer comp, and we prefer it, in both directions
        (RFC 4253 7.1: the client's first that the server has)."""
        r = Reader(server_kexinit[17:])
        server = [r.string().decode().split(",") for _ in range(10)]
        return all(self.lists[i].split(",")[0] == comp and comp in server[i]
                   for i in (6, 7))

    @staticmethod
    def _check_hostkey_sig(k_s, sig, h):
        kr, sr = Reader(k_s), Reader(sig)
        if kr.string() != b"ssh-ed25519" or sr.string() != b"ssh-ed25519":
            raise ValueError("not an ssh-ed25519 host key")
        Ed25519PublicKey.from_public_bytes(kr.string()).verify(sr.string(), h)

    def _derive(self, k, h, letter):
        return hashlib.sha256(k + h + letter + self.session_id).digest()

    def _take_keys(self, k, h):
        d = {c: self._derive(k, h, c.encode()) for c in "ABCDEF"}
        # Client to server: IV A, key C, MAC E; server to client: B, D, F.
        out, inn = ("BDF", "ACE") if self.is_server else ("ACE", "BDF")
        self.enc_out = Cipher(algorithms.AES(d[out[1]][:16]),
                              modes.CTR(d[out[0]][:16])).encryptor()
        self.enc_in = Cipher(algorithms.AES(d[inn[1]][:16]),
                             modes.CTR(d[inn[0]][:16])).decryptor()
        self.mac_out, self.mac_in = d[out[2]], d[inn[2]]
        # Strict kex (we offered it; aditd always agrees): every NEWKEYS
        # restarts the sequence numbers.
        self.seq_out = self.seq_in = 0

    # user authentication (RFC 4252)

    def service_request(self):
        self.send(bytes([MSG_SERVICE_REQUEST]) + string("ssh-userauth"))
        p = self.recv()
        if p[0] != MSG_SERVICE_ACCEPT:
            raise ValueError("expected SERVICE_ACCEPT, got %d" % p[0])

    def auth_none(self, user):
        self.send(bytes([MSG_USERAUTH_REQUEST]) + string(user)
                  + string("ssh-connection") + string("none"))
        return self.recv()

    def auth_query(self, user, key):
        """A publickey request without signature; the reply payload."""
        self.send(bytes([MSG_USERAUTH_REQUEST]) + string(user)
                  + string("ssh-connection") + string("publickey")
                  + boolean(False) + string("ssh-ed25519")
                  + string(key_blob(key)))
        return self.recv()

    def auth_signed(self, user, key, blob_key=None, session_id=None):
        """A publickey request signed by key; the reply payload. A hostile
        peer may name another key (blob_key) than the one that signs, or
        sign another session's id."""
        blob = key_blob(blob_key or key)
        body = (bytes([MSG_USERAUTH_REQUEST]) + string(user)
                + string("ssh-connection") + string("publickey")
                + boolean(True) + string("ssh-ed25519") + string(blob))
        sig = key.sign(string(session_id or self.session_id) + body)
        self.send(body + string(string("ssh-ed25519") + string(sig)))
        return self.recv()

    def login(self, user, key, lists=None):
        """kex, service request, signed publickey: True on success."""
        self.kex(lists)
        self.service_request()
        return self.auth_signed(user, key)[0] == MSG_USERAUTH_SUCCESS

    # channels (RFC 4254)

    def open_direct(self, host, port, window=2 * 1024 * 1024, chan=0):
        """direct-tcpip to host:port; the server's channel id (its window
        and maximum packet in peer_window, peer_max_packet)."""
        self.send(bytes([MSG_CHANNEL_OPEN]) + string("direct-tcpip")
                  + u32(chan) + u32(window) + u32(32768) + string(host)
                  + u32(port) + string("127.0.0.1") + u32(40000))
        while True:
            p = self.recv(skip=(MSG_IGNORE, MSG_DEBUG, MSG_EXT_INFO,
                                MSG_GLOBAL_REQUEST))
            if p[0] == MSG_CHANNEL_OPEN_CONFIRMATION:
                r = Reader(p)
                r.u8()
                if r.u32() != chan:
                    raise ValueError("confirmation for another channel")
                sid = r.u32()
                self.peer_window = r.u32()  # what we may send
                self.peer_max_packet = r.u32()
                return sid
            if p[0] == MSG_CHANNEL_OPEN_FAILURE:
                raise ValueError("channel open refused: %r" % p)


SERVER_LISTS = ["curve25519-sha256,kex-strict-s-v00@openssh.com",
                "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256",
                "hmac-sha2-256", "none", "none", "", ""]


class RawSshServer(RawSsh):
    """The server side of one accepted connection, to play a hostile
    server against adit: a real kex with an Ed25519 host key made up on
    the spot, then whatever the test sends."""

    def __init__(self, sock, timeout=TIMEOUT):
        super().__init__(None, sock=sock, timeout=timeout)
        self.is_server = True
        self.version = b"SSH-2.0-rawsshd_1.0"
        self.hostkey = Ed25519PrivateKey.generate()

    def kex(self, lists=None, between=None):
        """The server's half; between(self) runs after our KEXINIT went
        out and before the reply (to misbehave inside the kex)."""
        self.send_version()
        client_version = self.read_version()
        my_kexinit = kexinit_payload(lists or SERVER_LISTS)
        self.send(my_kexinit)
        client_kexinit = self.recv()
        if client_kexinit[0] != MSG_KEXINIT:
            raise ValueError("expected KEXINIT, got %d" % client_kexinit[0])
        if between is not None:
            between(self)
        init = Reader(self.recv())
        if init.u8() != MSG_KEX_ECDH_INIT:
            raise ValueError("expected KEX_ECDH_INIT")
        q_c = init.string()
        eph = X25519PrivateKey.generate()
        q_s = eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        k = mpint(eph.exchange(X25519PublicKey.from_public_bytes(q_c)))
        k_s = key_blob(self.hostkey)
        h = hashlib.sha256(
            string(client_version) + string(self.version)
            + string(client_kexinit) + string(my_kexinit) + string(k_s)
            + string(q_c) + string(q_s) + k).digest()
        self.session_id = self.session_id or h
        sig = string("ssh-ed25519") + string(self.hostkey.sign(h))
        self.send(bytes([MSG_KEX_ECDH_REPLY]) + string(k_s) + string(q_s)
                  + string(sig))
        self.send(bytes([MSG_NEWKEYS]))
        if self.recv()[0] != MSG_NEWKEYS:
            raise ValueError("expected NEWKEYS")
        self._take_keys(k, h)


def load_ed25519(path):
    with open(path, "rb") as f:
        key = serialization.load_ssh_private_key(f.read(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("%s is not an ed25519 key" % path)
    return key


def key_blob(key):
    pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return string("ssh-ed25519") + string(pub)


def vm_rss_kib(pid):
    """VmRSS of pid in KiB, from /proc/PID/status."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError("no VmRSS for pid %d" % pid)


def monotonic_ms():
    return time.monotonic() * 1000.0
