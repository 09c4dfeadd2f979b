# SPDX-License-Identifier: ISC
"""-L tunnels for every cipher, MAC, kex and host key type, over every
client -> server pair (ssh/adit -> sshd/aditd)."""
import subprocess

import pytest

from paths import CIPHERS, CLIENT_ONLY_KEX, HOST_KEY_ALGS, KEX, PATHS
from paths import roundtrip


@pytest.mark.parametrize("cipher,mac", CIPHERS,
                         ids=["%s+%s" % (c, m) if m else c
                              for c, m in CIPHERS])
@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_cipher(kind, server_kind, cipher, mac, client, server_of, peers):
    server = server_of(server_kind)
    echo = peers.echo()
    opts = ["Ciphers=" + cipher]
    if mac:
        opts.append("MACs=" + mac)
    _, lport = client.tunnel(kind, server, echo.port, opts)
    roundtrip(lport, b"cipher " + cipher.encode() * 100)


# Finite-field DH is client-only by design, so aditd is not asked for it
# by default (aditd's own group14/16/GEX are covered by the unit tests and
# test_aditd_dh below).
KEX_CASES = [pytest.param(p.values[0], p.values[1], k,
                          id="%s-%s" % (p.id, k))
             for p in PATHS for k in KEX
             if not (p.values[1] == "aditd" and k in CLIENT_ONLY_KEX)]


@pytest.mark.parametrize("kind,server_kind,kex", KEX_CASES)
def test_kex(kind, server_kind, kex, client, server_of, peers):
    server = server_of(server_kind)
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port,
                             ["KexAlgorithms=" + kex])
    roundtrip(lport, b"kex " + kex.encode() * 100)


@pytest.mark.parametrize("key_type,alg", HOST_KEY_ALGS,
                         ids=[a for _, a in HOST_KEY_ALGS])
@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_host_key(kind, server_kind, key_type, alg, client, server_of,
                  host_keys, peers):
    if server_kind == "aditd":
        server = server_of("aditd", host_key=host_keys[key_type])
    else:
        server = server_of("sshd")
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port,
                             ["HostKeyAlgorithms=" + alg])
    roundtrip(lport, b"hostkey " + alg.encode() * 100)


@pytest.mark.parametrize("kex", CLIENT_ONLY_KEX)
def test_old_server_default_list(kex, client, sshd_factory, peers):
    """A server that only does one finite-field DH (as old OpenSSH
    builds and appliances) is reached with adit's default list, which
    offers DH after the curves."""
    server = sshd_factory.start(extra=["KexAlgorithms " + kex])
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port)
    roundtrip(lport, b"old server " + kex.encode() * 100)


@pytest.mark.parametrize("kex", CLIENT_ONLY_KEX)
@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_aditd_dh_when_configured(kind, kex, client, aditd, peers):
    """aditd does finite-field DH (fixed groups, and group exchange with
    the RFC 3526 groups) when its KexAlgorithms names it."""
    server = aditd.start(extra=["KexAlgorithms " + kex])
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port,
                             ["KexAlgorithms=" + kex])
    roundtrip(lport, b"aditd dh " + kex.encode() * 100)


def test_aditd_no_dh_by_default(client, aditd):
    """aditd's default list has only the curves: a DH-only client is
    turned away, and ssh says so in its own words."""
    server = aditd.start()
    rc, err = client.run("ssh", server.port,
                         opts=["KexAlgorithms=diffie-hellman-group14-sha256,"
                               "diffie-hellman-group-exchange-sha256"])
    assert rc == 255
    assert "no matching key exchange method found" in err


def test_edited_lists(client, sshd_factory, peers):
    """ssh_config's +, - and ^ forms edit the defaults: with the server
    down to aes256-gcm, '-chacha*,aes128*' still reaches it and '-aes256*'
    leaves nothing in common, in ssh's words; -G prints the edited lists."""
    server = sshd_factory.start(extra=["Ciphers aes256-gcm@openssh.com"])
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port,
                             ["Ciphers=-chacha*,aes128*",
                              "KexAlgorithms=^curve25519-sha256",
                              "HostKeyAlgorithms=+ssh-rsa"])
    roundtrip(lport, b"edited lists " * 100)
    rc, err = client.run("adit", server.port, opts=["Ciphers=-aes256*"])
    assert rc == 255
    assert "no matching cipher found" in err


def test_edited_lists_dump(client):
    """-G resolves the edits against adit's own defaults, as ssh -G does
    against ssh's."""
    def dump(*opts):
        argv = [client.bins.adit, "-G"]
        for o in opts:
            argv += ["-o", o]
        out = subprocess.run(argv + ["example.test"], capture_output=True,
                             check=True).stdout.decode()
        return dict(line.split(" ", 1) for line in out.splitlines()
                    if " " in line)
    base = dump()["ciphers"].split(",")
    assert dump("Ciphers=+aes128-cbc")["ciphers"].split(",") == \
        base + ["aes128-cbc"]
    assert dump("Ciphers=-aes*")["ciphers"].split(",") == \
        [c for c in base if not c.startswith("aes")]
    assert dump("Ciphers=^aes256-ctr")["ciphers"].split(",") == \
        ["aes256-ctr"] + [c for c in base if c != "aes256-ctr"]
    assert dump("Ciphers=aes256-ctr,aes128-ctr")["ciphers"] == \
        "aes256-ctr,aes128-ctr"


@pytest.mark.parametrize("kind", ["ssh", "adit"])
def test_pubkey_accepted_algorithms(kind, client, sshd, peers):
    """PubkeyAcceptedAlgorithms decides which keys are offered: the
    ed25519 identity logs in while its algorithm is listed (also through
    '^'), and is not offered once '-ssh-ed25519' takes it out, so the
    login is refused as ssh refuses it."""
    echo = peers.echo()
    for spec in ("ssh-ed25519,rsa-sha2-512", "^ssh-ed25519"):
        _, lport = client.tunnel(kind, sshd, echo.port,
                                 ["PubkeyAcceptedAlgorithms=" + spec])
        roundtrip(lport, spec.encode() * 100)
    rc, err = client.run(kind, sshd.port,
                         opts=["PubkeyAcceptedAlgorithms=-ssh-ed25519"])
    assert rc == 255
    assert "Permission denied (publickey" in err
