# SPDX-License-Identifier: ISC
"""Listener takeover for certificate logins, with real ssh and ssh-keygen
-s certificates: a reverse listener made under a certificate belongs to
its identity (CA, key ID, user), not to the key inside, so a renewed
certificate for the same identity, even on a new key, takes the listener
over from a frozen client; another key ID, or the same key ID from
another CA, is refused."""
import os
import signal

import harness
from conftest import SSH_KEYGEN, keygen
from paths import roundtrip

import subprocess

REFUSED_RFWD = "remote port forwarding failed for listen port"


def cert(d, name, ca, key_id, serial, user):
    key = keygen(os.path.join(d, name), ("-t", "ed25519"), name)
    subprocess.run([SSH_KEYGEN, "-q", "-s", ca, "-I", key_id, "-n", user,
                    "-z", str(serial), "-V", "-1h:+1h", key + ".pub"],
                   check=True, timeout=30, capture_output=True,
                   stdin=subprocess.DEVNULL)
    return key


def start_rfwd(client, server, key, spec):
    argv = client.argv("ssh", server.port, key=key,
                       opts=["CertificateFile=%s-cert.pub" % key])
    argv[-1:-1] = ["-R", spec]
    return client.procs.start("ssh", argv)


def test_renewed_certificate_takes_over(client, aditd, peers, home,
                                        tmp_path):
    d = str(tmp_path)
    ca = keygen(os.path.join(d, "ca"), ("-t", "ed25519"), "ca")
    ca2 = keygen(os.path.join(d, "ca2"), ("-t", "ed25519"), "ca2")
    cas = os.path.join(d, "cas")
    with open(cas, "w") as f:
        for k in (ca, ca2):
            with open(k + ".pub") as p:
                f.write(p.read())
    empty = os.path.join(d, "no_keys")
    open(empty, "w").close()
    server = aditd.start(authorized_keys=empty,
                         extra=["TrustedUserCAKeys %s" % cas])
    first = cert(d, "first", ca, "svc-web", 1, home.user)
    renewed = cert(d, "renewed", ca, "svc-web", 2, home.user)
    other_id = cert(d, "other", ca, "svc-db", 3, home.user)
    other_ca = cert(d, "other_ca", ca2, "svc-web", 4, home.user)
    echo = peers.echo()
    port = harness.free_port()
    spec = "%d:127.0.0.1:%d" % (port, echo.port)
    old = start_rfwd(client, server, first, spec)
    harness.wait_listening(old, port)
    harness.wait_log(server.proc, 'Remote forward localhost port %d for '
                     % port)
    assert 'certificate ID "svc-web" of CA' in server.proc.stderr()
    os.kill(old.pid, signal.SIGSTOP)
    try:
        for key in (other_id, other_ca):
            proc = start_rfwd(client, server, key, spec)
            assert proc.wait(60) == 255, proc.describe()
            assert REFUSED_RFWD in proc.stderr()
        harness.wait_log(server.proc, "localhost port %d is held by another "
                         "key" % port)
        new = start_rfwd(client, server, renewed, spec)
        harness.wait_log(server.proc, "localhost port %d taken over by"
                         % port)
        roundtrip(port, harness.payload_of(50000, seed=12))
        assert new.alive(), new.describe()
        assert REFUSED_RFWD not in new.stderr()
    finally:
        os.kill(old.pid, signal.SIGCONT)
    assert 'same certificate ID "svc-web" of CA' in server.proc.stderr()
