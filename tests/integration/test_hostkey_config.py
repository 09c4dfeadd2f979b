# SPDX-License-Identifier: ISC
"""Host key settings as ssh applies them, with real ssh side by side:
each -J hop checks its key with its own Host block's UserKnownHostsFile,
StrictHostKeyChecking and HostKeyAlias (ssh runs one ssh per hop);
HostKeyAlias for lookup and recording; every file of UserKnownHostsFile
and GlobalKnownHostsFile read, new keys written to the first user file.
Every server is a real OpenSSH sshd on loopback with a key of its own."""
import os

import pytest

import harness
from conftest import SSH
from test_reach import hops, run_stdio  # noqa: F401 (hops is a fixture)

KINDS = ["ssh", "adit"]


def line_of(hop, name=None):
    """A known_hosts line for hop under name (default "[127.0.0.1]:port")."""
    with open(hop.key + ".pub") as f:
        kt, blob = f.read().split()[:2]
    return "%s %s %s\n" % (name or "[127.0.0.1]:%d" % hop.port, kt, blob)


def write(path, text):
    with open(str(path), "w") as f:
        f.write(text)
    return str(path)


def prog(bins, kind):
    bins.require(kind)
    return SSH if kind == "ssh" else bins.adit


def run_w(bins, home, kind, conf, dest, echo_port, data=b"hello hops\n"):
    """prog -F conf -W echo dest with data on stdin; (rc, out, err)."""
    argv = [prog(bins, kind), "-F", str(conf), "-W",
            "127.0.0.1:%d" % echo_port, dest]
    return run_stdio(argv, data, home.env)


def base_block(home, tmp_path):
    """Host * settings both clients need and ssh would otherwise take from
    the real home directory (ssh's ~ is the passwd entry's, not $HOME)."""
    return ("Host *\n  BatchMode yes\n  IdentityFile %s\n"
            "  IdentitiesOnly yes\n  GlobalKnownHostsFile /dev/null\n"
            "  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n"
            "  ConnectTimeout 20\n"
            % (home.key, tmp_path / "default_known_hosts"))


def jump_conf(home, tmp_path, h1, h2, target, h1_extra="", h2_extra=""):
    """hop1 -> hop2 -> target, each with its own known_hosts file."""
    text = ""
    for name, hop, extra, jump in (("hop1", h1, h1_extra, None),
                                   ("hop2", h2, h2_extra, "hop1"),
                                   ("target", target, "", "hop2")):
        text += ("Host %s\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
                 "  UserKnownHostsFile %s\n%s"
                 % (name, hop.port, home.user,
                    tmp_path / ("kh_" + name), extra))
        if jump:
            text += "  ProxyJump %s\n" % jump
    conf = write(tmp_path / "config", text + base_block(home, tmp_path))
    os.chmod(conf, 0o600)
    return conf


# ---- -J: every hop its own known_hosts, strictness and alias -------------

@pytest.mark.parametrize("kind", KINDS)
def test_hops_use_their_own_known_hosts(kind, bins, home, hops, peers,
                                        tmp_path):
    """Each file holds only its own host's key: a client that checked a hop
    against the target's file (or the default) would fail."""
    h1, h2, target = hops(), hops(), hops()
    conf = jump_conf(home, tmp_path, h1, h2, target,
                     h2_extra="  HostKeyAlias hop2-alias\n")
    write(tmp_path / "kh_hop1", line_of(h1))
    write(tmp_path / "kh_hop2", line_of(h2, "hop2-alias"))
    write(tmp_path / "kh_target", line_of(target))
    echo = peers.echo()
    data = harness.payload_of(120000, seed=4)
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port, data)
    assert rc == 0, err
    assert out == data
    for h in (h1, h2, target):
        harness.wait_log(h.proc, "Accepted publickey")


@pytest.mark.parametrize("kind", KINDS)
def test_hop_key_only_in_target_file_fails(kind, bins, home, hops, peers,
                                           tmp_path):
    """hop1's key is only in the target's file: hop1 (strict, its own file
    empty) refuses with ssh's words and nothing reaches the target."""
    h1, h2, target = hops(), hops(), hops()
    conf = jump_conf(home, tmp_path, h1, h2, target)
    write(tmp_path / "kh_hop1", "")
    write(tmp_path / "kh_hop2", line_of(h2))
    write(tmp_path / "kh_target", line_of(target) + line_of(h1))
    echo = peers.echo()
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 255, err
    assert ("No ED25519 host key is known for [127.0.0.1]:%d and you have "
            "requested strict checking." % h1.port) in err, err
    assert "Host key verification failed." in err, err
    assert "Accepted publickey" not in target.proc.stderr()


@pytest.mark.parametrize("kind", KINDS)
def test_hop_accept_new_records_in_its_own_file(kind, bins, home, hops,
                                                 peers, tmp_path):
    """StrictHostKeyChecking accept-new in hop1's block only: hop1's key is
    added to hop1's file, under hop1's alias; the others stay strict."""
    h1, h2, target = hops(), hops(), hops()
    conf = jump_conf(home, tmp_path, h1, h2, target,
                     h1_extra="  StrictHostKeyChecking accept-new\n"
                              "  HostKeyAlias first-hop\n")
    write(tmp_path / "kh_hop2", line_of(h2))
    write(tmp_path / "kh_target", line_of(target))
    echo = peers.echo()
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 0, err
    assert out == b"hello hops\n"
    assert ("Warning: Permanently added 'first-hop' (ED25519) to the list "
            "of known hosts.") in err, err
    with open(tmp_path / "kh_hop1") as f:
        assert f.read() == line_of(h1, "first-hop")
    with open(tmp_path / "kh_target") as f:
        assert f.read() == line_of(target)


# ---- HostKeyAlias and the file lists ------------------------------------

def direct_conf(home, tmp_path, server, extra):
    text = ("Host target\n  HostName 127.0.0.1\n  Port %d\n  User %s\n%s"
            % (server.port, home.user, extra))
    conf = write(tmp_path / "config", text + base_block(home, tmp_path))
    os.chmod(conf, 0o600)
    return conf


@pytest.mark.parametrize("kind", KINDS)
def test_host_key_alias_lookup_and_mismatch(kind, bins, home, hops, peers,
                                            tmp_path):
    """The key is looked up under the alias alone (no port); a key for the
    real name does not count, and a wrong key under the alias is a changed
    key in ssh's words."""
    srv, other = hops(), hops()
    kh = tmp_path / "kh"
    conf = direct_conf(home, tmp_path, srv,
                       "  HostKeyAlias db-alias\n  UserKnownHostsFile %s\n"
                       % kh)
    echo = peers.echo()
    write(kh, line_of(srv, "db-alias"))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 0, err
    write(kh, line_of(srv))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 255, err
    assert "No ED25519 host key is known for db-alias" in err, err
    write(kh, line_of(other, "db-alias"))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 255, err
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in err, err
    assert "Offending ED25519 key in %s:1" % kh in err, err


@pytest.mark.parametrize("kind", KINDS)
def test_every_known_hosts_file_is_read(kind, bins, home, hops, peers,
                                        tmp_path):
    """The key in the second user file, or in the second global file, is
    found; a changed key names the file and line it was found in and the
    first user file as the one to fix."""
    srv, other = hops(), hops()
    u1, u2 = tmp_path / "u1", tmp_path / "u2"
    g1, g2 = tmp_path / "g1", tmp_path / "g2"
    conf = direct_conf(home, tmp_path, srv,
                       "  UserKnownHostsFile %s %s\n"
                       "  GlobalKnownHostsFile %s %s\n" % (u1, u2, g1, g2))
    echo = peers.echo()
    for f in (u1, u2, g1, g2):
        write(f, "")
    write(u2, line_of(srv))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 0, err
    write(u2, "")
    write(g2, "# a comment\n" + line_of(srv))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 0, err
    write(g2, "# a comment\n" + line_of(other, "[127.0.0.1]:%d" % srv.port))
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 255, err
    assert "Add correct host key in %s to get rid of this message." % u1 \
        in err, err
    assert "Offending ED25519 key in %s:2" % g2 in err, err


@pytest.mark.parametrize("kind", KINDS)
def test_accept_new_writes_first_user_file(kind, bins, home, hops, peers,
                                           tmp_path):
    """accept-new with two user files: the key goes to the first, under
    HostKeyAlias when one is set; the second is left alone."""
    srv = hops()
    u1, u2 = tmp_path / "u1", tmp_path / "u2"
    write(u2, "# second\n")
    conf = direct_conf(home, tmp_path, srv,
                       "  UserKnownHostsFile %s %s\n"
                       "  StrictHostKeyChecking accept-new\n"
                       "  HostKeyAlias web-1\n" % (u1, u2))
    echo = peers.echo()
    rc, out, err = run_w(bins, home, kind, conf, "target", echo.port)
    assert rc == 0, err
    with open(u1) as f:
        assert f.read() == line_of(srv, "web-1")
    with open(u2) as f:
        assert f.read() == "# second\n"
