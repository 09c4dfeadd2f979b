# SPDX-License-Identifier: ISC
"""What must be refused, and how clients report it, as OpenSSH does:
a changed host key, an unknown user key, a server that is down. Plus
accept-new recording a new host key, and aditd's own start-up duties."""
import os
import subprocess

import pytest

import harness
from conftest import SSH_KEYGEN, pubkey_blob
from paths import PATHS, roundtrip

CLIENTS = [pytest.param("ssh", id="ssh"), pytest.param("adit", id="adit")]


def host_ed25519_blob(server):
    """The ed25519 host key blob a server presents."""
    key = server.host_keys.get("ed25519") or server.host_keys["default"]
    r = subprocess.run([SSH_KEYGEN, "-y", "-f", key], capture_output=True,
                       text=True, check=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return r.stdout.split()[1]


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_wrong_host_key_refused(kind, server_kind, client, server_of, home,
                                tmp_path):
    server = server_of(server_kind)
    kh = str(tmp_path / "known_hosts_wrong")
    with open(kh, "w") as f:
        # A key the server does not hold, under the server's name.
        f.write("[127.0.0.1]:%d ssh-ed25519 %s\n"
                % (server.port, pubkey_blob(home.stranger_key)))
    rc, err = client.run(kind, server.port, strict="yes", known_hosts=kh,
                         opts=["HostKeyAlgorithms=ssh-ed25519"])
    assert rc == 255, err
    assert "Host key verification failed." in err


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_unknown_user_key_refused(kind, server_kind, client, server_of,
                                  home):
    server = server_of(server_kind)
    rc, err = client.run(kind, server.port, key=home.stranger_key)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err


@pytest.mark.parametrize("kind", CLIENTS)
def test_server_down(kind, client):
    port = harness.closed_port()  # refused: bound, never listening
    rc, err = client.run(kind, port)
    assert rc == 255, err
    assert ("connect to host 127.0.0.1 port %d: Connection refused" % port
            in err)


@pytest.mark.parametrize("kind,server_kind", PATHS)
def test_accept_new_records_host_key(kind, server_kind, client, server_of,
                                     peers):
    server = server_of(server_kind)
    assert not os.path.exists(client.known_hosts)
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port,
                             ["HostKeyAlgorithms=ssh-ed25519"])
    roundtrip(lport, b"accept-new")
    blob = host_ed25519_blob(server)
    with open(client.known_hosts) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    entries = [ln for ln in lines if len(ln) >= 3 and ln[2] == blob]
    assert entries, "host key not recorded: %r" % lines
    host = entries[0][0]
    # Plain "[127.0.0.1]:port", or a hashed name.
    assert host == "[127.0.0.1]:%d" % server.port or host.startswith("|1|")


def test_aditd_generates_missing_host_key(aditd):
    server = aditd.start()
    key = server.host_keys["default"]
    assert os.path.exists(key)
    r = subprocess.run([SSH_KEYGEN, "-l", "-f", key], capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert "ED25519" in r.stdout


@pytest.mark.parametrize("kind", CLIENTS)
def test_aditd_logs_accepted_publickey(kind, client, aditd, peers, home):
    server = aditd.start()
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port)
    roundtrip(lport, b"log")
    harness.wait_log(server.proc, "Accepted publickey for %s from 127.0.0.1"
                     " port " % home.user)


def test_aditd_announces_listening(aditd):
    server = aditd.start()
    harness.wait_log(server.proc, "Server listening on 127.0.0.1 port %d."
                     % server.port)


def _keys_with_options(home, tmp_path, options):
    """An authorized_keys file with the home key under options."""
    path = str(tmp_path / "authorized_keys_opts")
    with open(home.key + ".pub") as src, open(path, "w") as dst:
        dst.write("%s %s" % (options, src.read()))
    return path


@pytest.mark.parametrize("kind", CLIENTS)
def test_aditd_enforces_permitopen(kind, client, aditd, peers, home,
                                   tmp_path):
    echo = peers.echo()
    other = peers.echo()
    ak = _keys_with_options(home, tmp_path,
                            'permitopen="127.0.0.1:%d"' % echo.port)
    server = aditd.start(authorized_keys=ak)
    # The permitted target works ...
    _, lport = client.tunnel(kind, server, echo.port)
    roundtrip(lport, b"permitted")
    # ... and another one is refused, as sshd refuses it.
    _, lport2 = client.tunnel(kind, server, other.port)
    with pytest.raises((AssertionError, OSError)):
        roundtrip(lport2, b"not permitted")
    harness.wait_log(server.proc, "denied by permitopen on key SHA256:")


@pytest.mark.parametrize("options", [
    'from="10.9.8.7"',
    'from="127.0.0.*,!127.0.0.1"',
    'expiry-time="200001010000"',
    # sshd reads '[' literally (no match); fnmatch would match 127.0.0.1.
    'from="12[7].0.0.1"',
], ids=["from", "from-negated", "expired", "from-bracket"])
def test_aditd_refuses_key_by_option(options, client, aditd, home,
                                     tmp_path):
    ak = _keys_with_options(home, tmp_path, options)
    server = aditd.start(authorized_keys=ak)
    rc, err = client.run("adit", server.port)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err


def test_aditd_accepts_key_from_matching_host(client, aditd, peers, home,
                                              tmp_path):
    ak = _keys_with_options(home, tmp_path, 'from="10.0.0.1,127.0.0.?"')
    server = aditd.start(authorized_keys=ak)
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port)
    roundtrip(lport, b"from")


@pytest.mark.parametrize("port", ["0", "65536", "22x", "99999999999"])
def test_aditd_bad_port_argument(port, bins, tmp_path):
    """-p takes 1..65535 and nothing else, as sshd: "Bad port number."."""
    bins.require("aditd")
    cfg = tmp_path / "aditd_config"
    cfg.write_text("ListenAddress 127.0.0.1\n")
    r = subprocess.run([bins.aditd, "-t", "-f", str(cfg), "-p", port],
                       capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0, (port, r.stderr)
    assert "Bad port number." in r.stderr
