# SPDX-License-Identifier: ISC
"""aditd -t and -T against sshd -t and -T on the same configuration: the
keywords both implement print the same values."""
import os
import socket
import time

import harness
from paths import roundtrip
from sshsetup import SSHD

# Keywords aditd prints with the values sshd prints. Not compared:
# ciphers/kexalgorithms/macs (aditd implements fewer algorithms) and
# allowstreamlocalforwarding (aditd's default is no, sshd's yes).
SAME = ("port", "listenaddress", "hostkey", "authorizedkeysfile",
        "trustedusercakeys", "authorizedprincipalsfile", "revokedkeys",
        "loglevel", "maxauthtries", "logingracetime", "rekeylimit",
        "compression", "clientaliveinterval", "clientalivecountmax",
        "allowtcpforwarding", "disableforwarding", "gatewayports",
        "permitopen", "permitlisten", "maxsessions", "maxstartups",
        "persourcemaxstartups", "persourcenetblocksize")


def run(procs, name, argv, timeout=30):
    p = procs.start(name, argv)
    rc = p.wait(timeout)
    return rc, p.stdout(), p.stderr()


def dump(text):
    """keyword -> list of values, for the SAME keywords."""
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        if k in SAME:
            out.setdefault(k, []).append(v)
    return out


def write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def test_dump_matches_sshd(bins, procs, host_keys, home, tmp_path):
    bins.require("aditd")
    cfg = write(os.path.join(str(tmp_path), "cfg"), [
        "Port 2222",
        "ListenAddress 127.0.0.1",
        "HostKey %s" % host_keys["ed25519"],
        "AuthorizedKeysFile %s" % home.authorized_keys,
        "MaxAuthTries 3",
        "LoginGraceTime 30",
        "LogLevel VERBOSE",
        "RekeyLimit 1G 1h",
        "Compression no",
        "ClientAliveInterval 15",
        "ClientAliveCountMax 2",
        "AllowTcpForwarding local",
        "GatewayPorts clientspecified",
        "PermitOpen localhost:22 127.0.0.1:*",
        "PermitListen 8080",
        "MaxSessions 3",
        "MaxStartups 5:40:20",
        "PerSourceMaxStartups 4",
        "PerSourceNetBlockSize 24:56",
    ])
    rc, ours, err = run(procs, "aditd", [bins.aditd, "-T", "-f", cfg])
    assert rc == 0, err
    rc, theirs, err = run(procs, "sshd", [SSHD, "-T", "-f", cfg])
    assert rc == 0, err
    ours, theirs = dump(ours), dump(theirs)
    assert set(ours) == set(SAME)
    for k in SAME:
        assert sorted(ours[k]) == sorted(theirs.get(k, [])), k
    assert ours["permitlisten"] == ["*:8080"]


MATCH_SPECS = [
    "user=alice,addr=10.1.2.3,host=h,laddr=127.0.0.1,lport=2222",
    "user=bob,addr=192.168.1.5,host=h,laddr=127.0.0.1,lport=22",
    "user=carol,addr=10.9.9.9,host=gw.example,laddr=127.0.0.2,lport=22",
]


def test_dump_match_matches_sshd(bins, procs, host_keys, home, tmp_path):
    """aditd -T -C prints what sshd -T -C prints for the same Match blocks
    and connection: the first value of each keyword among the matching
    blocks wins over the global one."""
    bins.require("aditd")
    cfg = write(os.path.join(str(tmp_path), "cfg"), [
        "Port 2222",
        "ListenAddress 127.0.0.1",
        "HostKey %s" % host_keys["ed25519"],
        "AuthorizedKeysFile %s" % home.authorized_keys,
        "AllowTcpForwarding yes",
        "PermitOpen 127.0.0.1:80",
        "MaxSessions 4",
        "Match User alice,!bob Address 10.0.0.0/8",
        "  AllowTcpForwarding local",
        "  PermitOpen 127.0.0.1:22 localhost:*",
        "  MaxAuthTries 2",
        "Match LocalPort 22",
        "  GatewayPorts clientspecified",
        "  MaxSessions 1",
        "  ClientAliveInterval 30",
        "Match Host gw.* LocalAddress 127.0.0.2",
        "  DisableForwarding yes",
        "  AuthorizedKeysFile /etc/keys/%u",
        "  PermitListen 8080",
        "Match All",
        "  AllowTcpForwarding no",
        "  ClientAliveCountMax 9",
    ])
    for spec in MATCH_SPECS:
        rc, ours, err = run(procs, "aditd", [bins.aditd, "-T", "-f", cfg,
                                             "-C", spec])
        assert rc == 0, err
        rc, theirs, err = run(procs, "sshd", [SSHD, "-T", "-f", cfg,
                                              "-C", spec])
        assert rc == 0, err
        ours, theirs = dump(ours), dump(theirs)
        for k in SAME:
            assert sorted(ours[k]) == sorted(theirs.get(k, [])), (spec, k)


def test_match_refused_as_sshd(bins, procs, tmp_path):
    """A keyword a Match block may not hold, and bad criteria, are
    refused with sshd's words."""
    bins.require("aditd")
    for lines, words in [
            (["Match User a", "  Port 22"],
             "Directive 'Port' is not allowed within a Match block"),
            (["Match All User a"],
             "'all' cannot be combined with other Match attributes"),
            (["Match"], "no argument after keyword \"Match\""),
            (["Match Address 10.0.0.1/8"],
             "Invalid Match address argument '10.0.0.1/8'"),
            (["Match User a", "  LogLevel DEBUG"],
             "not supported within a Match block by aditd")]:
        cfg = write(os.path.join(str(tmp_path), "cfg"), lines)
        rc, out, err = run(procs, "aditd", [bins.aditd, "-t", "-f", cfg])
        assert rc == 1 and words in err, (lines, err)
    cfg = write(os.path.join(str(tmp_path), "cfg"),
                ["Match LocalPort 22", "  MaxSessions 1"])
    rc, out, err = run(procs, "aditd", [bins.aditd, "-T", "-f", cfg,
                                        "-C", "user=a"])
    assert rc == 1
    assert "'Match LocalPort' in configuration but 'lport' not in " \
        "connection test specification." in err


def test_dump_defaults(bins, procs, host_keys, tmp_path):
    """Unset keywords print the values aditd uses; finite-field DH is not
    among aditd's default kex methods."""
    bins.require("aditd")
    cfg = write(os.path.join(str(tmp_path), "cfg"),
                ["HostKey %s" % host_keys["ed25519"]])
    rc, out, err = run(procs, "aditd", [bins.aditd, "-T", "-f", cfg])
    assert rc == 0, err
    lines = out.splitlines()
    for want in ("port 22", "listenaddress 0.0.0.0:22", "loglevel INFO",
                 "maxauthtries 6", "logingracetime 120",
                 "allowstreamlocalforwarding no", "permitopen any",
                 "maxsessions 10", "maxstartups 10:30:100",
                 "persourcemaxstartups none", "persourcenetblocksize 32:128",
                 "persourcepenalties crash:90 authfail:5 noauth:1 "
                 "grace-exceeded:10 max:600 min:15 max-sources4:65536 "
                 "max-sources6:65536 overflow:permissive "
                 "overflow6:permissive",
                 "persourcepenaltyexemptlist none",
                 "authorizedkeysfile %s" % os.path.join(str(tmp_path),
                                                        "authorized_keys")):
        assert want in lines
    kex = [v for v in lines if v.startswith("kexalgorithms ")]
    assert kex == ["kexalgorithms curve25519-sha256,"
                   "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
                   "ecdh-sha2-nistp384,ecdh-sha2-nistp521"]


def test_check_and_dump_refuse_bad_line(bins, procs, tmp_path):
    """-t and -T name the bad line on stderr and exit 1, as sshd -t."""
    bins.require("aditd")
    cfg = write(os.path.join(str(tmp_path), "cfg"),
                ["Port 2222", "NoSuchKeyword yes"])
    for flag in ("-t", "-T"):
        rc, out, err = run(procs, "aditd", [bins.aditd, flag, "-f", cfg])
        assert rc == 1
        assert out == ""
        assert "%s line 2: Bad configuration option: NoSuchKeyword" % cfg \
            in err


def test_hostkey_algorithms(client, aditd, host_keys, peers, bins, procs,
                            tmp_path):
    """HostKeyAlgorithms limits what aditd offers for its keys: with an
    RSA key and rsa-sha2-256 only, ssh asking for rsa-sha2-512 finds no
    match, and rsa-sha2-256 works."""
    server = aditd.start(host_key=host_keys["rsa"],
                         extra=["HostKeyAlgorithms rsa-sha2-256"])
    rc, err = client.run("ssh", server.port,
                         opts=["HostKeyAlgorithms=rsa-sha2-512"])
    assert rc == 255
    assert "no matching host key type found" in err
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port,
                             ["HostKeyAlgorithms=rsa-sha2-256"])
    roundtrip(lport, b"hostkeyalgorithms" * 100)
    cfg = write(os.path.join(str(tmp_path), "cfg"),
                ["HostKeyAlgorithms rsa-sha2-256,ssh-ed25519",
                 "PubkeyAcceptedAlgorithms ssh-ed25519"])
    rc, out, err = run(procs, "aditd", [bins.aditd, "-T", "-f", cfg])
    assert rc == 0, err
    assert "hostkeyalgorithms rsa-sha2-256,ssh-ed25519" in out.splitlines()
    assert "pubkeyacceptedalgorithms ssh-ed25519" in out.splitlines()


def test_pubkey_accepted_algorithms(client, aditd, peers):
    """PubkeyAcceptedAlgorithms: a user key of another algorithm is
    refused (ssh's "Permission denied (publickey)."), one listed works."""
    server = aditd.start(extra=["PubkeyAcceptedAlgorithms rsa-sha2-512"])
    rc, err = client.run("ssh", server.port)
    assert rc == 255
    assert "Permission denied (publickey)" in err
    server = aditd.start(extra=["PubkeyAcceptedAlgorithms ssh-ed25519"])
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"pubkeyacceptedalgorithms" * 100)


def test_max_auth_tries(client, aditd, home, peers, procs):
    """MaxAuthTries counts refused keys as sshd does: with 1, a first key
    that is not authorized ends the connection ("Too many authentication
    failures"); with 2, the second, authorized key gets in."""
    def argv(port):
        a = client.argv("ssh", port, key=home.stranger_key)
        i = a.index("-i")
        return a[:i] + ["-i", home.stranger_key, "-i", home.key] + a[i + 2:]

    server = aditd.start(extra=["MaxAuthTries 1"])
    p = procs.start("ssh", argv(server.port))
    assert p.wait(60) == 255
    assert "Too many authentication failures" in p.stderr()
    server = aditd.start(extra=["MaxAuthTries 2"])
    echo = peers.echo()
    lport = harness.free_port()
    p = procs.start("ssh", argv(server.port)[:-1] +
                    ["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, echo.port),
                     argv(server.port)[-1]])
    harness.wait_listening(p, lport)
    roundtrip(lport, b"maxauthtries" * 100)


def test_login_grace_time(aditd):
    """LoginGraceTime: a client that connects and never authenticates is
    dropped after the grace time, as sshd does."""
    server = aditd.start(extra=["LoginGraceTime 2"])
    with socket.create_connection(("127.0.0.1", server.port),
                                  timeout=30) as s:
        s.sendall(b"SSH-2.0-silent_test\r\n")
        start = time.monotonic()
        # Bounded: the banner and KEXINIT come, then EOF at about 2 s.
        got = harness.recv_all(s)
        elapsed = time.monotonic() - start
    assert got.startswith(b"SSH-2.0-")
    assert 1.5 <= elapsed < 20


def test_log_file(client, aditd, procs, peers, tmp_path):
    """aditd -E file: the log is appended there (the login line with user,
    key and source), nothing goes to stderr; the file is mode 0600."""
    log = str(tmp_path / "aditd.log")
    with open(log, "w") as f:
        f.write("an earlier line\n")
    os.chmod(log, 0o600)
    server = aditd.start(args=["-E", log])
    echo = peers.echo()
    proc, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"through aditd -E")

    def logged():
        with open(log) as f:
            text = f.read()
        return "Accepted publickey for" in text and text
    text = harness.poll(logged, 30, "the login line in aditd's -E file")
    assert text.startswith("an earlier line\n")
    assert "SHA256:" in text and "127.0.0.1" in text
    assert server.proc.stderr().strip() == ""
    assert os.stat(log).st_mode & 0o777 == 0o600
