#!/usr/bin/env bash
# sign-csr's policy: each bad request is refused with exit 4, a message
# naming the rule, and nothing written.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/c
mkdir -m 700 "$C" "$C/vault"
cp "$ANC_SRC/ceremony/examples/root.yaml" "$C/"
anc -q ceremony run "$C/root.yaml" --outbox "$C/root" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "root ceremony"

# script NAME CSR VALIDITY PATHLEN MAXVALIDITY
script() {
	{ root_script "policy-$1"
	cat <<YAML
  - csr: { name: req, file: $2 }
steps:
  - sign-csr:
      issuer: root-2026
      csr: req
      validity: $3
      path-length: $4
      policy:
        algorithms: [ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096]
        max-validity: $5
        max-path-length: 1
      output: signed
YAML
	} >"$C/$1.yaml"
}

csr() {	# csr FILE KEYOPTS...
	local f=$1
	shift
	openssl req -new "$@" -nodes -keyout /dev/null -subj "/CN=vault int" \
	    -out "$f" 2>/dev/null || fail "making $f"
}

refused() {	# refused NAME RULE
	expect_exit 4 anc ceremony run "$C/$1.yaml" --outbox "$C/out-$1" \
	    --pin-source "file:$T/pin-m8-root" --yes
	expect_msg "$2"
	[ ! -e "$C/out-$1" ] || [ -z "$(ls -A "$C/out-$1")" ] || fail "$1 wrote files"
	pass "$1 refused: $2"
}

# A good request first, so the refusals below are about the one change.
csr "$C/vault/good.csr" -newkey ec -pkeyopt ec_paramgen_curve:P-256
script good vault/good.csr 43800h 0 43800h
anc -q ceremony run "$C/good.yaml" --outbox "$C/out-good" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "good CSR"
pass "good CSR signed"

# Bad self-signature: the last byte of the DER signature flipped.
openssl req -in "$C/vault/good.csr" -outform DER -out "$T/good.der"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
    "$T/good.der" "$C/vault/badsig.csr"
script badsig vault/badsig.csr 43800h 0 43800h
refused badsig "policy proof-of-possession"

csr "$C/vault/rsa1024.csr" -newkey rsa:1024
script rsa1024 vault/rsa1024.csr 43800h 0 43800h
refused rsa1024 "policy key-size: RSA key of 1024 bits"

csr "$C/vault/p521.csr" -newkey ec -pkeyopt ec_paramgen_curve:P-521
script p521 vault/p521.csr 43800h 0 43800h
refused p521 "policy key-type: curve secp521r1"

# Longer than the root lives: the root has 87600h.
script toolong vault/good.csr 90000h 0 90000h
refused toolong "outlive its issuer root-2026; shorten validity: at most (87599|87600)h from now"

# The root's pathlen is 1, so a CA below it may have at most 0.
script pathlen vault/good.csr 43800h 1 43800h
refused pathlen "policy path-length: issuer root-2026 has path length 1"
