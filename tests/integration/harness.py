# SPDX-License-Identifier: ISC
"""Integration-test plumbing: processes, ports, readiness polls, TCP peers.

Every wait here is a poll with a deadline; nothing sleeps blindly. Every
process is started through Procs, which stops it by PID when the test ends.
"""
import collections
import contextlib
import hashlib
import os
import random
import signal
import socket
import subprocess
import threading
import time

# How long a process may take to become ready. Generous because the
# sanitizer builds start slowly on a loaded 2-core machine.
READY_TIMEOUT = 30.0
# Per-socket-operation timeout for data transfers.
IO_TIMEOUT = 120.0
POLL_INTERVAL = 0.02
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


def _ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


# free_port() hands out ports below the kernel's ephemeral range: a port
# from there can be taken, before the test binds it, as the source port of
# any outgoing connection (the tests make thousands). Random picks, not
# recently handed out, keep two test runs on one machine apart as well.
_FREE_LOW = 10000
_recent_ports = collections.deque(maxlen=2000)


def _bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    high = _ephemeral_start()
    for _ in range(500 if high - _FREE_LOW >= 1000 else 0):
        port = random.randrange(_FREE_LOW, high)
        if port not in _recent_ports and _bindable(port):
            _recent_ports.append(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Sockets closed_port() holds until the test process ends.
_held_ports = []


def closed_port():
    """Return a TCP port on 127.0.0.1 where a connect is refused, and
    stays refused: a socket is bound there and never listens, so no other
    test or process can take the port meanwhile (a port from free_port()
    can be handed to someone else's listener before it is used)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    _held_ports.append(s)
    return s.getsockname()[1]


def poll(predicate, timeout, what):
    """Call predicate() until it returns a true value or timeout expires."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.0fs waiting for %s"
                               % (timeout, what))
        time.sleep(POLL_INTERVAL)


def is_asan(path):
    """Whether the binary at path is built with AddressSanitizer."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def read_banner(port):
    """Return the SSH version line of the server on port, or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0) as s:
            data = b""
            while b"\n" not in data and len(data) < 256:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            line = data.split(b"\n", 1)[0].strip()
            return line if line.startswith(b"SSH-") else None
    except OSError:
        return None


class Proc:
    """One child process with stdout and stderr in files."""

    def __init__(self, name, argv, env, logdir):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.out_path = os.path.join(logdir, name + ".out")
        self.err_path = os.path.join(logdir, name + ".err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.p = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                      stdout=out, stderr=err, env=env,
                                      start_new_session=True)
        self.pid = self.p.pid

    def stderr(self):
        with open(self.err_path, "r", errors="replace") as f:
            return f.read()

    def stdout(self):
        with open(self.out_path, "r", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.p.poll() is None

    def wait(self, timeout):
        """Wait for the process to exit; return its exit status."""
        return self.p.wait(timeout=timeout)

    def stop(self):
        """SIGTERM, a bounded wait, then SIGKILL. Returns the exit status.
        An sshd's per-connection children go too: one whose client vanished
        (a dropped path, a killed client) outlives the listener otherwise."""
        kids = []
        if self.p.poll() is None:
            if self.name.startswith("sshd"):
                kids = descendants(self.pid)
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(timeout=10)
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return self.p.returncode

    def sanitizer_report(self):
        text = self.stderr()
        for m in SANITIZER_MARKERS:
            if m in text:
                return text
        return None

    def describe(self):
        return "%s (pid %d, %s)\n--- stderr ---\n%s" % (
            self.name, self.pid, " ".join(self.argv), self.stderr()[-4000:])


class Procs:
    """Registry of the processes one test started; stops them in reverse."""

    def __init__(self, env, logdir):
        self.env = env
        self.logdir = logdir
        self.items = []

    def start(self, name, argv, env=None):
        n = sum(1 for p in self.items if p.name.startswith(name))
        proc = Proc("%s.%d" % (name, n), argv, env or self.env, self.logdir)
        self.items.append(proc)
        return proc

    def stop_all(self):
        """Stop everything; return sanitizer reports found in the logs."""
        reports = []
        for proc in reversed(self.items):
            proc.stop()
            rep = proc.sanitizer_report()
            if rep:
                reports.append(proc.describe())
        self.items = []
        return reports


def wait_listening(proc, port, timeout=READY_TIMEOUT):
    """Wait until port accepts connections; fail early if proc exits."""
    def ready():
        if not proc.alive():
            raise AssertionError("process exited (status %s) before "
                                 "listening on %d: %s"
                                 % (proc.p.returncode, port, proc.describe()))
        return port_open(port)
    poll(ready, timeout, "%s to listen on port %d" % (proc.name, port))


def wait_ssh_server(proc, port, timeout=READY_TIMEOUT):
    """Wait until an SSH server on port sends its version line."""
    def ready():
        if not proc.alive():
            raise AssertionError("server exited (status %s) before ready: %s"
                                 % (proc.p.returncode, proc.describe()))
        return read_banner(port)
    return poll(ready, timeout, "%s banner on port %d" % (proc.name, port))


def wait_log(proc, text, timeout=READY_TIMEOUT):
    """Wait until text appears in proc's stderr."""
    return poll(lambda: text in proc.stderr(), timeout,
                "%r in %s log" % (text, proc.name))


def descendants(pid):
    """PIDs of every process below pid (the per-connection sshd children)."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after ')'
        parent[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


@contextlib.contextmanager
def stopped(pids):
    """The processes stopped (SIGSTOP) inside the block, resumed after."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


# --- TCP peers at the far end of a tunnel -----------------------------------

class TcpServer:
    """A threaded TCP server on 127.0.0.1:<ephemeral>, or on the Unix
    socket path when given; handler(conn)."""

    def __init__(self, handler, path=None):
        self.handler = handler
        self.path = path
        if path is None:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(path)
            self.port = None
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.threads = []
        self.errors = []
        self.accepted = 0
        self.lock = threading.Lock()
        self.acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self.acceptor.start()

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(IO_TIMEOUT)
            with self.lock:
                self.accepted += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn):
        try:
            self.handler(conn)
        except (BrokenPipeError, ConnectionResetError):
            # The tunnel's readiness probe connects and leaves at once;
            # data checks happen at the client end and in the sink.
            pass
        except Exception as e:  # recorded, checked by the test
            with self.lock:
                self.errors.append(repr(e))
        finally:
            conn.close()

    def stop(self):
        self.stopping.set()
        self.acceptor.join(timeout=5)
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)


def recv_all(conn, limit=None):
    """Read until EOF; return the bytes."""
    parts = []
    n = 0
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        n += len(chunk)
        if limit is not None and n > limit:
            raise AssertionError("peer sent more than %d bytes" % limit)


def echo_handler(conn):
    """Echo until EOF, then half-close."""
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        conn.sendall(chunk)
    conn.shutdown(socket.SHUT_WR)


class SinkRecorder:
    """Handler that reads to EOF and records (length, sha256) per connection."""

    def __init__(self):
        self.results = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)

    def __call__(self, conn):
        h = hashlib.sha256()
        n = 0
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
        with self.cond:
            self.results.append((n, h.hexdigest()))
            self.cond.notify_all()

    def wait_for(self, size, digest, timeout):
        """Wait until a connection delivered exactly size bytes with this
        digest. Other connections (the readiness probe) are ignored."""
        want = (size, digest)
        with self.cond:
            ok = self.cond.wait_for(lambda: want in self.results,
                                    timeout=timeout)
            if not ok:
                raise AssertionError("sink never received %d bytes with "
                                     "sha256 %s; got %r"
                                     % (size, digest, self.results))


def source_handler(payload):
    """Handler that sends payload then closes."""
    def handler(conn):
        conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
        # Drain until the peer closes so the close is orderly.
        recv_all(conn)
    return handler


def payload_of(size, seed=1):
    """Deterministic pseudo-random bytes."""
    import random
    return random.Random(seed * 1000003 + size).randbytes(size)


def sha256(data):
    return hashlib.sha256(data).hexdigest()
