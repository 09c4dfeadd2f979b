# SPDX-License-Identifier: ISC
"""User and key enumeration (issue 7): aditd must answer a user it knows
and one it does not, and a key it knows (another user's) and one it has
never seen, with the same bytes.

A raw client (rawssh.py) records every payload aditd sends after NEWKEYS,
decrypted, for: the "none" probe, a publickey query without signature,
and a signed publickey request. The sequences must be identical across
users and keys; only the right key for the right user may differ (and the
test checks that it does, so it can tell). Reply times are recorded and
printed, not asserted tightly.
"""
import os
import statistics

import pytest

import rawssh
from rawssh import RawSsh
from sshsetup import keygen

REPEAT = 5
# Far above any honest difference on a loaded machine; catches only a
# deliberate delay for one kind of user or key.
LOOSE_DELAY_MS = 1000.0


@pytest.fixture
def enum_server(aditd, home, tmp_path):
    """aditd with per-user key files: alice and bob have one each (bob's
    holds another key), mallory has none."""
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    bob_key = keygen(tmp_path / "bob_key")
    with open(home.key + ".pub") as f:
        (keys_dir / "alice.keys").write_text(f.read())
    with open(bob_key + ".pub") as f:
        (keys_dir / "bob.keys").write_text(f.read())
    server = aditd.start(authorized_keys=os.path.join(str(keys_dir),
                                                      "%u.keys"))
    server.alice_key = rawssh.load_ed25519(home.key)
    server.stranger_key = rawssh.load_ed25519(home.stranger_key)
    return server


def probe(port, user, key):
    """The payloads aditd sends, and how long each reply took (ms), for
    none, a query, then a signed request."""
    with RawSsh(port) as c:
        c.kex()
        c.service_request()
        first = len(c.received)
        times = []
        for step in (lambda: c.auth_none(user),
                     lambda: c.auth_query(user, key),
                     lambda: c.auth_signed(user, key)):
            t0 = rawssh.monotonic_ms()
            step()
            times.append(rawssh.monotonic_ms() - t0)
        return c.received[first:], times


def test_same_bytes_for_every_user_and_key(enum_server):
    port = enum_server.port
    cases = {
        ("bob", "alice's key"): ("bob", enum_server.alice_key),
        ("bob", "unknown key"): ("bob", enum_server.stranger_key),
        ("mallory", "alice's key"): ("mallory", enum_server.alice_key),
        ("mallory", "unknown key"): ("mallory", enum_server.stranger_key),
    }
    replies, times = {}, {}
    for _ in range(REPEAT):
        for name, (user, key) in cases.items():
            got, t = probe(port, user, key)
            assert replies.setdefault(name, got) == got, name
            times.setdefault(name, []).append(t)
    reference = replies[("bob", "unknown key")]
    for name, got in replies.items():
        assert got == reference, "%s: %r != %r" % (name, got, reference)
    # Three USERAUTH_FAILURE, each listing publickey only, nothing else.
    assert [p[0] for p in reference] == [rawssh.MSG_USERAUTH_FAILURE] * 3
    assert reference[0] == (bytes([rawssh.MSG_USERAUTH_FAILURE])
                            + rawssh.string("publickey") + b"\0")

    # The right key for the right user does differ: PK_OK, then SUCCESS.
    good, _ = probe(port, "alice", enum_server.alice_key)
    assert [p[0] for p in good] == [rawssh.MSG_USERAUTH_FAILURE,
                                    rawssh.MSG_USERAUTH_PK_OK,
                                    rawssh.MSG_USERAUTH_SUCCESS]

    medians = {}
    for name, runs in times.items():
        medians[name] = [statistics.median(r[i] for r in runs)
                         for i in range(3)]
        print("%-26s none %6.2f ms  query %6.2f ms  signed %6.2f ms"
              % (("%s, %s" % name,) + tuple(medians[name])))
    for i in range(3):
        column = [m[i] for m in medians.values()]
        assert max(column) - min(column) < LOOSE_DELAY_MS, medians
