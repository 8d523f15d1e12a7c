#!/usr/bin/env bash
# The transcript (docs/transcript-format.md) of real root and issuing-CA
# ceremonies: it verifies with `transcript verify` and with an independent
# python3 verifier; every kind of tampering (a byte changed in any record,
# a record dropped, two swapped, the closing record cut, an artifact
# changed) fails and is named by line or file; the report is one
# self-contained page; the PIN appears nowhere.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
VERIFY="$ANC_SRC/tests/integration/verify_transcript.py"
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

make_token m8-root
example root.yaml "$T/root.yaml"
anc ceremony run "$T/root.yaml" --outbox "$T/root" \
    --pin-source "file:$T/pin-m8-root" --yes >"$T/run.out" 2>"$T/run.err" ||
    { cat "$T/run.err"; fail "root ceremony"; }
O=$T/root
R=$O/transcript.jsonl
lines=$(wc -l <"$R")

anc transcript verify "$O" >"$T/v" || fail "an untouched transcript does not verify"
grep -q "$lines records, chain intact, 2 output file(s) match" "$T/v" ||
    { cat "$T/v"; fail "verify summary"; }
fp=$(openssl x509 -in "$O/root-2026.pem" -outform DER | sha256sum | cut -d' ' -f1)
grep -q "signed by the key of the certificate with SHA-256 $fp" "$T/v" ||
    fail "verify does not name the root that signed"
hash=$("$PY" "$VERIFY" "$O" "$O/root-2026.pem") || fail "independent verifier"
[ "$(tail -1 "$R" | tr -d '\n' | sha256sum | cut -d' ' -f1)" = "$hash" ] ||
    fail "closing hash is not the SHA-256 of the last line"
grep -q "closing hash: $(echo "$hash" | sed -E 's/(.{4})/\1 /g; s/ $//')" "$T/v" ||
    fail "verify prints another closing hash"
grep -q "$(echo "$hash" | cut -c1-4) $(echo "$hash" | cut -c5-8)" "$T/run.out" ||
    fail "the run printed another closing hash"
# SHA256SUMS lists the transcript, and outbox verify accepts it.
grep -q '  transcript.jsonl$' "$O/SHA256SUMS" || fail "SHA256SUMS lacks the transcript"
anc outbox verify "$O" >/dev/null || fail "outbox verify"
"$PY" - "$R" <<'EOF' || fail "record contents"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in recs]
assert types[:4] == ["start", "participants", "confirmation", "token"], types
assert types[-1] == "end"
start = recs[0]
assert start["signer"] == {"key": "m8-root-2026", "certificate": "root-2026",
                           "step": 2}, start["signer"]
assert len(start["script"]["sha256"]) == 64
tok = recs[3]
assert tok["manufacturer"] == "SoftHSM project" and tok["mechanisms"]
key = [r for r in recs if r["type"] == "key"][0]
a = key["attributes"]
assert a["always_sensitive"] and a["never_extractable"] and a["local"]
assert not a["extractable"] and a["sensitive"], a
outs = [r["file"] for r in recs if r["type"] == "output"]
assert outs == ["root-2026.pem", "trust-bundle.pem"], outs
conf = [r for r in recs if r["type"] == "confirmation"]
assert all(c["name"] == "unattended" for c in conf) and len(conf) == 7
assert all(r["unattended"] is True and r["rehearsal"] is False for r in recs)
EOF
pass "untouched transcript verifies, here and independently"

# tamper NAME EXPECTED-PATTERN: copy the outbox to $T/t-NAME, let the
# caller change it, then `transcript verify` must fail, exit 1, naming it.
copy() { rm -rf "$T/t-$1"; cp -a "$O" "$T/t-$1"; }
must_fail() {
	local name=$1 want=$2
	expect_exit 1 anc transcript verify "$T/t-$name"
	expect_msg "$want"
	! "$PY" "$VERIFY" "$T/t-$name" "$T/t-$name/root-2026.pem" \
	    >/dev/null 2>&1 || fail "$name: the independent verifier accepts it"
	pass "tampering caught: $name"
}

# One byte changed in every record in turn, the byte inside a value so
# that the line stays valid, canonical JSON: the chain names the next line
# (the closing record's own signature names it when it is the last).
for ((i = 1; i <= lines; i++)); do
	copy byte-$i
	"$PY" - "$T/t-byte-$i/transcript.jsonl" "$i" <<'EOF'
import sys
path, no = sys.argv[1], int(sys.argv[2])
lines = open(path, "rb").read().split(b"\n")
line = lines[no - 1]
at = line.index(b'"time":"') + len(b'"time":"') + 3   # a digit of the year
line = line[:at] + (b"7" if line[at:at + 1] != b"7" else b"8") + line[at + 1:]
lines[no - 1] = line
open(path, "wb").write(b"\n".join(lines))
EOF
	if [ "$i" -lt "$lines" ]; then
		must_fail byte-$i "transcript.jsonl:$((i + 1)): record $((i + 1)): prev is"
	else
		must_fail byte-$i "transcript.jsonl:$i: record $i: the signature does not verify"
	fi
done

copy edited
sed -i '3s/"typed":"--yes"/"typed": "--yes"/' "$T/t-edited/transcript.jsonl"
must_fail edited 'transcript.jsonl:3: record 3: not in canonical form'

copy drop
sed -i '6d' "$T/t-drop/transcript.jsonl"
must_fail drop 'transcript.jsonl:6: record 6: prev is'

copy swap
sed -i '7{h;d};8{G}' "$T/t-swap/transcript.jsonl"
must_fail swap 'transcript.jsonl:7: record 7: prev is'

copy cut
sed -i '$d' "$T/t-cut/transcript.jsonl"
must_fail cut "transcript.jsonl:$((lines - 1)): record $((lines - 1)): the last record is \"confirmation\", expected a closing"

copy partial
head -c -20 "$R" >"$T/t-partial/transcript.jsonl"
must_fail partial "transcript.jsonl:$lines: record $lines: the line does not end with a newline"

copy artifact
printf '\n' >>"$T/t-artifact/trust-bundle.pem"
must_fail artifact 'output .*/trust-bundle.pem has SHA-256 .*: the file was changed'

copy gone
rm "$T/t-gone/root-2026.pem"
expect_exit 1 anc transcript verify "$T/t-gone"
expect_msg 'transcript.jsonl:11: record 11: output root-2026.pem: '
pass "tampering caught: an artifact removed"

[ "$(anc --json transcript verify "$O" | "$PY" -c \
    'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["signed"], d["closing_hash"])')" = "True True $hash" ] ||
    fail "--json verify"

# --json on a failure names the line.
[ "$(anc --json transcript verify "$T/t-drop" | "$PY" -c \
    'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["fail_line"])')" = "False 6" ] ||
    fail "--json verify of a broken transcript"
pass "--json verify"

# The report: one page, nothing fetched, the closing hash and its words.
anc transcript report "$O" >"$T/report.html" || fail "transcript report"
grep -q '<!DOCTYPE html>' "$T/report.html" || fail "report: not HTML"
! grep -Eiq '<script|<link|<img|src=|href=|https?:|@import|url\(' "$T/report.html" ||
    fail "report: not self-contained"
grep -q "$(echo "$hash" | cut -c1-4) $(echo "$hash" | cut -c5-8)" "$T/report.html" ||
    fail "report: closing hash"
words=$(grep -A1 'closing hash:' "$T/v" | tail -1 | sed 's/^ *//')
grep -qF "$words" "$T/report.html" || fail "report: closing words"
grep -q 'Alice Example &mdash; administrator' "$T/report.html" ||
    fail "report: sign-off block"
expect_exit 1 anc transcript report "$T/t-drop"
pass "report: self-contained, with hash, words and sign-off"

# An issuing-CA ceremony is signed by the root it issues under (an input):
# its key is found in the trust bundle the ceremony writes.  Without a
# bundle no file of the outbox carries the root: --anchor must give it.
mkdir -p "$T/ica/root"
cp "$O/root-2026.pem" "$T/ica/root/"
cp "$ANC_SRC/ceremony/examples/issuing-ca.yaml" "$T/ica/"
sed -e '/^  - bundle:/,/output: trust-bundle/d' \
    -e '/^  - export-bundle:/,/bundle: trust-bundle/d' \
    "$T/ica/issuing-ca.yaml" >"$T/ica/nobundle.yaml"
for s in issuing-ca nobundle; do
	anc -q ceremony run "$T/ica/$s.yaml" --outbox "$T/ica/$s" \
	    --pin-source "file:$T/pin-m8-root" --yes >"$T/ica-$s.out" 2>&1 ||
	    { cat "$T/ica-$s.out"; fail "issuing-CA ceremony $s"; }
	"$PY" "$VERIFY" "$T/ica/$s" "$O/root-2026.pem" >/dev/null ||
	    fail "issuing-CA transcript $s: independent verifier"
done
anc transcript verify "$T/ica/issuing-ca" >"$T/v2" || fail "issuing-CA transcript"
grep -q "SHA-256 $fp (.*/trust-bundle.pem)" "$T/v2" ||
    { cat "$T/v2"; fail "issuing-CA transcript not vouched for by the bundle"; }
expect_exit 1 anc transcript verify "$T/ica/nobundle"
expect_msg 'the signature verifies, but no certificate in .* carries the signing key; give the root certificate with --anchor FILE'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/other.key" -subj /CN=other -days 2 -out "$T/other.pem" 2>/dev/null
expect_exit 1 anc transcript verify "$T/ica/nobundle" --anchor "$T/other.pem"
# --anchor pins the root: the bundle in the outbox does not stand in for it.
expect_exit 1 anc transcript verify "$T/ica/issuing-ca" --anchor "$T/other.pem"
expect_msg "other.pem \\(--anchor\\) carries the signing key: the transcript was not signed by that root"
anc transcript verify "$T/ica/nobundle" --anchor "$O/root-2026.pem" >"$T/v3" ||
    fail "--anchor with the root"
grep -q "SHA-256 $fp ($O/root-2026.pem)" "$T/v3" || fail "--anchor: not named"
pass "issuing-CA transcripts signed by the input root's key; --anchor"

# The PIN appears nowhere.
pin=$(cat "$T/pin-m8-root")
for f in "$T/run.out" "$T/run.err" "$T"/ica-*.out "$R" \
    "$T"/ica/*/transcript.jsonl "$T/report.html" "$T/v" "$T/v2"; do
	! grep -qF -- "$pin" "$f" || fail "the PIN appears in $f"
done
pass "no PIN in outputs, transcripts or report"
