# SPDX-License-Identifier: ISC
"""Keys and sshd configuration for the integration tests and bench/ (no
pytest here, so bench scripts can import it)."""
import shutil
import subprocess

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SSH = shutil.which("ssh") or "/usr/bin/ssh"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"

# ssh-keygen arguments per host key type, and the algorithm names that
# select each through HostKeyAlgorithms.
HOST_KEY_TYPES = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa": ["-t", "rsa", "-b", "3072"],
}


def keygen(path, args=("-t", "ed25519"), comment="adit-test"):
    subprocess.run([SSH_KEYGEN, "-q", "-N", "", "-C", comment, "-f",
                    str(path)] + list(args), check=True,
                   stdin=subprocess.DEVNULL, timeout=60)
    return str(path)


def pubkey_blob(path):
    """The base64 key blob of a .pub file."""
    with open(str(path) + ".pub") as f:
        return f.read().split()[1]


def sshd_config_lines(port, host_keys, authorized_keys):
    lines = ["ListenAddress 127.0.0.1", "Port %d" % port]
    lines += ["HostKey %s" % p for p in host_keys.values()]
    lines += [
        "AuthorizedKeysFile %s" % authorized_keys,
        "StrictModes no",
        "UsePAM no",
        "PidFile none",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "AllowTcpForwarding yes",
        "MaxStartups 100:30:200",
        "LogLevel VERBOSE",
    ]
    return lines


def write_sshd_config(path, lines, env):
    """Write the config; add PerSourcePenalties no where sshd knows it
    (OpenSSH 9.8+ would otherwise lock loopback out after the
    negative tests)."""
    extra = "PerSourcePenalties no"
    with open(path, "w") as f:
        f.write("\n".join(lines + [extra]) + "\n")
    r = subprocess.run([SSHD, "-t", "-f", path], capture_output=True,
                       env=env, stdin=subprocess.DEVNULL, timeout=30)
    if r.returncode != 0:
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


