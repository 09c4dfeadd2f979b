#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A live demo on loopback: a small web service, aditd in front of it, and
# `adit -N -L` tunnelling to it; curl fetches through the tunnel every 2 s
# and prints what came back, until Ctrl-C. Everything it starts is stopped
# by PID and its temp directory removed on exit.
#
#   scripts/demo.sh            install deps, build, run until Ctrl-C
#   DEMO_ROUNDS=3 scripts/demo.sh   stop by itself after 3 fetches
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${DEMO_ROUNDS:-0}   # 0: until Ctrl-C
build=${ADIT_BUILD:-$top/build}

bash "$top/scripts/install-deps.sh"
if [ -z "${ADIT_DEMO_NO_BUILD:-}" ]; then
    bash "$top/scripts/build.sh" normal >/dev/null
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/adit-demo.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]+"${pids[@]}"}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]+"${pids[@]}"}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
    echo
    echo "demo: stopped everything and removed $tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT PID WHAT: poll until PORT accepts, at most 30 s.
wait_port() {
    local i
    for i in $(seq 1 300); do
        if ! kill -0 "$2" 2>/dev/null; then
            echo "demo: $3 exited early; its log:" >&2
            cat "$tmp/$3.log" >&2 || true
            exit 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "demo: $3 did not listen on port $1 within 30 s" >&2
    exit 1
}

# wait_log TEXT PID WHAT: poll until TEXT is in WHAT's log, at most 30 s.
wait_log() {
    local i
    for i in $(seq 1 300); do
        if ! kill -0 "$2" 2>/dev/null; then
            echo "demo: $3 exited early; its log:" >&2
            cat "$tmp/$3.log" >&2 || true
            exit 1
        fi
        if grep -qF "$1" "$tmp/$3.log" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "demo: no \"$1\" from $3 within 30 s" >&2
    exit 1
}

# 1. The service: a static web page on 127.0.0.1:<svc>.
mkdir -p "$tmp/www"
echo "hello from behind the tunnel" >"$tmp/www/index.html"
svc=$(free_port)
python3 -m http.server "$svc" --bind 127.0.0.1 --directory "$tmp/www" \
    >"$tmp/service.log" 2>&1 &
pids+=($!)
wait_port "$svc" "${pids[-1]}" service
echo "demo: web service on 127.0.0.1:$svc"

# 2. aditd with a fresh user key in its authorized_keys; it generates its
#    own ed25519 host key because the HostKey file does not exist yet.
ssh-keygen -q -t ed25519 -N '' -C demo-user -f "$tmp/demo_key"
cp "$tmp/demo_key.pub" "$tmp/authorized_keys"
srv=$(free_port)
cat >"$tmp/aditd_config" <<CFG
ListenAddress 127.0.0.1
Port $srv
HostKey $tmp/host_ed25519_key
AuthorizedKeysFile $tmp/authorized_keys
LogLevel INFO
CFG
"$build/aditd" -D -f "$tmp/aditd_config" >"$tmp/aditd.log" 2>&1 &
pids+=($!)
wait_log "Server listening on 127.0.0.1 port $srv." "${pids[-1]}" aditd
echo "demo: aditd on 127.0.0.1:$srv"

# 3. The tunnel: local port -> aditd -> the service.
loc=$(free_port)
"$build/adit" -N -L "127.0.0.1:$loc:127.0.0.1:$svc" -p "$srv" \
    -i "$tmp/demo_key" -o StrictHostKeyChecking=accept-new \
    -o UserKnownHostsFile="$tmp/known_hosts" demo@127.0.0.1 \
    >"$tmp/adit.log" 2>&1 &
pids+=($!)
wait_port "$loc" "${pids[-1]}" adit
echo "demo: adit -N -L 127.0.0.1:$loc:127.0.0.1:$svc demo@127.0.0.1 -p $srv"
echo "demo: aditd says:"
sed 's/^/    /' "$tmp/aditd.log"
echo "demo: fetching http://127.0.0.1:$loc/ through the tunnel every 2 s" \
    "(Ctrl-C to stop)"

total=0
n=0
while [ "$rounds" -eq 0 ] || [ "$n" -lt "$rounds" ]; do
    n=$((n + 1))
    if body=$(curl -sS --max-time 10 "http://127.0.0.1:$loc/"); then
        total=$((total + ${#body} + 1))
        printf '[%s] #%d %s  (%d bytes through the tunnel so far)\n' \
            "$(date +%T)" "$n" "$body" "$total"
    else
        printf '[%s] #%d fetch failed\n' "$(date +%T)" "$n"
    fi
    if [ "$rounds" -eq 0 ] || [ "$n" -lt "$rounds" ]; then
        sleep 2
    fi
done
