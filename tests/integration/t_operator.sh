#!/usr/bin/env bash
# What an operator meets around a ceremony: every `COMMAND --help` prints
# that command's help; --json gives one document for ceremony check and
# plan and is refused (exit 2) for run; cross-object refusals and warnings
# on the command line; an issuing CA that would outlive an existing root
# is refused with the largest validity that fits; a failure after the
# first transcript record says the outbox name is used up and names the
# next one; the report labels file hashes and certificate fingerprints.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# --- --help, for every command and every noun -------------------------------
for c in "token list" "token keys" "token probe" "ceremony check" "ceremony plan" \
    "ceremony run" "outbox verify" "transcript verify" "transcript report" \
    "status" "inventory check"; do
	# shellcheck disable=SC2086 # noun and verb are two words
	expect_exit 0 anc $c --help
	grep -q "^usage: anchorage .* $c " "$T/stdout" ||
	    { cat "$T/stdout"; fail "$c --help is not its own help"; }
done
for noun in token ceremony outbox transcript inventory; do
	expect_exit 0 anc "$noun" --help
	grep -q "^usage: anchorage .* $noun COMMAND" "$T/stdout" ||
	    fail "$noun --help"
	for verb in $(awk -v n="$noun" '$1 == n { print $2 }' "$T/stdout"); do
		grep -q "^  $noun $verb" "$T/stdout" || fail "$noun --help: $verb"
	done
done
grep -q '^  ceremony run FILE --outbox DIR' <(anc ceremony --help) ||
    fail "ceremony --help lacks run"
pass "--help: every command and every noun"

# --- a root to issue from ------------------------------------------------------
make_token m8-root
C=$T/c
mkdir -m 700 "$C"
example root.yaml "$C/root.yaml" -e 's/validity: 87600h/validity: 1000h/'
anc -q ceremony run "$C/root.yaml" --outbox "$C/root" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "root ceremony"

# --- --json: check and plan, one document each; run refused --------------------
example issuing-ca.yaml "$C/issuing.yaml" -e 's/validity: 43800h/validity: 500h/'
expect_exit 0 anc --json ceremony check "$C/issuing.yaml"
"$PY" - "$T/stdout" <<'PYEOF' || fail "check --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["error"] is None, d
assert d["ceremony"] == "monoskope-issuing-ca-2026" and len(d["sha256"]) == 64
assert d["warnings"] == [], d["warnings"]
PYEOF
expect_exit 0 anc --json ceremony plan "$C/issuing.yaml"
"$PY" - "$T/stdout" <<'PYEOF' || fail "plan --json"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [s["kind"] for s in d["steps"]]
assert kinds == ["issue-intermediate", "bundle", "export-secret",
                 "export-bundle", "export-issuer"], kinds
assert d["steps"][3]["writes"] == ["manifests/configmap-m8-trust-bundle.yaml",
                                   "manifests/bundle-m8-trust-bundle.yaml"]
assert "cert-manager/m8-trust-bundle-source" in d["steps"][3]["text"]
assert d["inputs"][0]["key"] == "m8-root-2026"
assert d["participants"][0]["role"] == "administrator"
PYEOF
expect_exit 2 anc --json ceremony run "$C/issuing.yaml" --outbox "$C/json" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg '--json is not supported'
[ ! -e "$C/json" ] || fail "a refused --json run left an outbox"
# A refusal is a document too, with the exit status.
example issuing-ca.yaml "$C/mismatch.yaml" -e '/export-issuer:/,$s/namespace: monoskope/namespace: apps/'
expect_exit 2 anc --json ceremony check "$C/mismatch.yaml"
"$PY" - "$T/stdout" <<'PYEOF' || fail "check --json of a refusal"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["error"]["exit"] == 2, d
assert "reads Secret \"m8-trust-anchor\" from its own namespace" in d["error"]["message"]
PYEOF
pass "--json: check and plan documents, run refused with exit 2"

# --- cross-object checks on the command line ------------------------------------
expect_exit 2 anc ceremony check "$C/mismatch.yaml"
expect_msg 'steps\[5\]\.export-issuer\.namespace: Issuer apps/m8-root-ca-issuer reads Secret "m8-trust-anchor" from its own namespace, but steps\[3\] exports it to namespace "monoskope"'
example issuing-ca.yaml "$C/cluster.yaml" -e 's/validity: 43800h/validity: 500h/' \
    -e '/export-issuer:/a\      kind: ClusterIssuer'
expect_exit 2 anc ceremony check "$C/cluster.yaml"
expect_msg 'ClusterIssuer m8-root-ca-issuer reads Secret "m8-trust-anchor" only from cert-manager.s cluster-resource namespace "cert-manager"'
example issuing-ca.yaml "$C/elsewhere.yaml" -e 's/validity: 43800h/validity: 500h/' \
    -e '/export-issuer:/,$s/secret: m8-trust-anchor/secret: from-2025/'
expect_exit 0 anc ceremony check "$C/elsewhere.yaml"
expect_msg 'warning: .*steps\[5\]\.export-issuer: Secret "from-2025" is not exported by this script'
anc -q ceremony check "$C/elsewhere.yaml" 2>&1 | grep -q warning &&
    fail "-q still prints warnings"
pass "cross-object: namespace mismatch and ClusterIssuer refused, foreign Secret warned"

# --- the validity that fits under an existing root --------------------------------
example issuing-ca.yaml "$C/toolong.yaml"	# 43800h under a 1000h root
expect_exit 4 anc ceremony check "$C/toolong.yaml"
expect_msg 'validity-within-issuer: notAfter later than the issuer.s \([0-9TZ:-]+\), expected it no later: validity at most (999|1000)h from now'
fit=$(grep -oE 'at most [0-9]+h' "$T/stderr" | grep -oE '[0-9]+')
example issuing-ca.yaml "$C/fits.yaml" -e "s/validity: 43800h/validity: $((fit - 1))h/"
expect_exit 0 anc ceremony check "$C/fits.yaml"
pass "issuing CA past its root: refused, at most ${fit}h stated, $((fit - 1))h accepted"

# --- a failure after the first record uses up the outbox name -----------------------
expect_exit 4 anc ceremony run "$C/root.yaml" --outbox "$C/again" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'already in the token'
expect_msg "the outbox $C/again holds the record of this attempt and cannot be used again; .* --outbox $C/again-2"
[ -s "$C/again/transcript.jsonl" ] || fail "no transcript in the used outbox"
mkdir "$C/again-2"
expect_exit 4 anc ceremony run "$C/root.yaml" --outbox "$C/again" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg "holds the record of an earlier run .* --outbox $C/again-3"
pass "used-up outbox: said so, next free name suggested"
