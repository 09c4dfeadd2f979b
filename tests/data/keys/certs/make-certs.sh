#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Regenerate the certificate fixtures with OpenSSH's ssh-keygen. The output
# is committed; the tests never run this. Validity windows are absolute so
# the fixtures do not age: "valid" ones run from 2020 to 2100.
set -euo pipefail
cd "$(dirname "$0")"
rm -f ca_* user_* host_* ./*-cert.pub tmp_*

kg() { ssh-keygen -q -N '' -C "$2" "${@:3}" -f "$1"; }
kg ca_ed25519 "test CA ed25519" -t ed25519
kg ca_ecdsa "test CA ecdsa" -t ecdsa -b 384
kg ca_rsa "test CA rsa" -t rsa -b 2048
kg user_ed25519 "user ed25519" -t ed25519
kg user_ecdsa "user ecdsa" -t ecdsa -b 256
kg user_rsa "user rsa" -t rsa -b 2048
kg host_ed25519 "host ed25519" -t ed25519

V=20200101:21000101
sign() { # out-name ca key args...
    local out=$1 ca=$2 key=$3
    shift 3
    cp "$key.pub" "tmp_$out.pub"
    ssh-keygen -q -s "$ca" "$@" "tmp_$out.pub"
    mv "tmp_$out-cert.pub" "$out-cert.pub"
    rm "tmp_$out.pub"
}
sign user_ed25519 ca_ed25519 user_ed25519 -I alice@example -n alice,bob \
    -z 42 -V $V
sign user_ecdsa ca_rsa user_ecdsa -I ecdsa-user -n alice -z 7 -V $V
sign user_ecdsa_rsa256 ca_rsa user_ecdsa -I ecdsa-user-256 -n alice -z 8 \
    -V $V -t rsa-sha2-256
sign user_rsa ca_ecdsa user_rsa -I rsa-user -n alice -z 9 -V $V
sign expired ca_ed25519 user_ed25519 -I expired -n alice -V 20000101:20010101
sign notyet ca_ed25519 user_ed25519 -I notyet -n alice -V 20990101:21000101
sign host ca_ed25519 host_ed25519 -I host -h -n host.example,10.0.0.1 -V $V
sign noprincipals ca_ed25519 user_ed25519 -I anyone -V $V
sign restricted ca_ed25519 user_ed25519 -I restricted -n alice -V $V \
    -O force-command=/bin/true -O source-address=127.0.0.1/32,::1/128
sign noext ca_ed25519 user_ed25519 -I noext -n alice -V $V -O clear
sign unknowncrit ca_ed25519 user_ed25519 -I unknowncrit -n alice -V $V \
    -O critical:frob@example.com=yes
sign verifyreq ca_ed25519 user_ed25519 -I verifyreq -n alice -V $V \
    -O verify-required
sign sha1 ca_rsa user_ed25519 -I sha1 -n alice -V $V -t ssh-rsa
sign ext ca_ed25519 user_ed25519 -I ext -n alice -V $V -O clear \
    -O permit-port-forwarding -O extension:custom@example.com=data
