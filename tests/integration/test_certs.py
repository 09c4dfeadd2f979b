# SPDX-License-Identifier: ISC
"""OpenSSH certificates and aditd's key policy, against real OpenSSH: CAs
and certificates made by ssh-keygen -s, OpenSSH ssh as the client of
aditd (TrustedUserCAKeys, AuthorizedPrincipalsFile, cert-authority lines,
every refusal), from= with CIDR, RevokedKeys, several AuthorizedKeysFile
paths."""
import os
import subprocess

import pytest

import harness
from conftest import SSH_KEYGEN, keygen
from paths import roundtrip


class Ca:
    """A CA and a user key, both fresh for one test."""

    def __init__(self, d, key_type=("-t", "ed25519")):
        self.dir = d
        self.key = keygen(os.path.join(d, "ca"), ("-t", "ed25519"), "ca")
        self.user_key = keygen(os.path.join(d, "user"), key_type, "user")
        self.n = 0

    def pub(self):
        with open(self.key + ".pub") as f:
            return f.read().strip()

    def sign(self, principals, validity="-1h:+1h", opts=()):
        """A certificate for the user key; returns its path."""
        self.n += 1
        out = os.path.join(self.dir, "cert%d" % self.n)
        subprocess.run(["cp", self.user_key + ".pub", out + ".pub"],
                       check=True, timeout=30)
        argv = [SSH_KEYGEN, "-q", "-s", self.key, "-I", "id-%d" % self.n,
                "-z", str(self.n), "-V", validity]
        if principals is not None:
            argv += ["-n", principals]
        for o in opts:
            argv += ["-O", o]
        subprocess.run(argv + [out + ".pub"], check=True, timeout=30,
                       stdin=subprocess.DEVNULL, capture_output=True)
        return out + "-cert.pub"


@pytest.fixture
def ca(tmp_path):
    d = tmp_path / "ca"
    d.mkdir()
    return Ca(str(d))


def _empty_keys(tmp_path, text=""):
    path = str(tmp_path / "authorized_keys_certs")
    with open(path, "w") as f:
        f.write(text)
    return path


def _start(aditd, tmp_path, ca, ak_text="", extra=None):
    if extra is None:
        extra = ["TrustedUserCAKeys %s.pub" % ca.key]
    return aditd.start(authorized_keys=_empty_keys(tmp_path, ak_text),
                       extra=extra)


def _cert_opts(cert):
    return ["CertificateFile=%s" % cert]


def _login_ok(client, server, peers, ca, cert, kind="ssh"):
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port, _cert_opts(cert),
                             key=ca.user_key)
    roundtrip(lport, b"cert")


def _refused(client, server, ca, cert, log_text):
    rc, err = client.run("ssh", server.port, key=ca.user_key,
                         opts=_cert_opts(cert))
    assert rc == 255, err
    assert "Permission denied (publickey)." in err
    harness.wait_log(server.proc, log_text)


@pytest.mark.parametrize("key_type", [
    pytest.param(("-t", "ed25519"), id="ed25519"),
    pytest.param(("-t", "ecdsa", "-b", "256"), id="ecdsa"),
    pytest.param(("-t", "rsa", "-b", "2048"), id="rsa"),
])
def test_trusted_user_ca(key_type, client, aditd, peers, home, tmp_path):
    d = tmp_path / ("ca_%s" % key_type[1])
    d.mkdir()
    c = Ca(str(d), key_type)
    cert = c.sign(home.user)
    server = _start(aditd, tmp_path, c)
    _login_ok(client, server, peers, c, cert)
    harness.wait_log(server.proc, "Accepted publickey for %s from 127.0.0.1"
                     % home.user)
    harness.wait_log(server.proc, "-CERT SHA256:")
    harness.wait_log(server.proc, " ID id-1 (serial 1) CA ED25519 SHA256:")


def test_cert_authority_line(client, aditd, peers, home, tmp_path, ca):
    cert = ca.sign(home.user)
    server = _start(aditd, tmp_path, ca, "cert-authority %s\n" % ca.pub(),
                    extra=[])
    _login_ok(client, server, peers, ca, cert)


def test_cert_authority_principals(client, aditd, peers, home, tmp_path, ca):
    """principals="..." replaces the user name as the principal to find."""
    cert = ca.sign("ops,dba")
    server = _start(aditd, tmp_path, ca,
                    'cert-authority,principals="web,dba" %s\n' % ca.pub(),
                    extra=[])
    _login_ok(client, server, peers, ca, cert)
    other = ca.sign(home.user)
    _refused(client, server, ca, other,
             "Certificate does not contain an authorized principal")


def test_trusted_ca_then_cert_authority(client, aditd, peers, home,
                                        tmp_path, ca):
    """Not admitted by TrustedUserCAKeys (the user is not a principal), a
    certificate may still be admitted by a cert-authority line, as sshd
    tries both."""
    server = _start(aditd, tmp_path, ca,
                    'cert-authority,principals="ops" %s\n' % ca.pub())
    _login_ok(client, server, peers, ca, ca.sign("ops"))
    harness.wait_log(server.proc, "name is not a listed principal")


def test_authorized_principals_file(client, aditd, peers, home, tmp_path,
                                    ca):
    pdir = tmp_path / "principals"
    pdir.mkdir()
    (pdir / home.user).write_text("# who may log in as this user\n"
                                  'from="127.0.0.0/8" ops\n')
    server = _start(aditd, tmp_path, ca, extra=[
        "TrustedUserCAKeys %s.pub" % ca.key,
        "AuthorizedPrincipalsFile %s/%%u" % pdir])
    _login_ok(client, server, peers, ca, ca.sign("ops"))
    # The user's own name is not enough once a principals file is used.
    _refused(client, server, ca, ca.sign(home.user),
             "no principal of the certificate is in the "
             "AuthorizedPrincipalsFile")


@pytest.mark.parametrize("line,log_text", [
    ('from="10.0.0.0/8" ops', "not from a permitted host"),
    ('expiry-time="20200101Z" ops', "key has expired"),
], ids=["from", "expiry-time"])
def test_principals_file_line_conditions(line, log_text, client, aditd, home,
                                         tmp_path, ca):
    """As sshd: the from= and expiry-time of the matching line of the
    AuthorizedPrincipalsFile hold, as on an authorized_keys line."""
    pdir = tmp_path / "principals"
    pdir.mkdir()
    (pdir / home.user).write_text(line + "\n")
    server = _start(aditd, tmp_path, ca, extra=[
        "TrustedUserCAKeys %s.pub" % ca.key,
        "AuthorizedPrincipalsFile %s/%%u" % pdir])
    _refused(client, server, ca, ca.sign("ops"), log_text)


@pytest.mark.parametrize("principals,validity,opts,log_text", [
    pytest.param(None, "-1h:+1h", (), "Certificate invalid: expired",
                 id="expired"),
    pytest.param("someone-else", "-1h:+1h", (),
                 "Certificate invalid: name is not a listed principal",
                 id="wrong-principal"),
    pytest.param(None, "+1h:+2h", (), "Certificate invalid: not yet valid",
                 id="not-yet-valid"),
    pytest.param(None, "-1h:+1h", ("critical:frob@example.com=1",),
                 'Certificate critical option "frob@example.com" is not '
                 "supported", id="unknown-critical"),
    pytest.param(None, "-1h:+1h", ("source-address=10.0.0.0/8",),
                 "not from a permitted source address", id="source-address"),
    pytest.param("", "-1h:+1h", (), "Certificate lacks principal list",
                 id="no-principals"),
])
def test_cert_refused(principals, validity, opts, log_text, client, aditd,
                      home, tmp_path, ca):
    if principals is None:
        principals = home.user
    if log_text.endswith("expired"):
        validity = "20000101:20010101"
    server = _start(aditd, tmp_path, ca)
    _refused(client, server, ca,
             ca.sign(principals or None, validity, opts), log_text)


def test_cert_ca_not_trusted(client, aditd, home, tmp_path, ca):
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Ca(str(other_dir))
    server = _start(aditd, tmp_path, other)
    _refused(client, server, ca, ca.sign(home.user), "CA not trusted")


def test_cert_source_address_hit(client, aditd, peers, home, tmp_path, ca):
    cert = ca.sign(home.user, opts=("source-address=10.0.0.0/8,127.0.0.0/8",
                                    "force-command=/bin/false"))
    server = _start(aditd, tmp_path, ca)
    _login_ok(client, server, peers, ca, cert)
    harness.wait_log(server.proc, "aditd runs no commands")


def test_cert_without_port_forwarding(client, aditd, peers, home, tmp_path,
                                      ca):
    """Login works; every forward is refused, with the reason logged."""
    cert = ca.sign(home.user, opts=("clear", "permit-pty"))
    server = _start(aditd, tmp_path, ca)
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port, _cert_opts(cert),
                             key=ca.user_key)
    with pytest.raises((AssertionError, OSError)):
        roundtrip(lport, b"refused")
    harness.wait_log(server.proc, "has no permit-port-forwarding")
    harness.wait_log(server.proc, "but the request was denied")


def test_revoked_key(client, aditd, home, tmp_path, ca):
    revoked = tmp_path / "revoked"
    with open(home.key + ".pub") as f:
        revoked.write_text("# revoked\n" + f.read())
    server = aditd.start(extra=["RevokedKeys %s" % revoked])
    rc, err = client.run("ssh", server.port)
    assert rc == 255, err
    harness.wait_log(server.proc, "revoked by file %s" % revoked)


def test_revoked_ca(client, aditd, home, tmp_path, ca):
    revoked = tmp_path / "revoked"
    revoked.write_text(ca.pub() + "\n")
    server = _start(aditd, tmp_path, ca, extra=[
        "TrustedUserCAKeys %s.pub" % ca.key, "RevokedKeys %s" % revoked])
    _refused(client, server, ca, ca.sign(home.user),
             "(a certificate's CA) revoked by file")


def _keys_with_options(home, tmp_path, options):
    path = str(tmp_path / "authorized_keys_opts")
    with open(home.key + ".pub") as src, open(path, "w") as dst:
        dst.write("%s %s" % (options, src.read()))
    return path


@pytest.mark.parametrize("pattern", [
    "127.0.0.0/8", "10.0.0.0/8,127.0.0.1/32", "!10.0.0.0/8,127.0.0.0/24",
])
def test_from_cidr_hit(pattern, client, aditd, peers, home, tmp_path):
    ak = _keys_with_options(home, tmp_path, 'from="%s"' % pattern)
    server = aditd.start(authorized_keys=ak)
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"cidr")


@pytest.mark.parametrize("pattern", [
    "10.0.0.0/8", "127.0.0.0/8,!127.0.0.1/32", "127.0.0.1/8",
])
def test_from_cidr_miss(pattern, client, aditd, home, tmp_path):
    ak = _keys_with_options(home, tmp_path, 'from="%s"' % pattern)
    server = aditd.start(authorized_keys=ak)
    rc, err = client.run("ssh", server.port)
    assert rc == 255, err
    assert "Permission denied (publickey)." in err


def test_expiry_time_passed(client, aditd, home, tmp_path):
    ak = _keys_with_options(home, tmp_path, 'expiry-time="20200101Z"')
    server = aditd.start(authorized_keys=ak)
    rc, err = client.run("ssh", server.port)
    assert rc == 255, err
    harness.wait_log(server.proc, "key has expired")


def test_several_authorized_keys_files(client, aditd, peers, home, tmp_path):
    """AuthorizedKeysFile with two paths, one per user (%u) and missing."""
    per_user = tmp_path / "keys"
    per_user.mkdir()
    with open(home.key + ".pub") as f:
        (per_user / home.user).write_text(f.read())
    server = aditd.start(authorized_keys="%s/nothing %s/%%u"
                         % (tmp_path, per_user))
    echo = peers.echo()
    _, lport = client.tunnel("ssh", server, echo.port)
    roundtrip(lport, b"two files")


# --- adit as the client: user certificates and host certificates ---------

CLIENTS = [pytest.param("ssh", id="ssh"), pytest.param("adit", id="adit")]


@pytest.mark.parametrize("where", ["beside", "CertificateFile"])
@pytest.mark.parametrize("kind", CLIENTS)
def test_user_cert_against_sshd(kind, where, client, sshd_factory, peers,
                                home, ca):
    """The user key is not in authorized_keys: only its certificate,
    through sshd's TrustedUserCAKeys, lets it in."""
    cert = ca.sign(home.user)
    opts = []
    if where == "beside":
        subprocess.run(["cp", cert, ca.user_key + "-cert.pub"], check=True,
                       timeout=30)
    else:
        opts = _cert_opts(cert)
    server = sshd_factory.start(["TrustedUserCAKeys %s.pub" % ca.key])
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port, opts, key=ca.user_key)
    roundtrip(lport, b"user cert")
    harness.wait_log(server.proc, "Accepted publickey for %s" % home.user)
    harness.wait_log(server.proc, "ID id-1 (serial 1) CA ED25519")


def test_user_cert_rsa_against_sshd(client, sshd_factory, peers, home,
                                    tmp_path):
    """An RSA certificate goes as rsa-sha2-512-cert-v01@openssh.com."""
    d = tmp_path / "rsa"
    d.mkdir()
    c = Ca(str(d), ("-t", "rsa", "-b", "2048"))
    server = sshd_factory.start(["TrustedUserCAKeys %s.pub" % c.key])
    echo = peers.echo()
    _, lport = client.tunnel("adit", server, echo.port,
                             _cert_opts(c.sign(home.user)), key=c.user_key)
    roundtrip(lport, b"rsa cert")
    harness.wait_log(server.proc, "RSA-CERT SHA256:")


def _host_cert_server(sshd_factory, host_keys, ca, tmp_path, principal):
    """sshd presenting a host certificate for its ed25519 key."""
    pub = str(tmp_path / "host_ed25519.pub")
    subprocess.run(["cp", host_keys["ed25519"] + ".pub", pub], check=True,
                   timeout=30)
    subprocess.run([SSH_KEYGEN, "-q", "-s", ca.key, "-h", "-I", "host",
                    "-n", principal, "-V", "-1h:+1h", pub], check=True,
                   timeout=30, capture_output=True, stdin=subprocess.DEVNULL)
    return sshd_factory.start(["HostCertificate %s"
                               % pub.replace(".pub", "-cert.pub")])


@pytest.mark.parametrize("kind", CLIENTS)
def test_host_cert_via_cert_authority(kind, client, sshd_factory, host_keys,
                                      peers, ca, tmp_path):
    server = _host_cert_server(sshd_factory, host_keys, ca, tmp_path,
                               "127.0.0.1")
    ca_line = "@cert-authority [127.0.0.1]:%d %s\n" % (server.port, ca.pub())
    with open(client.known_hosts, "w") as f:
        f.write(ca_line)
    echo = peers.echo()
    _, lport = client.tunnel(kind, server, echo.port)
    roundtrip(lport, b"host cert")
    # Accepted through the CA: accept-new had nothing to add.
    with open(client.known_hosts) as f:
        assert f.read() == ca_line


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("case", ["other-ca", "wrong-principal"])
def test_host_cert_refused(kind, case, client, sshd_factory, host_keys, ca,
                           tmp_path):
    """Not accepted through the CA, the host key is checked as a plain key,
    which StrictHostKeyChecking=yes refuses as unknown."""
    server = _host_cert_server(sshd_factory, host_keys, ca, tmp_path,
                               "other.example" if case == "wrong-principal"
                               else "127.0.0.1")
    trusted = ca
    if case == "other-ca":
        d = tmp_path / "other"
        d.mkdir()
        trusted = Ca(str(d))
    kh = str(tmp_path / "known_hosts_ca")
    with open(kh, "w") as f:
        f.write("@cert-authority [127.0.0.1]:%d %s\n"
                % (server.port, trusted.pub()))
    rc, err = client.run(kind, server.port, strict="yes", known_hosts=kh)
    assert rc == 255, err
    assert "Host key verification failed." in err
