# SPDX-License-Identifier: ISC
"""adit with keys held by a real ssh-agent, against real sshd: every key
type with its file gone from disk, IdentityAgent (path, $VAR, none),
IdentitiesOnly, a certificate held by the agent, an encrypted key whose
public half the agent holds, an agent that refuses or is not there. Each
checked side by side with OpenSSH's ssh where the outcome can differ."""
import os
import subprocess

import pytest

import harness
from conftest import SSH, SSH_KEYGEN, keygen
from fwdhelp import echo_through

SSH_AGENT = "/usr/bin/ssh-agent"
SSH_ADD = "/usr/bin/ssh-add"

KEY_TYPES = {
    "ed25519": ("-t", "ed25519"),
    "rsa": ("-t", "rsa", "-b", "3072"),
    "ecdsa": ("-t", "ecdsa", "-b", "256"),
}


class Agent:
    """A real ssh-agent in the foreground on a socket of its own."""

    def __init__(self, procs, home, d, env_extra=None):
        self.sock = os.path.join(d, "agent.sock")
        env = dict(home.env)
        env.update(env_extra or {})
        self.proc = procs.start("ssh-agent", [SSH_AGENT, "-D", "-a",
                                              self.sock], env=env)
        harness.poll(lambda: os.path.exists(self.sock) or not
                     self.proc.alive(), harness.READY_TIMEOUT,
                     "ssh-agent socket")
        assert self.proc.alive(), self.proc.describe()
        self.env = dict(home.env)
        self.env["SSH_AUTH_SOCK"] = self.sock

    def add(self, path, *args):
        r = subprocess.run([SSH_ADD] + list(args) + [path], env=self.env,
                           capture_output=True, stdin=subprocess.DEVNULL,
                           timeout=60)
        assert r.returncode == 0, r.stderr


@pytest.fixture
def agent(procs, home, tmp_path):
    return Agent(procs, home, str(tmp_path))


def _key(tmp_path, name, kind="ed25519"):
    return keygen(str(tmp_path / name), KEY_TYPES[kind], name)


def _authorize(tmp_path, *keys):
    """An authorized_keys file with the .pub of each key path."""
    path = str(tmp_path / "ak_agent")
    with open(path, "w") as f:
        for k in keys:
            with open(k + ".pub") as p:
                f.write(p.read())
    return path


def _server(sshd_factory, ak, extra=()):
    # sshd takes the first AuthorizedKeysFile: ours goes before the home's.
    return sshd_factory.start(extra=list(extra) + ["AuthorizedKeysFile " + ak])


def _argv(client, kind, server, opts=(), lport=None, target=None,
          identity=None):
    """client.argv, without its -i unless identity names one, so the
    agent and the default identity files decide."""
    argv = client.argv(kind, server.port, opts=opts)
    i = argv.index("-i")
    if identity is None:
        del argv[i:i + 2]
    else:
        argv[i + 1] = identity
    if kind == "ssh":
        # The reference client: IdentitiesOnly only where a test asks.
        j = argv.index("IdentitiesOnly=yes")
        del argv[j - 1:j + 1]
    if lport is not None:
        argv[-1:-1] = ["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, target)]
    return argv


def _tunnel(client, kind, server, env, peers, opts=(), identity=None):
    """Start kind -N -L through server with env; check an echo through it."""
    echo = peers.echo()

    def argv_of(ports):
        return _argv(client, kind, server, opts, ports[0], echo.port,
                     identity)
    proc, ports = client.start_listening(kind, argv_of, env=env)
    echo_through(ports[0])
    return proc


def _run(client, procs, kind, server, env, opts=(), identity=None):
    """Run kind to its end (a refusal); return (status, stderr)."""
    proc = procs.start(kind, _argv(client, kind, server, opts,
                                   identity=identity), env=env)
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit: %s" % (kind, proc.describe()))
    return rc, proc.stderr()


def _remove(path):
    for p in (path, path + ".pub", path + "-cert.pub"):
        if os.path.exists(p):
            os.unlink(p)


@pytest.mark.parametrize("kind", sorted(KEY_TYPES))
def test_agent_key_file_gone(kind, agent, client, procs, peers,
                             sshd_factory, tmp_path):
    """The key lives only in the agent: -L carries data, for ssh too."""
    key = _key(tmp_path, "agent_" + kind, kind)
    server = _server(sshd_factory, _authorize(tmp_path, key))
    agent.add(key)
    _remove(key)
    for prog in ("ssh", "adit"):
        _tunnel(client, prog, server, agent.env, peers,
                opts=["LogLevel=DEBUG"] if prog == "adit" else ())
    log = procs.items[-1].stderr()
    assert "agent returned" in log
    # Both logged in with the agent's key (for RSA: rsa-sha2-512 from
    # server-sig-algs, asked of the agent by its flag).
    label = {"ed25519": "ED25519", "rsa": "RSA", "ecdsa": "ECDSA"}[kind]
    harness.poll(lambda: server.proc.stderr().count(
        "ssh2: %s SHA256:" % label) >= 2, harness.READY_TIMEOUT,
        "two logins in the sshd log")


def test_agent_through_jump_host(agent, client, procs, peers, sshd_factory,
                                 tmp_path, home):
    """-J: the jump host and the target each log in with the agent's key
    (each hop lists the agent on its own)."""
    key = _key(tmp_path, "agent_key")
    ak = _authorize(tmp_path, key)
    hop, target = _server(sshd_factory, ak), _server(sshd_factory, ak)
    agent.add(key)
    _remove(key)
    jump = "ProxyJump=%s@127.0.0.1:%d" % (home.user, hop.port)
    p = _tunnel(client, "adit", target, agent.env, peers, opts=[jump])
    for srv in (hop, target):
        harness.wait_log(srv.proc, "Accepted publickey")
    p.stop()


def test_identity_agent_path_and_var(agent, client, procs, peers,
                                     sshd_factory, tmp_path, home):
    """IdentityAgent as a path and as $VAR, with SSH_AUTH_SOCK unset."""
    key = _key(tmp_path, "agent_key")
    server = _server(sshd_factory, _authorize(tmp_path, key))
    agent.add(key)
    _remove(key)
    env = dict(home.env)
    env["MY_AGENT"] = agent.sock
    for opt in ("IdentityAgent=" + agent.sock, "IdentityAgent=$MY_AGENT"):
        for prog in ("ssh", "adit"):
            p = _tunnel(client, prog, server, env, peers, opts=[opt])
            p.stop()
    env["SSH_AUTH_SOCK"] = agent.sock
    p = _tunnel(client, "adit", server, env, peers,
                opts=["IdentityAgent=SSH_AUTH_SOCK"])
    p.stop()


def test_identity_agent_none(agent, client, procs, sshd_factory, tmp_path):
    """IdentityAgent none: the agent's key is never used; as ssh."""
    key = _key(tmp_path, "agent_key")
    server = _server(sshd_factory, _authorize(tmp_path, key))
    agent.add(key)
    _remove(key)
    results = {}
    for prog in ("ssh", "adit"):
        results[prog] = _run(client, procs, prog, server, agent.env,
                             opts=["IdentityAgent=none"])
    for prog, (rc, err) in results.items():
        assert rc == 255, (prog, err)
        assert "Permission denied (publickey)." in err, (prog, err)


def test_identities_only(agent, client, procs, peers, sshd_factory,
                         tmp_path):
    """IdentitiesOnly: only agent keys whose public half an IdentityFile
    names (the private file is gone, its .pub stays)."""
    good = _key(tmp_path, "good")
    other = _key(tmp_path, "other")
    server = _server(sshd_factory, _authorize(tmp_path, good))
    agent.add(good)
    agent.add(other)
    os.unlink(good)
    os.unlink(other)
    # IdentityFile, not -i: ssh's -i skips a file that is not there.
    only = ["IdentitiesOnly=yes"]
    for prog in ("ssh", "adit"):
        rc, err = _run(client, procs, prog, server, agent.env,
                       opts=only + ["IdentityFile=" + other])
        assert rc == 255 and "Permission denied (publickey)." in err, \
            (prog, err)
        p = _tunnel(client, prog, server, agent.env, peers,
                    opts=only + ["IdentityFile=" + good])
        p.stop()
    # Without IdentitiesOnly the agent's other key gets in too.
    p = _tunnel(client, "adit", server, agent.env, peers,
                opts=["IdentityFile=" + other])
    p.stop()


def test_agent_certificate(agent, client, procs, peers, sshd_factory,
                           tmp_path):
    """ssh-add loads key and -cert.pub; the server trusts only the CA."""
    ca = keygen(str(tmp_path / "ca"), ("-t", "ed25519"), "ca")
    user = _key(tmp_path, "certuser", "ecdsa")
    subprocess.run([SSH_KEYGEN, "-q", "-s", ca, "-I", "agent-cert", "-n",
                    client.home.user, "-V", "-1h:+1h", user + ".pub"],
                   check=True, timeout=30, capture_output=True,
                   stdin=subprocess.DEVNULL)
    empty = str(tmp_path / "ak_empty")
    open(empty, "w").close()
    server = _server(sshd_factory, empty,
                     extra=["TrustedUserCAKeys %s.pub" % ca])
    agent.add(user)
    r = subprocess.run([SSH_ADD, "-l"], env=agent.env, capture_output=True,
                       timeout=30, text=True)
    assert "ECDSA-CERT" in r.stdout, r.stdout
    _remove(user)
    for prog in ("ssh", "adit"):
        p = _tunnel(client, prog, server, agent.env, peers)
        p.stop()
    harness.wait_log(server.proc, "Accepted publickey")
    assert "ECDSA-CERT" in server.proc.stderr()


def test_agent_key_not_accepted_then_file_key(agent, client, procs, peers,
                                              sshd_factory, tmp_path):
    """The agent's key is offered first and refused; the file key works."""
    stranger = _key(tmp_path, "stranger_in_agent")
    filekey = _key(tmp_path, "filekey")
    server = _server(sshd_factory, _authorize(tmp_path, filekey))
    agent.add(stranger)
    for prog in ("ssh", "adit"):
        p = _tunnel(client, prog, server, agent.env, peers,
                    identity=filekey, opts=["LogLevel=DEBUG"])
        p.stop()
    log = procs.items[-1].stderr()
    want = "Will attempt key: "
    assert log.index(want + "stranger_in_agent") < \
        log.index(want + filekey), log


def test_agent_refuses_then_file_key(procs, home, client, peers,
                                     sshd_factory, tmp_path):
    """An agent that refuses to sign (a confirm key, askpass says no):
    the next key is tried; ssh's message for the refusal."""
    d = tmp_path / "refusing"
    d.mkdir()
    agent = Agent(procs, home, str(d), {"SSH_ASKPASS": "/bin/false",
                                        "SSH_ASKPASS_REQUIRE": "force",
                                        "DISPLAY": ":0"})
    inagent = _key(tmp_path, "confirm_key")
    filekey = _key(tmp_path, "filekey")
    server = _server(sshd_factory, _authorize(tmp_path, inagent, filekey))
    agent.add(inagent, "-c")
    os.unlink(inagent)
    want = ('sign_and_send_pubkey: signing failed for ED25519 "%s" from '
            'agent: agent refused operation' % "confirm_key")
    for prog in ("ssh", "adit"):
        p = _tunnel(client, prog, server, agent.env, peers,
                    identity=filekey)
        p.stop()
        assert want in p.stderr(), (prog, p.stderr())
    # With no other key, it ends as ssh ends.
    results = [_run(client, procs, prog, server, agent.env,
                    identity=inagent) for prog in ("ssh", "adit")]
    for rc, err in results:
        assert rc == 255 and "Permission denied (publickey)." in err, err
        assert want in err, err


def test_encrypted_key_public_half_in_agent(agent, client, procs, peers,
                                            sshd_factory, tmp_path):
    """An encrypted key file whose key the agent holds: no passphrase is
    needed (BatchMode=yes), its .pub names it under IdentitiesOnly."""
    key = _key(tmp_path, "encrypted")
    server = _server(sshd_factory, _authorize(tmp_path, key))
    agent.add(key)
    subprocess.run([SSH_KEYGEN, "-q", "-p", "-P", "", "-N", "secret words",
                    "-f", key], check=True, timeout=60, capture_output=True,
                   stdin=subprocess.DEVNULL)
    r = subprocess.run([SSH_KEYGEN, "-y", "-P", "", "-f", key],
                       capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0, "the key file is not encrypted"
    for prog in ("ssh", "adit"):
        p = _tunnel(client, prog, server, agent.env, peers,
                    identity=key, opts=["IdentitiesOnly=yes"])
        p.stop()
    # Without the agent the file alone does not get in.
    rc, err = _run(client, procs, "adit", server, agent.env, identity=key,
                   opts=["IdentitiesOnly=yes", "IdentityAgent=none"])
    assert rc == 255 and "Permission denied (publickey)." in err, err


def test_agent_not_reachable(client, procs, peers, sshd_factory, tmp_path,
                             home):
    """SSH_AUTH_SOCK names no socket: file keys, a debug line, as ssh."""
    server = _server(sshd_factory, _authorize(tmp_path, home.key))
    env = dict(home.env)
    env["SSH_AUTH_SOCK"] = str(tmp_path / "no-such-agent.sock")
    for prog in ("ssh", "adit"):
        p = _tunnel(client, prog, server, env, peers,
                    identity=home.key, opts=["LogLevel=DEBUG"])
        p.stop()
        assert "No such file or directory" in p.stderr(), p.stderr()


@pytest.mark.parametrize("value", ["none", "SSH_AUTH_SOCK", "$MY_AGENT",
                                   "/run/agent/%h-%r-%p.sock",
                                   "/tmp/x y"])
def test_identity_agent_dump(value, bins, home):
    """-G prints identityagent as ssh -G does (~ is left out: adit takes
    it from $HOME, ssh from the password database)."""
    bins.require("adit")
    out = {}
    for prog in (SSH, bins.adit):
        r = subprocess.run([prog, "-G", "-F", "/dev/null", "-o",
                            "IdentityAgent=" + value, "somehost"],
                           env=home.env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=30)
        out[prog] = [ln for ln in r.stdout.splitlines()
                     if ln.startswith("identityagent ")]
    assert out[bins.adit] == out[SSH]
