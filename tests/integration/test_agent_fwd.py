# SPDX-License-Identifier: ISC
"""adit -A against a real sshd: a private ssh-agent (started here, stopped
by PID) holds a key; `ssh-add -l` on the server lists its fingerprint
through the forwarded agent, as with ssh -A, and a login from the server
back to itself signs with it. Without -A (or with -a) the server has no
agent. ForwardAgent with a socket path and "$NAME" pick another agent
than the one adit logs in with. (A server that opens an agent channel
unasked is refused: tests/unit/fwd/test_client_sessfwd.c, and
test_hostile.py with a raw server.)"""
import os
import shutil
import subprocess
import time

import pytest

import harness
from conftest import SSH
from sshsetup import keygen, SSH_KEYGEN

SSH_AGENT = shutil.which("ssh-agent") or "/usr/bin/ssh-agent"
SSH_ADD = shutil.which("ssh-add") or "/usr/bin/ssh-add"


class Agent:
    def __init__(self, sock, key, fingerprint):
        self.sock = sock
        self.key = key
        self.fingerprint = fingerprint


@pytest.fixture
def agent(home, procs, tmp_path):
    """ssh-agent -D on a socket of its own (procs stops it by PID), with
    one key added."""
    sock = str(tmp_path / "agent.sock")
    procs.start("ssh-agent", [SSH_AGENT, "-D", "-a", sock])
    deadline = time.monotonic() + harness.READY_TIMEOUT
    while not os.path.exists(sock):
        assert time.monotonic() < deadline, "ssh-agent did not start"
        time.sleep(0.05)
    key = keygen(tmp_path / "agent_key", comment="forwarded-key")
    env = dict(home.env, SSH_AUTH_SOCK=sock)
    subprocess.run([SSH_ADD, "-q", key], env=env, check=True, timeout=30,
                   stdin=subprocess.DEVNULL, capture_output=True)
    fp = subprocess.run([SSH_KEYGEN, "-lf", key + ".pub"], check=True,
                        capture_output=True, text=True,
                        timeout=30).stdout.split()[1]
    return Agent(sock, key, fp)


@pytest.fixture
def fwd_sshd(sshd_factory, home, agent, tmp_path):
    """sshd allowing agent forwarding, trusting the home's key and the
    agent's (so the server can log in to itself with the agent)."""
    ak = tmp_path / "authorized_keys"
    with open(home.authorized_keys) as f:
        text = f.read()
    with open(agent.key + ".pub") as f:
        text += f.read()
    ak.write_text(text)
    return sshd_factory.start(extra=["AllowAgentForwarding yes",
                                     "AuthorizedKeysFile %s" % ak])


def run(client, kind, server, flags, command, env, timeout=60):
    """kind (adit or ssh) with flags running command on server: (exit
    status, stdout, stderr)."""
    argv = client.argv(kind, server.port, no_cmd=False)
    argv[1:1] = flags
    proc = client.procs.start(kind, argv + command, env=env)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit: %s" % (kind, proc.describe()))
    return rc, proc.stdout(), proc.stderr()


def test_agent_forwarded(client, fwd_sshd, agent, home):
    """`adit -A host ssh-add -l` shows the local agent's key, as ssh -A
    does."""
    env = dict(home.env, SSH_AUTH_SOCK=agent.sock)
    rc, out, err = run(client, "adit", fwd_sshd, ["-A"], ["ssh-add", "-l"],
                       env)
    assert rc == 0, err
    assert agent.fingerprint in out
    assert "forwarded-key" in out
    rc_s, out_s, err_s = run(client, "ssh", fwd_sshd, ["-A"],
                             ["ssh-add", "-l"], env)
    assert rc_s == 0, err_s
    assert out == out_s


@pytest.mark.parametrize("flags", [[], ["-A", "-a"], ["-o", "ForwardAgent=no"]],
                         ids=["none", "A-then-a", "option-no"])
def test_no_agent_without_a(client, fwd_sshd, agent, home, flags):
    """Without -A the server has no agent: ssh-add says so (status 2) and
    adit passes its status on, as ssh."""
    env = dict(home.env, SSH_AUTH_SOCK=agent.sock)
    rc, out, err = run(client, "adit", fwd_sshd, flags, ["ssh-add", "-l"],
                       env)
    assert rc == 2, (out, err)
    assert agent.fingerprint not in out
    assert "Could not open a connection to your authentication agent" in err


def test_agent_signs_a_hop(client, fwd_sshd, agent, home):
    """The server logs in to itself with the forwarded agent's key: the
    agent signs through the channel."""
    env = dict(home.env, SSH_AUTH_SOCK=agent.sock)
    hop = [SSH, "-F", "/dev/null", "-o", "BatchMode=yes",
           "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
           "-p", str(fwd_sshd.port), "%s@127.0.0.1" % home.user,
           "echo", "hop-ok"]
    rc, out, err = run(client, "adit", fwd_sshd, ["-A"],
                       [" ".join(hop)], env)
    assert rc == 0, err
    assert out == "hop-ok\n"


@pytest.mark.parametrize("how", ["path", "env"])
def test_forward_agent_socket(client, fwd_sshd, agent, home, how):
    """ForwardAgent names the agent to forward (a path, or "$NAME"),
    whatever adit logs in with (here no agent at all)."""
    env = dict(home.env, OTHER_AGENT=agent.sock)
    env.pop("SSH_AUTH_SOCK", None)
    value = agent.sock if how == "path" else "$OTHER_AGENT"
    rc, out, err = run(client, "adit", fwd_sshd,
                       ["-o", "ForwardAgent=" + value,
                        "-o", "IdentityAgent=none"], ["ssh-add", "-l"], env)
    assert rc == 0, err
    assert agent.fingerprint in out


def test_forward_agent_unset_variable(client, fwd_sshd, agent, home):
    """ForwardAgent $NAME with NAME unset: no forwarding, as ssh."""
    env = dict(home.env, SSH_AUTH_SOCK=agent.sock)
    env.pop("NO_SUCH_AGENT", None)
    rc, out, err = run(client, "adit", fwd_sshd,
                       ["-o", "ForwardAgent=$NO_SUCH_AGENT"],
                       ["ssh-add", "-l"], env)
    assert rc == 2, (out, err)
