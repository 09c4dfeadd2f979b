# SPDX-License-Identifier: ISC
"""Fixtures: built binaries, a temporary HOME with keys, OpenSSH sshd, aditd,
and client tunnels (ssh or adit, -N -L) between them and TCP test peers.

Environment:
  ADIT_BUILD             build directory holding adit and aditd (default build/)
  ADIT_REQUIRE_BINARIES  1: a missing or placeholder binary fails the tests
                         instead of skipping them (scripts/test.sh sets it)
"""
import pwd
import os
import subprocess

import pytest

import harness

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from sshsetup import (HOST_KEY_TYPES, SSH, SSH_KEYGEN, SSHD, keygen,  # noqa: F401
                      pubkey_blob, sshd_config_lines, write_sshd_config)


class Binaries:
    """Where adit and aditd are, and whether they are real programs."""

    def __init__(self):
        build = os.environ.get("ADIT_BUILD", os.path.join(TOP, "build"))
        if not os.path.isabs(build):
            build = os.path.join(TOP, build)
        self.build = build
        self.adit = os.path.join(build, "adit")
        self.aditd = os.path.join(build, "aditd")
        self.required = os.environ.get("ADIT_REQUIRE_BINARIES") == "1"
        self.problem = self._probe()

    def _probe(self):
        """None if both binaries look real, else why not.

        A real program says something when called wrongly (usage, a
        config error); the skeleton's placeholders exit silently.
        """
        for path, argv in ((self.adit, []),
                           (self.aditd, ["-t", "-f", "/nonexistent/aditd"])):
            if not os.access(path, os.X_OK):
                return "%s is not built" % path
            try:
                r = subprocess.run([path] + argv, stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=5)
            except subprocess.TimeoutExpired:
                continue
            if not (r.stdout or r.stderr):
                return "%s is still a silent placeholder" % path
        return None

    def require(self, *kinds):
        if not any(k in ("adit", "aditd") for k in kinds):
            return
        if self.problem is None:
            return
        if self.required:
            pytest.fail("adit binaries required (ADIT_REQUIRE_BINARIES=1): "
                        + self.problem, pytrace=False)
        pytest.skip("needs the adit binaries: " + self.problem)


@pytest.fixture(scope="session")
def bins():
    return Binaries()


class Home:
    """A temporary HOME with a user key that servers trust and one they don't."""

    def __init__(self, root):
        self.root = str(root)
        self.home = os.path.join(self.root, "home")
        self.ssh_dir = os.path.join(self.home, ".ssh")
        os.makedirs(self.ssh_dir, mode=0o700)
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.key = keygen(os.path.join(self.ssh_dir, "id_ed25519"))
        self.stranger_key = keygen(os.path.join(self.root, "stranger"))
        self.authorized_keys = os.path.join(self.root, "authorized_keys")
        with open(self.key + ".pub") as src, \
                open(self.authorized_keys, "w") as dst:
            dst.write(src.read())
        self.env = dict(os.environ)
        self.env["HOME"] = self.home
        # ssh and adit take ~ from the password database, not $HOME;
        # adit's ADIT_HOME points it at this one (adit(1), ENVIRONMENT).
        self.env["ADIT_HOME"] = self.home
        # adit reads ssh_config files as ssh does: keep it away from the
        # machine's /etc/ssh/ssh_config (see adit(1), ENVIRONMENT).
        self.env["ADIT_SSH_CONFIG_SYSTEM"] = "/dev/null"
        self.env.pop("SSH_AUTH_SOCK", None)
        self.env.pop("SSH_AGENT_PID", None)


@pytest.fixture(scope="session")
def home(tmp_path_factory):
    return Home(tmp_path_factory.mktemp("adit"))


@pytest.fixture(scope="session")
def host_keys(tmp_path_factory):
    """One host key of every type: {type: private key path}."""
    d = tmp_path_factory.mktemp("hostkeys")
    return {t: keygen(d / ("host_" + t), args, "host-" + t)
            for t, args in HOST_KEY_TYPES.items()}


class SshServer:
    def __init__(self, kind, port, proc, host_keys):
        self.kind = kind
        self.port = port
        self.proc = proc
        self.host_keys = host_keys


@pytest.fixture(scope="session")
def sshd(home, host_keys, tmp_path_factory):
    """A real OpenSSH sshd on 127.0.0.1 with host keys of every type."""
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    d = str(tmp_path_factory.mktemp("sshd"))
    procs = harness.Procs(home.env, d)
    last = None
    for _ in range(3):  # the free port may be taken meanwhile: retry
        port = harness.free_port()
        cfg = os.path.join(d, "sshd_config")
        write_sshd_config(cfg, sshd_config_lines(port, host_keys,
                                                 home.authorized_keys),
                          home.env)
        proc = procs.start("sshd", [SSHD, "-D", "-e", "-f", cfg])
        try:
            harness.wait_ssh_server(proc, port)
            break
        except (AssertionError, TimeoutError) as e:
            last = e
            proc.stop()
    else:
        raise last
    yield SshServer("sshd", port, proc, host_keys)
    procs.stop_all()


class SshdFactory:
    """Starts OpenSSH sshd instances with extra config lines, for one test
    (the session-wide sshd fixture has the plain configuration)."""

    def __init__(self, home, host_keys, procs, tmpdir):
        self.home = home
        self.host_keys = host_keys
        self.procs = procs
        self.tmpdir = tmpdir
        self.n = 0

    def start(self, extra=(), host_keys=None):
        """extra: config lines first; host_keys: {type: path} instead of
        the session's keys (a server with a key of its own)."""
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.n += 1
        d = os.path.join(self.tmpdir, "sshd%d" % self.n)
        os.makedirs(d)
        last = None
        for _ in range(3):
            port = harness.free_port()
            cfg = os.path.join(d, "sshd_config")
            lines = sshd_config_lines(port, host_keys or self.host_keys,
                                      self.home.authorized_keys)
            # Later duplicates are ignored by sshd: extras go first.
            write_sshd_config(cfg, list(extra) + lines, self.home.env)
            proc = self.procs.start("sshd", [SSHD, "-D", "-e", "-f", cfg])
            try:
                harness.wait_ssh_server(proc, port)
                break
            except (AssertionError, TimeoutError) as e:
                last = e
                proc.stop()
        else:
            raise last
        return SshServer("sshd", port, proc, host_keys or self.host_keys)


class AditdFactory:
    """Starts aditd instances for one test."""

    def __init__(self, bins, home, procs, tmpdir):
        self.bins = bins
        self.home = home
        self.procs = procs
        self.tmpdir = tmpdir
        self.n = 0

    def start(self, host_key=None, extra=(), args=(), authorized_keys=None,
              env=None):
        """host_key: a private key path, or None to let aditd generate one;
        extra: more config lines; args: more command-line arguments;
        authorized_keys: another AuthorizedKeysFile than the home's;
        env: the environment instead of the home's.
        Returns an SshServer; .host_keys maps "default" to the key file,
        .config is the configuration file."""
        self.bins.require("aditd")
        self.n += 1
        d = os.path.join(self.tmpdir, "aditd%d" % self.n)
        os.makedirs(d)
        key = host_key or os.path.join(d, "ssh_host_ed25519_key")
        # PerSourcePenalties is on by default (as in sshd 9.8): a test
        # that makes several failed logins from 127.0.0.1 would lock the
        # next ones out. Only the tests of penalties turn them on.
        base = []
        if not any(x.lower().startswith("persourcepenalties ")
                   for x in extra):
            base = ["PerSourcePenalties no"]
        last = None
        for _ in range(3):
            port = harness.free_port()
            cfg = os.path.join(d, "aditd_config")
            with open(cfg, "w") as f:
                f.write("\n".join([
                    "ListenAddress 127.0.0.1",
                    "Port %d" % port,
                    "HostKey %s" % key,
                    "AuthorizedKeysFile %s" % (authorized_keys or
                                               self.home.authorized_keys),
                    "LogLevel VERBOSE",
                ] + base + list(extra)) + "\n")
            proc = self.procs.start("aditd", [self.bins.aditd, "-D", "-f",
                                              cfg] + list(args), env=env)
            try:
                harness.wait_listening(proc, port)
                break
            except (AssertionError, TimeoutError) as e:
                last = e
                proc.stop()
        else:
            raise last
        server = SshServer("aditd", port, proc, {"default": key})
        server.config = cfg
        return server


@pytest.fixture
def procs(home, tmp_path):
    """The processes of one test, stopped by PID when it ends. A sanitizer
    report in any of their logs fails the test."""
    p = harness.Procs(home.env, str(tmp_path))
    yield p
    reports = p.stop_all()
    if reports:
        pytest.fail("sanitizer report:\n" + "\n".join(reports),
                    pytrace=False)


@pytest.fixture
def sshd_factory(home, host_keys, procs, tmp_path):
    return SshdFactory(home, host_keys, procs, str(tmp_path))


@pytest.fixture
def aditd(bins, home, procs, tmp_path):
    return AditdFactory(bins, home, procs, str(tmp_path))


class Peers:
    """TCP servers at the far end of tunnels, stopped when the test ends."""

    def __init__(self):
        self.servers = []

    def start(self, handler, path=None):
        s = harness.TcpServer(handler, path)
        self.servers.append(s)
        return s

    def echo(self, path=None):
        """An echo server on a TCP port, or on the Unix socket path."""
        return self.start(harness.echo_handler, path)

    def sink(self):
        rec = harness.SinkRecorder()
        s = self.start(rec)
        s.recorder = rec
        return s

    def source(self, payload):
        return self.start(harness.source_handler(payload))

    def stop_all(self):
        errors = []
        for s in self.servers:
            s.stop()
            errors += s.errors
        return errors


@pytest.fixture
def peers():
    p = Peers()
    yield p
    errors = p.stop_all()
    assert not errors, "TCP peer errors: %r" % errors


class Client:
    """Builds ssh/adit command lines with the options both understand."""

    def __init__(self, bins, home, procs, tmpdir):
        self.bins = bins
        self.home = home
        self.procs = procs
        self.tmpdir = tmpdir
        self.known_hosts = os.path.join(tmpdir, "known_hosts")

    def argv(self, kind, port, opts=(), key=None, forwards=(),
             strict="accept-new", known_hosts=None, no_cmd=True):
        self.bins.require(kind)
        prog = SSH if kind == "ssh" else self.bins.adit
        argv = [prog]
        if kind == "ssh":
            # Keep the reference client away from any system config.
            argv += ["-F", "/dev/null", "-o", "IdentitiesOnly=yes",
                     "-o", "GlobalKnownHostsFile=/dev/null"]
        if no_cmd:
            argv.append("-N")
        argv += ["-p", str(port), "-i", key or self.home.key,
                 "-o", "BatchMode=yes",
                 "-o", "StrictHostKeyChecking=" + strict,
                 "-o", "UserKnownHostsFile=" + (known_hosts
                                                 or self.known_hosts),
                 "-o", "ExitOnForwardFailure=yes",
                 "-o", "ConnectTimeout=20"]
        for o in opts:
            argv += ["-o", o]
        for f in forwards:
            argv += ["-L", f]
        argv.append("%s@127.0.0.1" % self.home.user)
        return argv

    def start_listening(self, kind, argv_of, n=1, env=None):
        """Start `kind` with argv_of(ports), a command line that listens on
        n fresh local ports (in env, or the home's); wait until every one
        accepts; return (proc, ports)."""
        last = None
        for _ in range(3):
            ports = [harness.free_port() for _ in range(n)]
            proc = self.procs.start(kind, argv_of(ports), env=env)
            try:
                for p in ports:
                    harness.wait_listening(proc, p)
                return proc, ports
            except (AssertionError, TimeoutError) as e:
                last = e
                proc.stop()
                # Only a lost port race is worth another try.
                if "in use" not in proc.stderr():
                    break
        raise last

    def tunnel(self, kind, server, target_port, opts=(), key=None):
        """Start `kind -N -L lport:127.0.0.1:target_port` to server, wait
        until lport accepts; return (proc, lport)."""
        def argv_of(ports):
            fwd = "127.0.0.1:%d:127.0.0.1:%d" % (ports[0], target_port)
            return self.argv(kind, server.port, opts, key, [fwd])
        proc, ports = self.start_listening(kind, argv_of)
        return proc, ports[0]

    def run(self, kind, port, timeout=60, **kw):
        """Run a client to completion (for the refusal tests); return
        (exit status, stderr)."""
        proc = self.procs.start(kind, self.argv(kind, port, **kw))
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit within %ds: %s"
                                 % (kind, timeout, proc.describe()))
        return rc, proc.stderr()


@pytest.fixture
def client(bins, home, procs, tmp_path):
    return Client(bins, home, procs, str(tmp_path))


@pytest.fixture
def server_of(sshd, aditd):
    """server_of("sshd"|"aditd") -> a running server of that kind."""
    def get(kind, **kw):
        if kind == "sshd":
            return sshd
        return aditd.start(**kw)
    return get
