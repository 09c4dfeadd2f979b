# SPDX-License-Identifier: ISC
"""The login of a tunnel that comes back (adit -r): the key the server
accepted last time is offered signed in the flight that carries NEWKEYS
and the service request, with no "none" probe and no query, against real
sshd (its per-connection processes killed, its DEBUG2 log read) and
aditd. When that key was removed from authorized_keys meanwhile, the
login falls back to the usual walk with the other keys, or ends with
ssh's "Permission denied"."""
import os
import signal

import harness
from harness import descendants
from paths import roundtrip
from sshsetup import keygen
from test_reconnect import (RECOVERY_LIMIT, kill_server, restart_server,
                            start_tunnel, wait_recovered)

# sshd 9.2's words (auth2.c, auth2-pubkey.c) at LogLevel DEBUG2.
SSHD_NONE = "service ssh-connection method none"
SSHD_QUERY = "querying public key"
SSHD_SIGNED = "attempting public key"
ACCEPTED = "Accepted publickey for"
# aditd's at LogLevel DEBUG (userauth_server.c).
ADITD_NONE = "method none"
ADITD_QUERY = "method publickey (query)"
ADITD_SIGNED = "method publickey (signed)"


def count(proc, what):
    return proc.stderr().count(what)


def assert_requests(server, none, query, signed, words=None):
    """The server's log holds that many "none" requests, queries and
    signed publickey requests in all."""
    words = words or (SSHD_NONE, SSHD_QUERY, SSHD_SIGNED)
    got = [count(server.proc, w) for w in words]
    assert got == [none, query, signed], server.proc.describe()


def kill_children(server):
    """Kill sshd's per-connection processes; the listener stays."""
    kids = descendants(server.proc.pid)
    assert kids, "no per-connection sshd process found"
    for pid in kids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_logins(server, n):
    harness.poll(lambda: count(server.proc, ACCEPTED) >= n, RECOVERY_LIMIT,
                 "%d logins in the server's log" % n)


def own_sshd(sshd_factory, tmp_path, keys):
    """sshd at DEBUG2 with an authorized_keys file of its own that lets
    keys in (extras come first and win in sshd_config)."""
    ak = os.path.join(str(tmp_path), "relogin_authorized_keys")
    write_authorized(ak, keys)
    server = sshd_factory.start(extra=["LogLevel DEBUG2",
                                       "AuthorizedKeysFile %s" % ak])
    return server, ak


def write_authorized(path, keys):
    with open(path + ".tmp", "w") as f:
        for k in keys:
            with open(k + ".pub") as src:
                f.write(src.read())
    os.replace(path + ".tmp", path)


def test_sshd_second_login_signed_at_once(client, procs, sshd_factory,
                                          peers, home, tmp_path):
    """The first login walks ("none", query, signed); after sshd's session
    is killed the tunnel comes back with one signed request, accepted."""
    server, _ = own_sshd(sshd_factory, tmp_path, [home.key])
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port)
    roundtrip(lport, b"first login")
    wait_logins(server, 1)
    assert_requests(server, 1, 1, 1)
    kill_children(server)
    harness.wait_log(proc, "reconnecting in")
    wait_recovered(proc, lport, b"second login", "sshd session killed")
    wait_logins(server, 2)
    # Nothing but the signed request for the second login.
    assert_requests(server, 1, 1, 2)


def test_sshd_key_removed_falls_back(client, procs, sshd_factory, peers,
                                     home, tmp_path):
    """The key accepted at the first login is taken out of
    authorized_keys: the second login's signed request fails, the other
    identity logs in by the usual query and signed request (no "none":
    the failure named the methods). With no key left, adit ends with
    ssh's words and the permanent status."""
    other = keygen(os.path.join(str(tmp_path), "id_other"))
    server, ak = own_sshd(sshd_factory, tmp_path, [home.key, other])
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port,
                               opts=["IdentityFile=" + other])
    roundtrip(lport, b"first login")
    wait_logins(server, 1)
    assert count(server.proc, SSHD_SIGNED) == 1, server.proc.describe()
    write_authorized(ak, [other])
    kill_children(server)
    wait_recovered(proc, lport, b"with the other key", "key removed")
    wait_logins(server, 2)
    assert_requests(server, 1, 2, 3)
    assert "Failed publickey" in server.proc.stderr(), server.proc.describe()
    # No key left: the early request (other) and the walk both fail.
    write_authorized(ak, [])
    kill_children(server)
    rc = proc.wait(RECOVERY_LIMIT)
    assert rc == 78, proc.describe()
    assert "Permission denied (publickey)." in proc.stderr(), proc.describe()


def test_aditd_second_login_signed_at_once(client, procs, aditd, peers):
    """The same against aditd, killed and restarted (one process): it
    takes the pipelined SERVICE_REQUEST and signed request in order."""
    server = aditd.start(args=["-o", "LogLevel=DEBUG"])
    echo = peers.echo()
    proc, lport = start_tunnel(client, procs, server, echo.port)
    roundtrip(lport, b"first login")
    aditd_words = (ADITD_NONE, ADITD_QUERY, ADITD_SIGNED)
    assert_requests(server, 1, 1, 1, aditd_words)
    kill_server(server)
    harness.wait_log(proc, "reconnecting in")
    restart_server(procs, server)
    wait_recovered(proc, lport, b"second login", "aditd killed")
    harness.poll(lambda: count(server.proc, ACCEPTED) >= 1, RECOVERY_LIMIT,
                 "aditd's login")
    # The restarted aditd's log: one signed request, nothing before it.
    assert_requests(server, 0, 0, 1, aditd_words)
