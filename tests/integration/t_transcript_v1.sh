#!/usr/bin/env bash
# Transcripts of format 1 keep verifying.  tests/fixtures/transcript-v1
# is a fleet ceremony's outbox (a bundle, its manifests, a batch-sign-csr
# of two clusters) written by anchorage before format 2, whose end record
# lists every file (docs/transcript-format.md, "Formats").  Both verifiers
# accept it untouched, and refuse it with a file changed, missing or added,
# or a record changed.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
VERIFY="$ANC_SRC/tests/integration/verify_transcript.py"
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
F=$ANC_SRC/tests/fixtures/transcript-v1
ROOT=$F/root-2026.pem
O=$T/v1
cp -R "$F/outbox" "$O"
chmod -R go-w "$O"

head -1 "$O/transcript.jsonl" | grep -q '"format"' && fail "the fixture is not format 1"
anc transcript verify "$O" --anchor "$ROOT" >"$T/v" || fail "format 1 does not verify"
grep -q "21 records, chain intact, 9 output file(s) match" "$T/v" || { cat "$T/v"; fail "summary"; }
hash=$("$PY" "$VERIFY" "$O" "$ROOT") || fail "independent verifier, format 1"
[ "$hash" = bb3c410758fb0061f482f1eead096f6a798dc3fc66dca617001cb20fd93c0e17 ] ||
    fail "closing hash $hash"
grep -q "closing hash: bb3c 4107" "$T/v" || fail "closing hash"
pass "a format 1 transcript verifies with both verifiers"

# Each tampering refused by both verifiers, then undone.
refused() {
	expect_exit 1 anc transcript verify "$O" --anchor "$ROOT"
	expect_msg "$1"
	! "$PY" "$VERIFY" "$O" "$ROOT" >/dev/null 2>&1 || fail "python accepts: $2"
}
f=vault/v0002/ca-chain.pem
cp "$O/$f" "$T/keep"
echo >>"$O/$f"
refused "record 19: output .*$f has SHA-256" "a changed file"
cp "$T/keep" "$O/$f"
mv "$O/trust-bundle.pem" "$T/keep"
refused "trust-bundle.pem: .*" "a missing file"
mv "$T/keep" "$O/trust-bundle.pem"
cp "$O/$f" "$O/vault/v0001/extra.pem"
refused "record 21: the outbox holds 10 files besides transcript.jsonl and SHA256SUMS, the transcript records 9" "an added file"
rm "$O/vault/v0001/extra.pem"
cp "$O/transcript.jsonl" "$T/keep"
sed -i '7s/"step":1/"step":2/' "$O/transcript.jsonl"
refused "record 8: prev" "a changed record"
cp "$T/keep" "$O/transcript.jsonl"
# The end record's list: the signature covers it.
sed -i '21s/"file":"trust-bundle.pem"/"file":"trust-bundle.pex"/' "$O/transcript.jsonl"
refused "record 21: " "a changed end record"
cp "$T/keep" "$O/transcript.jsonl"
anc transcript verify "$O" --anchor "$ROOT" >/dev/null || fail "restored fixture"
pass "format 1: changed, missing and added files and changed records refused"
