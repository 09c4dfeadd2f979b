# SPDX-License-Identifier: ISC
"""The client -> server pairs every forwarding test runs over, and the
algorithm matrix. ssh -> sshd is the reference: it checks the harness
itself against OpenSSH on both ends."""
import socket

import pytest

import harness

PATHS = [
    pytest.param("ssh", "sshd", id="ssh-sshd"),
    pytest.param("adit", "sshd", id="adit-sshd"),
    pytest.param("ssh", "aditd", id="ssh-aditd"),
    pytest.param("adit", "aditd", id="adit-aditd"),
]

# (cipher, mac or None for AEAD ciphers)
CIPHERS = [
    ("chacha20-poly1305@openssh.com", None),
    ("aes128-gcm@openssh.com", None),
    ("aes256-gcm@openssh.com", None),
    ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
    ("aes256-ctr", "hmac-sha2-512-etm@openssh.com"),
    ("aes128-ctr", "hmac-sha2-256"),
    ("aes256-ctr", "hmac-sha2-512"),
]

KEX = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
]
# Finite-field DH is a client feature for old servers (DESIGN.md).
CLIENT_ONLY_KEX = ("diffie-hellman-group14-sha256",
                   "diffie-hellman-group16-sha512",
                   "diffie-hellman-group-exchange-sha256")

# (host key type from conftest.HOST_KEY_TYPES, HostKeyAlgorithms value)
HOST_KEY_ALGS = [
    ("ed25519", "ssh-ed25519"),
    ("ecdsa256", "ecdsa-sha2-nistp256"),
    ("ecdsa384", "ecdsa-sha2-nistp384"),
    ("ecdsa521", "ecdsa-sha2-nistp521"),
    ("rsa", "rsa-sha2-512"),
    ("rsa", "rsa-sha2-256"),
]


def roundtrip(lport, data, timeout=harness.IO_TIMEOUT):
    """Send data through the tunnel to an echo peer, half-close, and check
    the echo byte for byte."""
    with socket.create_connection(("127.0.0.1", lport),
                                  timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = harness.recv_all(s, limit=len(data))
    assert len(got) == len(data)
    assert got == data
