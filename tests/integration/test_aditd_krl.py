# SPDX-License-Identifier: ISC
"""RevokedKeys as an OpenSSH binary KRL made by ssh-keygen -k, against
real ssh: certificates revoked by serial (in the bitmap, range and list
encodings ssh-keygen picks) and by key ID (a section for any CA, which
ssh-keygen 9.2 cannot write, is in the unit tests); plain keys
revoked explicitly, by SHA1 and by SHA256 hash; a certificate whose CA is
revoked. Keys the KRL does not name log in. A malformed KRL stops aditd
at start with the reason (sshd would start and refuse every key)."""
import os
import pwd
import subprocess

import pytest

import harness
from conftest import SSH_KEYGEN, keygen

SESSION_LINE = "This server only forwards ports (use ssh -N)."


def keygen_run(*args):
    return subprocess.run([SSH_KEYGEN] + list(args), check=True,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


class Pki:
    """Two CAs, certificates with chosen serials and IDs, plain keys."""

    def __init__(self, d):
        self.d = d
        self.ca = keygen(os.path.join(d, "ca"), ("-t", "ed25519"), "ca")
        self.ca2 = keygen(os.path.join(d, "ca2"), ("-t", "ed25519"), "ca2")

    def cert(self, name, serial, key_id, ca=None):
        key = keygen(os.path.join(self.d, name), ("-t", "ed25519"), name)
        keygen_run("-q", "-s", ca or self.ca, "-I", key_id, "-n",
                   pwd_user(), "-z", str(serial), "-V", "-1h:+1h",
                   key + ".pub")
        return key

    def plain(self, name, key_type=("-t", "ed25519")):
        return keygen(os.path.join(self.d, name), key_type, name)


def pwd_user():
    return pwd.getpwuid(os.geteuid()).pw_name


def pub(key):
    with open(key + ".pub") as f:
        return f.read().strip()


def sha256_fp(key):
    return keygen_run("-l", "-E", "sha256", "-f", key + ".pub").stdout.split()[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """The keys, and a KRL naming some of them (the rest are the
    controls that must still log in)."""
    d = str(tmp_path_factory.mktemp("krl"))
    p = Pki(d)
    p.revoked = {
        "bitmap": p.cert("c_bitmap", 1003, "id-bitmap"),
        "bitmap_low": p.cert("c_bitmap_low", 5, "id-low"),
        "range": p.cert("c_range", 150000, "id-range"),
        "list": p.cert("c_list", 9000000, "id-list"),
        "key_id": p.cert("c_key_id", 77, "revoked-id"),
        "explicit": p.plain("k_explicit"),
        "sha1": p.plain("k_sha1", ("-t", "ecdsa", "-b", "256")),
        "sha256": p.plain("k_sha256", ("-t", "rsa", "-b", "2048")),
    }
    p.fine = {
        "cert": p.cert("c_fine", 1004, "id-fine"),
        "cert_serial0": p.cert("c_zero", 0, "id-zero"),
        "cert_ca2": p.cert("c_ca2", 5, "id-ca2", ca=p.ca2),
        "plain": p.plain("k_fine"),
    }
    spec = os.path.join(d, "spec_ca")
    with open(spec, "w") as f:
        f.write("serial: 5\nserial: 1001\nserial: 1003\nserial: 1005\n"
                "serial: 1008\nserial: 1011\nserial: 100000-200000\n"
                "serial: 9000000\nserial: 5000000\nid: revoked-id\n")
    p.krl = os.path.join(d, "krl")
    keygen_run("-k", "-f", p.krl, "-s", p.ca + ".pub", spec)
    spec = os.path.join(d, "spec_keys")
    with open(spec, "w") as f:
        f.write("key: %s\n" % pub(p.revoked["explicit"]))
        f.write("sha1: %s\n" % pub(p.revoked["sha1"]))
        f.write("hash: %s\n" % sha256_fp(p.revoked["sha256"]))
    keygen_run("-k", "-u", "-f", p.krl, spec)
    return p


def start(aditd, tmp_path, pki, krl, keys):
    ak = str(tmp_path / "authorized_keys_krl")
    with open(ak, "w") as f:
        for k in keys:
            f.write(pub(k) + "\n")
        f.write('cert-authority %s\n' % pub(pki.ca2))
    return aditd.start(authorized_keys=ak, extra=[
        "TrustedUserCAKeys %s.pub" % pki.ca, "RevokedKeys %s" % krl])


def login(client, server, key):
    """ssh with key (and its certificate if any) asking for a command:
    1 with aditd's line when the login worked, 255 when refused."""
    opts = []
    if os.path.exists(key + "-cert.pub"):
        opts = ["CertificateFile=%s-cert.pub" % key]
    argv = client.argv("ssh", server.port, opts=opts, key=key, no_cmd=False)
    proc = client.procs.start("ssh", argv + ["true"])
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        raise AssertionError("ssh did not exit: " + proc.describe())
    return rc, proc.stderr()


def test_krl_refuses_what_it_names(client, aditd, tmp_path, pki):
    """Every way ssh-keygen -k revokes, refused with the reason in the
    log; the keys and certificates it does not name log in."""
    plain = [pki.revoked[k] for k in ("explicit", "sha1", "sha256")]
    server = start(aditd, tmp_path, pki, pki.krl,
                   plain + [pki.fine["plain"]])
    harness.wait_log(server.proc, "KRL version")
    for name, key in sorted(pki.fine.items()):
        rc, err = login(client, server, key)
        assert rc == 1 and SESSION_LINE in err, (name, err)
    reasons = {"bitmap": "certificate serial 1003",
               "bitmap_low": "certificate serial 5",
               "range": "certificate serial 150000",
               "list": "certificate serial 9000000",
               "key_id": 'certificate key ID "revoked-id"',
               "explicit": "(explicitly)",
               "sha1": "(by SHA1 hash)",
               "sha256": "(by SHA256 hash)"}
    for name, key in sorted(pki.revoked.items()):
        rc, err = login(client, server, key)
        assert rc == 255 and "Permission denied" in err, (name, err)
        harness.wait_log(server.proc, reasons[name])
    assert "revoked by file %s" % pki.krl in server.proc.stderr()


def test_krl_revoked_ca(client, aditd, tmp_path, pki):
    """A KRL naming the CA key: its certificates are refused, another
    CA's still work."""
    krl = str(tmp_path / "krl_ca")
    keygen_run("-k", "-f", krl, pki.ca + ".pub")
    server = start(aditd, tmp_path, pki, krl, [])
    rc, err = login(client, server, pki.fine["cert"])
    assert rc == 255, err
    harness.wait_log(server.proc, "(its CA key)")
    rc, err = login(client, server, pki.fine["cert_ca2"])
    assert rc == 1 and SESSION_LINE in err, err


@pytest.mark.parametrize("cut", ["truncated", "bad_section", "version"])
def test_malformed_krl_stops_start(cut, bins, home, procs, tmp_path, pki):
    """A KRL aditd cannot read stops it at start, with the reason."""
    with open(pki.krl, "rb") as f:
        data = f.read()
    if cut == "truncated":
        data = data[:-7]
    elif cut == "bad_section":
        data += b"\x09\x00\x00\x00\x00"
    else:
        data = data[:8] + b"\x00\x00\x00\x02" + data[12:]
    krl = str(tmp_path / "krl_bad")
    with open(krl, "wb") as f:
        f.write(data)
    cfg = str(tmp_path / "aditd_config")
    with open(cfg, "w") as f:
        f.write("ListenAddress 127.0.0.1\nPort %d\nHostKey %s\n"
                "AuthorizedKeysFile %s\nRevokedKeys %s\n"
                % (harness.free_port(), str(tmp_path / "hk"),
                   home.authorized_keys, krl))
    proc = procs.start("aditd", [bins.aditd, "-D", "-f", cfg])
    assert proc.wait(60) != 0
    err = proc.stderr()
    assert "aditd: RevokedKeys %s: invalid KRL: " % krl in err, err
    want = {"truncated": "", "bad_section": "unsupported section type 9",
            "version": "unsupported KRL format version 2"}[cut]
    assert want in err, err
