#!/usr/bin/env bash
# Backup of a root key to a second SoftHSM2 token (docs/backup.md), from
# the example script: the round trip, an issuing CA signed in the backup
# token that openssl verifies against the original anchor, the blob kept
# out of the outbox, a damaged blob the token refuses to unwrap, and a
# process killed at each token call of the backup steps.  Results are
# checked with pkcs11-tool, openssl, sha256sum and python3.
source "$(dirname "$0")/lib.sh"
: "${ANC_MOCK_MODULE:?set by CTest}"

# Token labels that are not prefixes of each other: pkcs11-tool's
# --token-label matches a prefix.
pair() {	# pair N: tokens bkp-N (primary, its SO PIN kept) and bks-N
	local p=bkp-$1 s=bks-$1
	new_pin_file "$T/pin-$p"
	new_pin_file "$T/so-$p"
	( umask 077; cat "$T/so-$p" "$T/pin-$p" >"$T/init-$p" )
	"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" "$p" "$T/init-$p" ||
	    fail "token $p could not be made"
	rm -f "$T/init-$p"
	make_token "$s"
	example backup-root.yaml "$T/backup-$1.yaml" \
	    -e "s/token=m8-root-backup\"/token=$s\"/" \
	    -e "s/token=m8-root\"/token=$p\"/"
}

# run_backup N MODULE [FAULT]: the example on pair N.
run_backup() {
	local n=$1 module=$2
	ANC_MOCK_TARGET=$ANC_MODULE_PATH ANC_MOCK_FAULT=${3:-} \
	    "${ANC_RUN[@]}" "$ANCHORAGE" --module "$module" ceremony run \
	    "$T/backup-$n.yaml" --outbox "$T/out-$n" \
	    --pin-source "file:$T/pin-bkp-$n" \
	    --backup-pin-source "file:$T/pin-bks-$n" \
	    --so-pin-source "file:$T/so-bkp-$n" \
	    --backup-medium "$T/medium-$n" --yes
}

# objects LABEL PIN-FILE: every object pkcs11-tool sees, logged in.
objects() {
	type_pin "$2" | script -qec "pkcs11-tool --module $ANC_MODULE_PATH \
	    --token-label $1 --login --list-objects" /dev/null 2>&1 | tr -d '\r'
}
count() { grep -c "$1" <<<"$2" || true; }

# --- What is refused before any token is touched --------------------------
bad() {	# bad SED-EXPR MESSAGE: the example, edited, fails the check
	example backup-root.yaml "$T/bad.yaml" -e "$1"
	expect_exit 2 anc ceremony check "$T/bad.yaml"
	expect_msg "$2"
}
bad 's/backup: wrap-with-trusted/backup: none/' 'with backup: none, so it can never leave the token'
bad '/^  - backup-wrap:/,+2d' 'expected a backup-wrap step right after it'
bad '/^backup-token:/d' 'backup-token: required because steps\[2\] \(backup-keypair\)'
bad 's/token=m8-root-backup"/token=m8-root"/' 'backup-token: names the same token as token'
bad '/^  - backup-verify:/,+1s/m8-root-2026-b/m8-root-2026-x/' 'no earlier backup-restore step restores "m8-root-2026-x"'
# Signing before the SO's login: self-sign moved up to step 2.
example backup-root.yaml "$T/bad.yaml"
python3 - "$T/bad.yaml" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index("  - self-sign:")
block = lines[i:i + 6]
del lines[i:i + 6]
j = lines.index("  - backup-keypair:")
lines[j:j] = block
open(sys.argv[1], "w").write("\n".join(lines))
EOF
expect_exit 2 anc ceremony check "$T/bad.yaml"
expect_msg 'signs with the token before it; expected backup-trust before any signing step'
pair 0
expect_exit 2 anc ceremony run "$T/backup-0.yaml" --outbox "$T/out-0" --rehearsal --yes
expect_msg 'the backup steps need two real tokens'
expect_exit 2 anc ceremony run "$T/backup-0.yaml" --outbox "$T/out-0" \
    --pin-source "file:$T/pin-bkp-0" --backup-pin-source "file:$T/pin-bks-0" \
    --so-pin-source "file:$T/so-bkp-0" --yes
expect_msg 'give it with --backup-medium DIR'
pass "script and options refused before any token is touched"

# --- The round trip -------------------------------------------------------
pair 1
expect_exit 0 run_backup 1 "$ANC_MODULE_PATH"
out=$T/out-1
medium=$T/medium-1
anc outbox verify "$out" >/dev/null || fail "outbox verify"
anc transcript verify "$out" >/dev/null || fail "transcript verify"
python3 "$ANC_SRC/tests/integration/verify_transcript.py" "$out" \
    "$out/root-2026-b.pem" >/dev/null || fail "independent transcript verifier"
(cd "$out" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS"
[ "$(ls "$medium")" = m8-root-2026-b.wrapped ] || fail "medium: $(ls "$medium")"
[ "$(stat -c %a "$medium/m8-root-2026-b.wrapped")" = 600 ] || fail "blob mode"
head -1 "$medium/m8-root-2026-b.wrapped" | grep -qx 'anchorage-wrapped-key: 1' ||
    fail "blob header"
! grep -rlq 'anchorage-wrapped-key' "$out" || fail "the blob is in the outbox"
blob_sha=$(sha256sum "$medium/m8-root-2026-b.wrapped" | cut -d' ' -f1)
python3 - "$out/transcript.jsonl" "$blob_sha" <<'EOF' || fail "transcript records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in recs]
for t in ("backup-keypair", "backup-trust", "backup-wrap", "backup-restore",
          "backup-verify"):
    assert types.count(t) == 1, t
wrap = next(r for r in recs if r["type"] == "backup-wrap")
assert wrap["sha256"] == sys.argv[2], "blob hash"
keys = [r for r in recs if r["type"] == "key"]
root = [k for k in keys if k["label"] == "m8-root-2026-b"]
assert len(root) == 2, "key record in each token"
assert root[0]["backup"] == "wrap-with-trusted", root[0]
assert root[0]["attributes"]["wrap_with_trusted"] is True
assert root[1]["backup"] == "none" and root[1]["attributes"]["extractable"] is False
assert root[0]["spki_sha256"] == root[1]["spki_sha256"]
assert next(r for r in recs if r["type"] == "backup-verify")["verified"] is True
EOF
pass "round trip: outbox, medium and transcript"

# pkcs11-tool's view: the copy is sensitive, not extractable, sign-only;
# the primary holds its key pair and nothing of the SO's session objects.
spare=$(objects bks-1 "$T/pin-bks-1")
grep -A4 'Private Key Object; EC' <<<"$spare" | grep -q 'Usage: *sign$' ||
    { echo "$spare"; fail "copy is not sign-only"; }
grep -A4 'Private Key Object; EC' <<<"$spare" | grep 'Access:' |
    grep -v extractable | grep -q sensitive || { echo "$spare"; fail "copy access"; }
grep -A4 'Private Key Object; RSA' <<<"$spare" | grep -q 'Usage: *unwrap$' ||
    { echo "$spare"; fail "unwrap key usage"; }
[ "$(count 'Object;' "$spare")" -eq 4 ] || { echo "$spare"; fail "backup objects"; }
prim=$(objects bkp-1 "$T/pin-bkp-1")
[ "$(count 'Object;' "$prim")" -eq 2 ] || { echo "$prim"; fail "primary objects"; }
anc --json token keys pkcs11:token=bkp-1 --pin-source "file:$T/pin-bkp-1" |
    grep -Eq '"backup": ?"wrap-with-trusted"' || fail "token keys: primary policy"
anc token keys pkcs11:token=bks-1 --pin-source "file:$T/pin-bks-1" |
    grep -q 'backup none' || fail "token keys: copy policy"
pass "round trip: tokens as pkcs11-tool sees them"

# The copy signs: an issuing CA made in the backup token verifies with
# the original anchor, and so does the transcript it closes.
example issuing-ca.yaml "$T/issuing.yaml" -e "s/token=m8-root\"/token=bks-1\"/" \
    -e "s#root/root-2026.pem, key: m8-root-2026#out-1/root-2026-b.pem, key: m8-root-2026-b#"
expect_exit 0 anc ceremony run "$T/issuing.yaml" --outbox "$T/iss" \
    --pin-source "file:$T/pin-bks-1" --yes
openssl verify -x509_strict -CAfile "$out/root-2026-b.pem" \
    "$T/iss/issuing-2026.pem" >/dev/null || fail "openssl verify of the copy's signature"
anc transcript verify "$T/iss" --anchor "$out/root-2026-b.pem" >/dev/null ||
    fail "the copy's closing signature"
pass "the restored key signs a certificate that verifies with the original anchor"

# status counts the tokens the transcripts show holding each anchor's key.
anc --json status --outbox "$out" >"$T/status.json" || [ $? -eq 4 ] ||
    fail "status"
python3 - "$T/status.json" <<'EOF' || fail "status: tokens holding the key"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
a = [i for i in items if i["kind"] == "anchor"]
assert len(a) == 1 and a[0]["key_tokens"] == 2, a
EOF
pass "status: the anchor's key is in 2 tokens"

# The outbox never holds a wrapped key, whatever its name.
for name in m8-root-2026-b.wrapped root.README.txt notes.pem; do
	cp -r "$out" "$T/bad"
	cp "$medium/m8-root-2026-b.wrapped" "$T/bad/$name"
	(cd "$T/bad" && sha256sum "$name" >>SHA256SUMS)
	expect_exit 1 anc outbox verify "$T/bad"
	expect_msg "$name.*holds a wrapped key"
	rm -rf "$T/bad"
done
# Nor can the medium be the outbox or inside it.
pair 2
expect_exit 4 "$ANCHORAGE" --module "$ANC_MODULE_PATH" ceremony run \
    "$T/backup-2.yaml" --outbox "$T/out-2" --pin-source "file:$T/pin-bkp-2" \
    --backup-pin-source "file:$T/pin-bks-2" --so-pin-source "file:$T/so-bkp-2" \
    --backup-medium "$T/out-2/medium" --yes
expect_msg 'the outbox never carries key material'
pass "the blob never appears in the outbox"

if [ "${ANC_VALGRIND:-0}" = 1 ]; then
	exit 0	# the faults below run the same code, at 20 RSA key pairs
fi

# --- A wrong SO PIN: one attempt, nothing trusted, nothing wrapped ---------
pair 4
cp "$T/pin-bkp-4" "$T/so-bkp-4"	# the user PIN, not the SO's
expect_exit 3 run_backup 4 "$ANC_MODULE_PATH"
expect_msg 'wrong security officer PIN; anchorage makes one attempt per run'
[ ! -e "$T/medium-4/m8-root-2026-b.wrapped" ] || fail "wrong SO PIN: a blob"
prim=$(objects bkp-4 "$T/pin-bkp-4")
[ "$(count 'Object;' "$prim")" -eq 2 ] || { echo "$prim"; fail "wrong SO PIN: primary objects"; }
pass "a wrong SO PIN changes nothing in the primary token"

# --- A damaged blob -------------------------------------------------------
# The token itself refuses it; nothing is left in the backup token.
pair 3
expect_exit 1 run_backup 3 "$ANC_MOCK_MODULE" corrupt=C_UnwrapKey:2
expect_msg 'C_UnwrapKey of "m8-root-2026-b" failed.*nothing was changed'
spare=$(objects bks-3 "$T/pin-bks-3")
! grep -q 'm8-root-2026-b' <<<"$spare" || { echo "$spare"; fail "damaged blob left a key"; }
pass "a blob with one flipped byte fails to unwrap and leaves nothing"

# --- A kill at each token call of the backup steps ------------------------
# C_GenerateKeyPair 2: the unwrap key pair; C_CreateObject 1 and
# C_GenerateKey 1: the SO's trusted objects; C_WrapKey 1-4: length and
# bytes of the transfer key, then of the root key; C_UnwrapKey 1-2;
# C_CreateObject 2: the copy's public half, after its private half.
n=10
for point in C_GenerateKeyPair:2 C_CreateObject:1 C_GenerateKey:1 \
    C_WrapKey:1 C_WrapKey:4 C_UnwrapKey:1 C_UnwrapKey:2 C_CreateObject:2; do
	n=$((n + 1))
	pair $n
	expect_exit 137 run_backup $n "$ANC_MOCK_MODULE" "kill=$point"
	prim=$(objects bkp-$n "$T/pin-bkp-$n")
	[ "$(count 'Object;' "$prim")" -eq 2 ] ||
	    { echo "$prim"; fail "$point: the primary holds more than its key pair"; }
	spare=$(objects bks-$n "$T/pin-bks-$n")
	halves=$(count 'label: *m8-root-2026-b' "$spare")
	if [ "$point" = C_CreateObject:2 ]; then
		[ "$halves" -eq 1 ] || { echo "$spare"; fail "$point: half key"; }
	else
		[ "$halves" -eq 0 ] || { echo "$spare"; fail "$point: key in the backup token"; }
	fi
	! ls "$T/medium-$n" 2>/dev/null | grep -q partial || fail "$point: partial blob"
	# A rerun changes nothing and says exactly what to delete.
	if [ "$point" != C_GenerateKeyPair:2 ]; then
		rm -rf "$T/out-$n" "$T/medium-$n"
		expect_exit 4 run_backup $n "$ANC_MODULE_PATH"
		expect_msg 'already in the backup token; nothing was changed'
		expect_msg 'pkcs11-tool --login --token-label LABEL --delete-object'
	fi
	pass "kill at $point: nothing half made, or the rerun says what to delete"
done
