# SPDX-License-Identifier: ISC
"""adit -X / -Y against a real sshd (X11Forwarding yes) with a private Xvfb
(started here with a generated cookie, stopped by PID) as the local
display: xdpyinfo on the server reaches it through the forward (-X with
an untrusted cookie from `xauth generate`, -Y with the real one), xlogo
opens a window that a screenshot of the display shows, and an X client
on the server with a wrong cookie is turned away by adit before the
display sees it."""
import os
import secrets
import shutil
import struct
import subprocess
import time

import pytest

import harness

XVFB = shutil.which("Xvfb")
XAUTH = shutil.which("xauth") or "/usr/bin/xauth"
XWD = shutil.which("xwd")
XWININFO = shutil.which("xwininfo")
XDPYINFO = shutil.which("xdpyinfo")

pytestmark = pytest.mark.skipif(
    None in (XVFB, XWD, XWININFO, XDPYINFO) or not os.path.exists(XAUTH),
    reason="needs Xvfb, xauth, x11-apps and x11-utils "
           "(scripts/install-deps.sh)")


class Display:
    def __init__(self, name, xauthority):
        self.name = name
        self.xauthority = xauthority

    def env(self, base):
        return dict(base, DISPLAY=self.name, XAUTHORITY=self.xauthority)

    def run(self, argv, base, timeout=30):
        return subprocess.run(argv, env=self.env(base), capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)


def free_display():
    """A display number with neither a socket nor a lock file."""
    for n in range(60, 200):
        if not os.path.exists("/tmp/.X11-unix/X%d" % n) and \
                not os.path.exists("/tmp/.X%d-lock" % n):
            return n
    raise AssertionError("no free X display number")


@pytest.fixture
def xvfb(home, procs, tmp_path):
    """Xvfb on a free display, Unix socket only, with a random cookie in
    its own authority file; procs stops it by PID."""
    auth = str(tmp_path / "Xauthority")
    last = None
    for _ in range(3):  # another Xvfb may take the number meanwhile
        n = free_display()
        subprocess.run([XAUTH, "-f", auth, "add", ":%d" % n,
                        "MIT-MAGIC-COOKIE-1", secrets.token_hex(16)],
                       check=True, capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
        # -noreset: a desktop's X server always has clients; an idle
        # Xvfb resets when its last one leaves, and a reset revokes the
        # untrusted cookies `xauth generate` made (-X) at once.
        proc = procs.start("Xvfb", [XVFB, ":%d" % n, "-auth", auth,
                                    "-noreset", "-nolisten", "tcp",
                                    "-screen", "0", "320x240x24"])
        d = Display(":%d" % n, auth)
        deadline = time.monotonic() + harness.READY_TIMEOUT
        while proc.alive() and time.monotonic() < deadline:
            if d.run([XDPYINFO], home.env).returncode == 0:
                return d
            time.sleep(0.1)
        last = proc.describe()
        proc.stop()
    raise AssertionError("Xvfb did not start: " + str(last))


@pytest.fixture
def x11_sshd(sshd_factory, tmp_path):
    """sshd forwarding X11 on localhost; the session's xauth writes to a
    file of the test's, not to the real home."""
    return sshd_factory.start(extra=[
        "X11Forwarding yes", "X11UseLocalhost yes",
        "XAuthLocation %s" % XAUTH,
        "SetEnv XAUTHORITY=%s" % (tmp_path / "remote.Xauthority")])


def start(client, server, flags, command, env):
    argv = client.argv("adit", server.port, no_cmd=False)
    argv[1:1] = flags
    return client.procs.start("adit", argv + command, env=env)


def finish(proc, timeout=60):
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("adit did not exit: " + proc.describe())
    return rc, proc.stdout(), proc.stderr()


@pytest.mark.parametrize("flag", ["-X", "-Y"])
def test_xdpyinfo_through_forward(client, x11_sshd, xvfb, home, flag):
    """xdpyinfo on the server names sshd's proxy display and describes
    our Xvfb (its 320x240 screen)."""
    proc = start(client, x11_sshd, [flag], ["xdpyinfo"], xvfb.env(home.env))
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert "name of display:    localhost:1" in out  # X11DisplayOffset 10+
    assert "dimensions:    320x240 pixels" in out
    assert "X11 connection rejected" not in err


def xwd_pixels(data):
    """The distinct pixel values of an xwd dump (X11 XWD format 7)."""
    hdr = struct.unpack(">25I", data[:100])
    header_size, version = hdr[0], hdr[1]
    width, height = hdr[4], hdr[5]
    bits_per_pixel, bytes_per_line, ncolors = hdr[11], hdr[12], hdr[19]
    assert version == 7 and bits_per_pixel in (24, 32)
    start_at = header_size + 12 * ncolors
    step = bits_per_pixel // 8
    seen = set()
    for y in range(height):
        row = data[start_at + y * bytes_per_line:
                   start_at + y * bytes_per_line + width * step]
        for x in range(0, len(row), step * 4):  # every 4th pixel is plenty
            seen.add(row[x:x + step])
    return seen


def window_shown(xvfb, env, name):
    r = xvfb.run([XWININFO, "-root", "-tree"], env)
    return r.returncode == 0 and name.encode() in r.stdout


def test_xlogo_window_screenshot(client, x11_sshd, xvfb, home, tmp_path):
    """adit -Y host xlogo opens a window on our display: xwininfo lists it,
    and a screenshot of the root window is no longer one colour."""
    before = xvfb.run([XWD, "-root", "-silent"], home.env)
    assert before.returncode == 0
    assert len(xwd_pixels(before.stdout)) == 1  # blank root
    proc = start(client, x11_sshd, ["-Y"], ["timeout", "60", "xlogo"],
                 xvfb.env(home.env))
    deadline = time.monotonic() + 30
    while not window_shown(xvfb, home.env, "xlogo"):
        assert proc.alive(), proc.describe()
        assert time.monotonic() < deadline, proc.describe()
        time.sleep(0.2)
    shot = None
    while time.monotonic() < deadline:  # until xlogo has drawn
        shot = xvfb.run([XWD, "-root", "-silent"], home.env)
        if shot.returncode == 0 and len(xwd_pixels(shot.stdout)) > 1:
            break
        time.sleep(0.2)
    (tmp_path / "screen.xwd").write_bytes(shot.stdout)
    assert len(xwd_pixels(shot.stdout)) > 1, "screenshot is blank"
    proc.stop()


def test_wrong_cookie_refused(client, x11_sshd, xvfb, home):
    """An X client on the server with another cookie of the right length,
    and one with none: adit refuses both before the display is reached,
    and says why; the right cookie still works after them."""
    script = ("w=$(mktemp); xauth -f $w add $DISPLAY MIT-MAGIC-COOKIE-1 "
              "%s; XAUTHORITY=$w xdpyinfo >/dev/null 2>&1; echo wrong=$?; "
              "XAUTHORITY=/nonexistent xdpyinfo >/dev/null 2>&1; "
              "echo none=$?; rm -f $w; xdpyinfo >/dev/null; echo right=$?"
              % secrets.token_hex(16))
    proc = start(client, x11_sshd, ["-Y"], [script], xvfb.env(home.env))
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert "wrong=1" in out and "none=1" in out and "right=0" in out, out
    assert err.count("X11 connection rejected because of wrong "
                     "authentication.") >= 2, err


def test_no_x11_without_x(client, x11_sshd, xvfb, home):
    """Without -X (or with -x after it) nothing is asked: no $DISPLAY on
    the server."""
    for flags in ([], ["-X", "-x"]):
        proc = start(client, x11_sshd, flags, ["echo", "[$DISPLAY]"],
                     xvfb.env(home.env))
        rc, out, err = finish(proc)
        assert rc == 0, err
        assert out == "[]\n"

