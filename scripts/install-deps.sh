#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Install every build and test dependency of adit on Debian or Ubuntu.
#
# Idempotent: when every package is already installed, apt is not touched
# at all, so a second run takes well under a second. Non-interactive; uses
# sudo only when not root.
set -euo pipefail

# Packages needed to build, unit-test, fuzz-replay and integration-test.
pkgs=(
    build-essential cmake pkg-config
    libssl-dev libuv1-dev zlib1g-dev libcmocka-dev
    libbotan-2-dev libseccomp-dev
    clang clang-format
    python3 python3-pytest python3-paramiko python3-cryptography
    openssh-client openssh-server
    curl procps tmux openssl
    systemd
    redis-server socat
    putty-tools dropbear-bin python3-asyncssh
    xvfb xauth x11-apps x11-utils
)

# For bench/ only (not the tests): `scripts/install-deps.sh --bench`.
# autossh is bench/recovery's reference.
if [ "${1:-}" = "--bench" ]; then
    pkgs+=(autossh)
fi

# libclang-rt-dev (the sanitizer/fuzzer runtimes) is unversioned on newer
# releases; on older ones only libclang-rt-<N>-dev exists.
clang_rt_pkg() {
    if apt-cache show libclang-rt-dev >/dev/null 2>&1; then
        echo libclang-rt-dev
        return
    fi
    local v
    v=$(apt-cache search --names-only '^libclang-rt-[0-9]+-dev$' 2>/dev/null |
        sed -E 's/^libclang-rt-([0-9]+)-dev.*/\1/' | sort -n | tail -n 1)
    if [ -n "$v" ]; then
        echo "libclang-rt-$v-dev"
    fi
}

missing=()
is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
for p in "${pkgs[@]}"; do
    is_installed "$p" || missing+=("$p")
done
# Accept any installed libclang-rt*-dev as satisfying the runtime.
if ! dpkg-query -W -f='${Package} ${Status}\n' 'libclang-rt*-dev' 2>/dev/null |
        grep -q 'install ok installed'; then
    missing+=(__clang_rt__)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all dependencies already installed"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq >/dev/null
final=()
for p in "${missing[@]}"; do
    if [ "$p" = __clang_rt__ ]; then
        p=$(clang_rt_pkg)
        [ -n "$p" ] || continue
    fi
    final+=("$p")
done
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${final[@]}" \
    >/dev/null
echo "install-deps: done"
