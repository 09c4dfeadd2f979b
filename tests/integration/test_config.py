# SPDX-License-Identifier: ISC
"""ssh_config files and the command line, with ssh as the reference:
`adit -G` prints what `ssh -G` prints for the keywords adit implements
(Host, Match and Include blocks, first value wins, list keywords, forward
specifications, tokens), configuration errors give ssh's messages and exit
status, and a tunnel set up only through ~/.ssh/config carries data
through a real sshd."""
import os
import pwd
import shutil
import subprocess

import pytest

import harness
from conftest import SSH
from paths import roundtrip

# Everything the -G comparison sets explicitly differs from ssh's default
# only where adit's own default differs (algorithm lists, LogLevel, the
# default identities and known_hosts files, and ForwardX11Trusted: adit
# keeps OpenSSH's "no", Debian's ssh is patched to "yes").
MAIN_CONF = """\
# adit -G must print what ssh -G prints
Host bastion
    HostName 127.0.0.1
    Port 2201
    User jumper

Host db-* !db-secret
    HostName %h.internal
    LocalForward 5432 localhost:5432
    LocalForward 127.0.0.1:6379 [::1]:6379
    LocalForward /tmp/adit-%h-%u.sock db:5432
    RemoteForward /tmp/%C.sock ${{ADIT_CFG_SOCK}}
    RemoteForward 0 localhost:22
    RemoteForward 9000
    RemoteForward [::1]:9001 /run/r.sock
    DynamicForward [::1]:1080
    DynamicForward 1081
    ForwardAgent ${{ADIT_CFG_DIR}}/agent-%u.sock
    ForwardX11 yes
    ProxyJump bastion
    ServerAliveInterval 15
    Compression yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    NumberOfPasswordPrompts 5
    PreferredAuthentications keyboard-interactive,password

Match originalhost db-one user alice
    IdentityFile ~/.ssh/alice_%h
    CertificateFile ~/.ssh/alice-cert.pub

Match host *.internal localuser {localuser}
    ConnectTimeout 7
    ConnectionAttempts 3

Include {incdir}/*.conf

Host proxied
    ProxyCommand nc -X connect %h %p
    ProxyJump ignored-because-proxycommand-came-first

Host *
    User nobody
    Port 22
    Ciphers aes128-ctr,aes256-gcm@openssh.com
    KexAlgorithms curve25519-sha256
    MACs hmac-sha2-256
    HostKeyAlgorithms ssh-ed25519
    PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-256
    LogLevel VERBOSE
    IdentityFile ~/.ssh/id_test
    UserKnownHostsFile {tmp}/known_hosts {tmp}/known_hosts_%h
    GlobalKnownHostsFile {tmp}/global_known_hosts
    StrictHostKeyChecking accept-new
    SendEnv LANG LC_*
    SetEnv FOO=bar BAZ=2
    ControlPath {tmp}/cm-%r@%h:%p-%C
    IgnoreUnknown Bogus*
    BogusOption 1
    RekeyLimit 1G 1h
    PermitRemoteOpen localhost:80 [::1]:443
    ExitOnForwardFailure yes
    ServerAliveCountMax 5
    ServerAliveInterval 0
    TCPKeepAlive no
    AddressFamily inet
    BatchMode yes
    HashKnownHosts yes
    IdentitiesOnly yes
    GatewayPorts no
    BindAddress 127.0.0.1
    HostKeyAlias alias-%h
    IdentityAgent ${{ADIT_CFG_DIR}}/agent.sock
    LocalCommand echo %n
    PermitLocalCommand yes
    ForwardX11Trusted no
    ForwardX11Timeout 10m
    XAuthLocation /opt/X11/bin/xauth
"""

INCLUDED = {
    "10-a.conf": """\
Host db-one
    ServerAliveCountMax 9
    SetEnv FIRST=1
Match final host *.internal
    StreamLocalBindUnlink yes
""",
    "20-b.conf": """\
Host db-two
    Port 2222
    RequestTTY force
""",
}

G_CASES = [
    pytest.param(["-l", "alice", "db-one"], id="match-include-final"),
    pytest.param(["db-two"], id="include-second-file"),
    pytest.param(["db-secret"], id="negated-host"),
    pytest.param(["bastion"], id="plain-host"),
    pytest.param(["proxied"], id="proxycommand-first"),
    pytest.param(["ssh://bob@DB-Three:2200"], id="uri"),
    pytest.param(["-o", "User=x", "-p", "2", "-L", "1:h:2", "-R", "3",
                  "-D", "4", "-C", "-N", "-f", "-T", "-4", "-g", "-a", "-x",
                  "-o", "SessionType=subsystem", "-l", "y", "db-one"],
                 id="flags-first-wins"),
    pytest.param(["-n", "-6", "-v", "-v", "-o", "LogLevel=QUIET",
                  "-o", "ConnectTimeout=1m", "-o", "RekeyLimit=512K",
                  "-R", "localhost:0:/run/x.sock", "-L", "[::1]:7:h:8",
                  "-D", "*:1082", "-W", "h:22", "-J", "j@jump:2", "-A", "-Y",
                  "x@db-four"], id="flags-second"),
    pytest.param(["-M", "-S", "/tmp/cm-%C-%h-%p-%r-%u-%L-%l-%n-%i",
                  "-o", "ControlPersist=10m", "db-one"], id="mux-master"),
    pytest.param(["-M", "-M", "-o", "ControlPath=none",
                  "-o", "ControlPersist=yes", "db-two"], id="mux-ask-none"),
    pytest.param(["-o", "ControlMaster=autoask", "-o", "ControlPersist=0",
                  "-o", "ControlPath=/tmp/%h", "bastion"], id="mux-autoask"),
    pytest.param(["-o", "ControlMaster=auto", "-o", "ControlPersist=no",
                  "-S", "/a", "-S", "/b", "bastion"], id="mux-auto-last-S"),
    pytest.param(["-e", "^A", "-t", "-t", "-o", "RemoteCommand=echo %h %r",
                  "-o", "EnableEscapeCommandline=yes", "-o",
                  "PermitLocalCommand=no", "db-one"], id="session"),
    pytest.param(["-o", "EscapeChar=none", "-T", "-s", "-o",
                  "RequestTTY=yes", "-o", "RemoteCommand=none", "db-two",
                  "-e", "%", "sftp"], id="session-second"),
]


@pytest.fixture
def conf(tmp_path):
    incdir = tmp_path / "conf.d"
    incdir.mkdir()
    for name, text in INCLUDED.items():
        (incdir / name).write_text(text)
    main = tmp_path / "main.conf"
    localuser = subprocess.run(["id", "-un"], capture_output=True,
                               text=True, check=True).stdout.strip()
    main.write_text(MAIN_CONF.format(incdir=incdir, tmp=tmp_path,
                                     localuser=localuser))
    # ForwardAgent's path must exist (ExitOnForwardFailure ends ssh).
    (tmp_path / ("agent-%s.sock" % localuser)).write_text("")
    return str(main)


ADIT_ONLY = {"reconnect", "reconnectbackoff", "destinations",
             "statussocket", "metricslisten"}


def run_g(prog, args, env):
    r = subprocess.run([prog, "-G"] + args, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env=env, timeout=30)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("args", G_CASES)
def test_dump_matches_ssh(args, bins, home, conf):
    """adit -G prints ssh -G's lines, in ssh's order, for every keyword
    adit prints."""
    bins.require("adit")
    argv = ["-F", conf] + args
    env = dict(home.env, ADIT_CFG_DIR=os.path.dirname(conf),
               ADIT_CFG_SOCK="/run/target.sock")
    rc_a, out_a, err_a = run_g(bins.adit, argv, env)
    rc_s, out_s, err_s = run_g(SSH, argv, env)
    assert rc_s == 0, err_s
    assert rc_a == 0, err_a
    # adit's own keywords (Reconnect mode) have no ssh -G line.
    ours = [line for line in out_a.splitlines()
            if line.split(" ", 1)[0] not in ADIT_ONLY]
    keys = {line.split(" ", 1)[0] for line in ours}
    theirs = [line for line in out_s.splitlines()
              if line.split(" ", 1)[0] in keys]
    assert ours == theirs
    # Sanity: the comparison covers the keywords it is about.
    assert len(keys) >= 40


BAD_CONFIGS = [
    pytest.param("Port 22\nFoo 1\nBar 2\nBatchMode maybe\n", id="unknown"),
    pytest.param("IgnoreUnknown Foo\nFoo 1\nUser\n", id="ignoreunknown"),
    pytest.param("Match canonical\nPort 3\nMatch foo\n", id="match-missing"),
    pytest.param("Match all host x\n", id="match-all-combined"),
    pytest.param("Host x\nPort 3\nHost\n", id="host-empty"),
    pytest.param("Port 3 4\n", id="extra-args"),
    pytest.param("Host nomatch\n  Port 0\n", id="inactive-still-checked"),
    pytest.param("LocalForward 1\nRemoteForward 1:h\nSetEnv X\n"
                 "AddressFamily ipx\nConnectTimeout 1y\nLogLevel loud\n",
                 id="values"),
    pytest.param("Include\n", id="include-empty"),
    pytest.param("LocalForward 1:h:2\nRemoteForward 1:h:2\n"
                 "RemoteForward 1 h:2 x\nDynamicForward 1 2\n",
                 id="forward-words"),
]


@pytest.mark.parametrize("text", BAD_CONFIGS)
def test_config_errors_match_ssh(text, bins, home, tmp_path):
    """Bad files: ssh's messages, line numbers and exit status 255."""
    bins.require("adit")
    path = tmp_path / "bad.conf"
    path.write_text(text)
    rc_a, _, err_a = run_g(bins.adit, ["-F", str(path), "h"], home.env)
    rc_s, _, err_s = run_g(SSH, ["-F", str(path), "h"], home.env)
    assert rc_s == 255
    assert rc_a == 255
    assert err_a.splitlines() == [line for line in err_s.splitlines()
                                  if not line.startswith("Pseudo-terminal")]


BAD_ARGS = [
    pytest.param(["-o", "Foo=1", "h"], id="o-unknown"),
    pytest.param(["-o", "Port 1 2", "h"], id="o-extra"),
    pytest.param(["-o", "Include x", "h"], id="o-include"),
    pytest.param(["-p", "x", "h"], id="p-bad"),
    pytest.param(["-L", "0:h:1", "h"], id="L-port0"),
    pytest.param(["-R", "1:h", "h"], id="R-bad"),
    pytest.param(["-D", "x", "h"], id="D-bad"),
    pytest.param(["-F", "/nonexistent/adit-config", "h"], id="F-missing"),
    pytest.param(["-o", "ControlPath=/${ADIT_CFG_UNSET_VAR}/%h", "h"],
                 id="env-unset"),
    pytest.param(["-o", "ControlPath=/%j", "h"], id="token-unknown"),
    pytest.param(["-o", "HostName=%j", "h"], id="hostname-token"),
    pytest.param(["-o", "ControlPath=/x%", "h"], id="token-lone-percent"),
    pytest.param(["-o", "LocalForward=/tmp/%j h:1", "h"], id="fwd-token"),
    pytest.param(["-o", "ControlPath=~no-such-user-adit/cp", "h"],
                 id="tilde-user-unknown"),
    pytest.param(["-i", "~no-such-user-adit/key", "h"],
                 id="i-tilde-user-unknown"),
]


@pytest.mark.parametrize("args", BAD_ARGS)
def test_bad_arguments_match_ssh(args, bins, home):
    bins.require("adit")
    rc_a, _, err_a = run_g(bins.adit, args, home.env)
    rc_s, _, err_s = run_g(SSH, args, home.env)
    assert (rc_a, rc_s) == (255, 255)
    assert err_a.splitlines() == [line for line in err_s.splitlines()
                                  if not line.startswith("Pseudo-terminal")]


def test_usage_and_version(bins, home):
    bins.require("adit")
    r = subprocess.run([bins.adit], capture_output=True, text=True,
                       env=home.env, timeout=10)
    assert r.returncode == 255
    assert r.stderr.startswith("usage: adit [-46AaCfGgMNnqrsTtVvXxY]")
    r = subprocess.run([bins.adit, "-Z", "h"], capture_output=True,
                       text=True, env=home.env, timeout=10)
    assert r.returncode == 255
    assert r.stderr.startswith("unknown option -- Z\nusage: adit")
    r = subprocess.run([bins.adit, "-V"], capture_output=True, text=True,
                       env=home.env, timeout=10)
    assert r.returncode == 0
    assert r.stderr.startswith("adit_") and ", OpenSSL 3." in r.stderr


def test_user_and_system_files(bins, home, tmp_path):
    """Without -F: ~/.ssh/config first, then the system file; a user file
    others may write is refused as ssh refuses it; -F none reads nothing."""
    bins.require("adit")
    h = tmp_path / "home"
    (h / ".ssh").mkdir(parents=True, mode=0o700)
    user = h / ".ssh" / "config"
    user.write_text("Host h\n  Port 1111\n  Include extra.conf\n")
    user.chmod(0o600)
    (h / ".ssh" / "extra.conf").write_text("User from-include\n")
    system = tmp_path / "ssh_config"
    system.write_text("Host *\n  Port 2222\n  User sys\n"
                      "  ServerAliveInterval 9\n  GSSAPIAuthentication yes\n")
    env = dict(home.env, HOME=str(h), ADIT_HOME=str(h),
               ADIT_SSH_CONFIG_SYSTEM=str(system))
    rc, out, err = run_g(bins.adit, ["h"], env)
    assert rc == 0, err
    assert "port 1111\n" in out
    assert "user from-include\n" in out
    assert "serveraliveinterval 9\n" in out
    assert err == ""  # system-file keywords adit ignores are not shouted
    rc, out, err = run_g(bins.adit, ["-F", "none", "h"], env)
    assert rc == 0 and "port 22\n" in out and "user sys" not in out
    user.chmod(0o666)
    rc, out, err = run_g(bins.adit, ["h"], env)
    assert rc == 255
    assert "Bad owner or permissions on %s" % user in err


def test_unimplemented_keyword_warns_once(bins, home, tmp_path):
    bins.require("adit")
    path = tmp_path / "c.conf"
    path.write_text("VisualHostKey yes\nVisualHostKey no\nPort 7\n")
    rc, out, err = run_g(bins.adit, ["-F", str(path), "h"], home.env)
    assert rc == 0
    assert "port 7\n" in out
    assert err == '%s line 1: Unsupported option "VisualHostKey"\n' % path


def test_tunnel_from_config_file_only(bins, home, sshd, peers, procs,
                                      tmp_path):
    """`adit -N alias`: HostName, Port, User, IdentityFile, LocalForward,
    known_hosts and BatchMode all come from ~/.ssh/config, against a real
    sshd, with data checked byte for byte."""
    bins.require("adit")
    echo = peers.echo()
    h = tmp_path / "home"
    ssh_dir = h / ".ssh"
    ssh_dir.mkdir(parents=True, mode=0o700)
    key = ssh_dir / "tunnel_key"
    shutil.copy(home.key, key)
    key.chmod(0o600)
    last = None
    for _ in range(3):  # the free port may be taken meanwhile: retry
        lport = harness.free_port()
        cfg = ssh_dir / "config"
        cfg.write_text(
            "Host db-alias\n"
            "    HostName 127.0.0.1\n"
            "    Port %d\n"
            "    User %s\n"
            "    IdentityFile ~/.ssh/tunnel_key\n"
            "    LocalForward 127.0.0.1:%d 127.0.0.1:%d\n"
            "    UserKnownHostsFile ~/.ssh/known_hosts_%%h ~/.ssh/other\n"
            "    StrictHostKeyChecking accept-new\n"
            "    ExitOnForwardFailure yes\n"
            "Host *\n"
            "    BatchMode yes\n"
            "    ConnectTimeout 20\n"
            % (sshd.port, home.user, lport, echo.port))
        cfg.chmod(0o600)
        env = dict(home.env, HOME=str(h), ADIT_HOME=str(h))
        proc = procs.start("adit", [bins.adit, "-N", "db-alias"], env=env)
        try:
            harness.wait_listening(proc, lport)
            break
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
            if "in use" not in proc.stderr():
                raise
    else:
        raise last
    roundtrip(lport, os.urandom(256 * 1024))
    # accept-new wrote the key to the first file, named with %h expanded.
    assert (ssh_dir / "known_hosts_127.0.0.1").stat().st_size > 0
    assert proc.alive()


def test_log_file(bins, home, tmp_path):
    """-E: what adit would print on standard error goes to the file."""
    bins.require("adit")
    log = tmp_path / "adit.log"
    port = harness.closed_port()  # refused: bound, never listening
    r = subprocess.run([bins.adit, "-F", "none", "-E", str(log), "-N",
                        "-p", str(port), "127.0.0.1"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, env=home.env, timeout=30)
    assert r.returncode == 255
    assert r.stderr == ""
    assert ("connect to host 127.0.0.1 port %d: Connection refused" % port
            in log.read_text())


def test_bad_included_file_ends_reading(bins, home, tmp_path):
    """As ssh: an included file with bad lines is fatal where it ends."""
    bins.require("adit")
    inc = tmp_path / "inc.conf"
    inc.write_text("Port 1\nFoo 1\n")
    main = tmp_path / "main.conf"
    main.write_text("Include %s\nBar 2\n" % inc)
    rc_a, _, err_a = run_g(bins.adit, ["-F", str(main), "h"], home.env)
    rc_s, _, err_s = run_g(SSH, ["-F", str(main), "h"], home.env)
    assert (rc_a, rc_s) == (255, 255)
    assert err_a.splitlines() == [line for line in err_s.splitlines()
                                  if not line.startswith("Pseudo-terminal")]


def test_tilde_is_the_password_database_home(bins, home, tmp_path):
    """~ in values (UserKnownHostsFile, ControlPath) and ~/.ssh/config
    itself come from the password database's home, not $HOME, side by
    side with ssh (without ADIT_HOME, adit's test-only override): HOME
    points at a directory whose .ssh/config would set the port, and
    neither client reads it. Include is the exception: ssh globs it with
    GLOB_TILDE, whose ~ is $HOME, so "Include ~/inc.conf" is read there."""
    bins.require("adit")
    h = tmp_path / "not-home"
    (h / ".ssh").mkdir(parents=True, mode=0o700)
    (h / ".ssh" / "config").write_text("Host tilde-test\n  Port 1234\n")
    (h / "inc.conf").write_text("Port 4321\n")
    cfg = tmp_path / "tilde.conf"
    cfg.write_text("Host tilde-test\n"
                   "  Include ~/inc.conf\n"
                   "  UserKnownHostsFile ~/kh1 ~/.ssh/kh2\n"
                   "  ControlPath ~/cp-%h\n")
    env = dict(home.env, HOME=str(h))
    env.pop("ADIT_HOME")
    pw_dir = pwd.getpwuid(os.getuid()).pw_dir.rstrip("/")
    def said(out, args):
        # adit's default known_hosts files differ from ssh's (see above).
        keys = ("port", "userknownhostsfile", "controlpath") if args \
            else ("port", "controlpath")
        return [line for line in out.splitlines()
                if line.split(" ", 1)[0] in keys]
    for args in (["-F", str(cfg)], []):
        rc_a, out_a, err_a = run_g(bins.adit, args + ["tilde-test"], env)
        rc_s, out_s, err_s = run_g(SSH, args + ["tilde-test"], env)
        assert rc_s == 0, err_s
        assert rc_a == 0, err_a
        assert said(out_a, args) == said(out_s, args), (args, out_a, out_s)
        assert "port 1234\n" not in out_a
        if args:
            assert "port 4321\n" in out_a, out_a
            # The -F file's ~ values, with the passwd entry's home.
            assert ("userknownhostsfile %s/kh1 %s/.ssh/kh2\n"
                    % (pw_dir, pw_dir) in out_s), out_s


def test_tilde_user_as_ssh(bins, home, tmp_path):
    """~user/path (and ~user alone) in values and in -i are the passwd
    entry's home of that user, as ssh's tilde_expand makes them: -G's
    lines and -i's warning side by side with ssh."""
    bins.require("adit")
    me = pwd.getpwuid(os.getuid()).pw_name
    cfg = tmp_path / "tilde-user.conf"
    cfg.write_text("Host tu\n"
                   "  UserKnownHostsFile ~%s/kh1 ~%s//kh2 ~%s\n"
                   "  ControlPath ~%s/cp-%%h\n"
                   "  IdentityAgent ~%s/agent.sock\n" % ((me,) * 5))
    args = ["-F", str(cfg), "-i", "~%s/no-such-key-adit" % me, "tu"]
    # identityfile: the -i file is not there, so the defaults, which
    # differ from ssh's (no -sk keys, no DSA).
    keys = ("userknownhostsfile", "controlpath", "identityagent")
    rc_a, out_a, err_a = run_g(bins.adit, args, home.env)
    rc_s, out_s, err_s = run_g(SSH, args, home.env)
    assert (rc_a, rc_s) == (0, 0), (err_a, err_s)

    def said(out):
        return [line for line in out.splitlines()
                if line.split(" ", 1)[0] in keys]
    assert said(out_a) == said(out_s)
    pw_dir = pwd.getpwnam(me).pw_dir.rstrip("/")
    assert ("userknownhostsfile %s/kh1 %s/kh2 %s/\n"
            % (pw_dir, pw_dir, pw_dir)) in out_a, out_a
    warn = ("Warning: Identity file %s/no-such-key-adit not accessible: "
            "No such file or directory." % pw_dir)
    assert warn in err_s.splitlines()
    assert err_a.splitlines() == [warn]
