# SPDX-License-Identifier: ISC
"""An idle connection's timers: a rekey by time (RekeyLimit's second
field) comes on aditd's side while the tunnel carries nothing, again and
again, and the tunnel works after them."""
import harness
from paths import roundtrip

REKEYS = 2
# seconds, for REKEYS rekeys 3 s apart (the test takes about 6 s): long
# enough for the connection to be idle between them
REKEY_TIMEOUT = 60


def test_rekey_by_time_while_idle(client, aditd, peers):
    server = aditd.start(extra=["RekeyLimit default 3"],
                         args=["-o", "LogLevel=DEBUG"])
    echo = peers.echo()
    proc, lport = client.tunnel("adit", server, echo.port)
    roundtrip(lport, b"before")
    base = server.proc.stderr().count("rekeying")

    def rekeyed():
        assert proc.alive(), "adit exited while idle: " + proc.describe()
        return server.proc.stderr().count("rekeying") >= base + REKEYS
    harness.poll(rekeyed, REKEY_TIMEOUT, "%d rekeys by time in aditd's log"
                 % REKEYS)
    roundtrip(lport, b"after the rekeys " * 1000)
    assert proc.alive()
