# SPDX-License-Identifier: ISC
"""bench/run's plumbing: servers, tunnels, and what /proc says about CPU
and memory. Reuses the integration tests' harness (processes by PID,
bounded polls) and sshsetup (keys, sshd configuration)."""
import getpass
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

import harness  # noqa: E402
from sshsetup import (SSH, SSHD, keygen, sshd_config_lines,  # noqa: E402
                      write_sshd_config)

PAIRS = [("ssh", "sshd"), ("adit", "sshd"), ("ssh", "aditd"),
         ("adit", "aditd")]
CIPHERS = ["aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"]


def raise_nofile(want=65536):
    """Raise this process's file limit (children inherit it): as root the
    hard limit too, else the soft one up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for lim in ((want, want), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, lim)
            return lim[0]
        except (ValueError, OSError):
            continue
    return soft


# Descriptors a server or client holds besides its connections (stdio,
# listeners, epoll, signal pipe, log, the checks' own connections).
FD_SPARE = 64


def fd_limit():
    """The hard RLIMIT_NOFILE: what any process here can reach (raising it
    needs CAP_SYS_RESOURCE)."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def fd_fit(n, per_conn):
    """How many of n connections fit in one process that holds per_conn
    descriptors for each, and the note saying why when not all do: a
    limit of this machine, not of the tool."""
    hard = fd_limit()
    if n * per_conn + FD_SPARE <= hard:
        return n, None
    fit = (hard - FD_SPARE) // per_conn
    return fit, ("machine limit: %d connections need %d descriptors in one "
                 "process (%d each, + %d of its own), and this machine's "
                 "hard RLIMIT_NOFILE is %d (raising it needs "
                 "CAP_SYS_RESOURCE): measured with %d instead; not a limit "
                 "of adit" % (n, n * per_conn + FD_SPARE, per_conn, FD_SPARE,
                              hard, fit))


def _ppid(pid):
    with open("/proc/%d/stat" % pid) as f:
        # pid (comm) state ppid ...: comm may hold spaces, split after ')'
        return int(f.read().rsplit(")", 1)[1].split()[1])


def tree(pids):
    """pids and every live process below them."""
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                kids.setdefault(_ppid(int(name)), []).append(int(name))
            except OSError:
                continue
    out, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        if pid not in out:
            out.append(pid)
            todo += kids.get(pid, [])
    return out


def _cpu_ns(pid):
    """Nanoseconds on CPU of every thread of pid (schedstat's first field:
    far finer than stat's clock ticks)."""
    total = 0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


def cpu_seconds(pids):
    """CPU seconds of pids and every live process below them."""
    return sum(_cpu_ns(p) for p in tree(pids)) / 1e9


def memory_kb(pids):
    """Memory of pids and every process below them, in KiB, from
    /proc/PID/smaps_rollup: {"pss", "rss", "private"}. private (Private_Clean
    + Private_Dirty) is what a new connection adds to the machine; Pss also
    moves when other processes start or stop mapping the same libraries."""
    keys = {"Pss:": "pss", "Rss:": "rss", "Private_Clean:": "private",
            "Private_Dirty:": "private"}
    out = {"pss": 0, "rss": 0, "private": 0}
    for pid in tree(pids):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    w = line.split()
                    if w and w[0] in keys:
                        out[keys[w[0]]] += int(w[1])
        except OSError:
            continue
    return out


def per_conn(after, before, n):
    """The memory delta per connection, each kind, in KiB."""
    return {k: (after[k] - before[k]) / max(n, 1) for k in after}


def summary(values):
    """Median, min and max of the runs that gave a figure (None: failed)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "runs": values}
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "runs": values}


def port_works(port, timeout=2.0):
    """True when an echo goes through 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port),
                                      timeout=timeout) as s:
            s.sendall(b"ping")
            return s.recv(4) == b"ping"
    except OSError:
        return False


def wait_tight(pred, timeout, what, step=0.0005):
    """As harness.poll, at a sub-millisecond step (for timings)."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.0fs waiting for %s"
                               % (timeout, what))
        time.sleep(step)


class World:
    """The temporary HOME, keys, processes and servers of one bench run."""

    def __init__(self, build, tmp):
        self.build = build
        self.tmp = tmp
        self.user = getpass.getuser()
        env = dict(os.environ, HOME=tmp, ADIT_HOME=tmp,
                   ADIT_SSH_CONFIG_SYSTEM="/dev/null")
        env.pop("SSH_AUTH_SOCK", None)
        self.procs = harness.Procs(env, tmp)
        self.key = keygen(os.path.join(tmp, "user"))
        self.hostkey = keygen(os.path.join(tmp, "host"))
        self.authorized = self.key + ".pub"
        self.known = os.path.join(tmp, "known_hosts")

    def tool(self, name):
        return os.path.join(self.build, name)

    def start(self, name, argv, wait_port=None):
        proc = self.procs.start(name, argv)
        if wait_port:
            harness.wait_listening(proc, wait_port)
        return proc

    def start_sshd(self):
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        port = harness.free_port()
        lines = [ln for ln in sshd_config_lines(
            port, {"ed25519": self.hostkey}, self.authorized)
            if not ln.startswith(("MaxStartups", "LogLevel"))]
        lines += ["MaxStartups 20000", "LogLevel ERROR"]
        cfg = os.path.join(self.tmp, "sshd_config.%d" % port)
        write_sshd_config(cfg, lines, self.procs.env)
        proc = self.procs.start("sshd", [SSHD, "-D", "-e", "-f", cfg])
        harness.wait_ssh_server(proc, port)
        return {"kind": "sshd", "port": port, "proc": proc}

    def start_aditd(self):
        port = harness.free_port()
        cfg = os.path.join(self.tmp, "aditd_config.%d" % port)
        with open(cfg, "w") as f:
            f.write("ListenAddress 127.0.0.1\nPort %d\nHostKey %s\n"
                    "AuthorizedKeysFile %s\nLogLevel ERROR\n"
                    "MaxStartups 20000\nPerSourcePenalties no\n"
                    % (port, self.hostkey, self.authorized))
        proc = self.procs.start("aditd", [self.tool("aditd"), "-D", "-f",
                                          cfg])
        harness.wait_ssh_server(proc, port)
        return {"kind": "aditd", "port": port, "proc": proc}

    def client_argv(self, kind, port, cipher, forwards, extra=()):
        """ssh or adit -N to 127.0.0.1:port with these -L/-R/-D args."""
        if kind == "ssh":
            argv = [SSH, "-F", "/dev/null", "-o", "IdentitiesOnly=yes"]
        else:
            argv = [self.tool("adit"), "-F", "/dev/null"]
        argv += ["-N", "-p", str(port), "-i", self.key,
                 "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                 "-o", "UserKnownHostsFile=" + self.known,
                 "-o", "ExitOnForwardFailure=yes"]
        if cipher:
            argv += ["-o", "Ciphers=" + cipher]
        return argv + list(extra) + list(forwards) + [
            "%s@127.0.0.1" % self.user]


class Tunnel:
    """A client with forwards, up once every local listener listens and
    every remote one accepts; stopped on exit."""

    def __init__(self, world, kind, port, cipher, local=(), remote=(),
                 socks=(), extra=()):
        fwd = []
        for lport, target in local:
            fwd += ["-L", "127.0.0.1:%d:127.0.0.1:%d" % (lport, target)]
        for rport, target in remote:
            fwd += ["-R", "127.0.0.1:%d:127.0.0.1:%d" % (rport, target)]
        for dport in socks:
            fwd += ["-D", "127.0.0.1:%d" % dport]
        self.proc = world.procs.start(kind, world.client_argv(
            kind, port, cipher, fwd, extra))
        self.ports = [p for p, _ in local] + [p for p, _ in remote] + \
            list(socks)

    def __enter__(self):
        try:
            for port in self.ports:
                harness.wait_listening(self.proc, port)
        except BaseException:
            self.proc.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.proc.stop()
        return False


def run_tool(argv, timeout=300):
    """Run a bench tool; its stdout, or RuntimeError with its stderr."""
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError((out.stderr.strip() or out.stdout.strip() or
                            "%s failed" % argv[0]).splitlines()[0])
    return out.stdout


def fields(line):
    """'k1 v1 k2 v2 ...' (the C tools' output) as a dict of floats."""
    words = line.split()
    out = {}
    for i in range(len(words) - 1):
        try:
            out[words[i]] = float(words[i + 1])
        except ValueError:
            continue
    return out
