#!/usr/bin/env bash
# token probe on the module under test (ANC_P11): the mechanism list it
# reports matches pkcs11-tool's own reading of the module, a script of
# every algorithm the module can generate is judged runnable, and a script
# of each algorithm it cannot (ANC_P11_REFUSED) is judged not runnable
# (exit 3), naming the mechanism it lacks.  Nothing is left in the token.
source "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

make_token m8-root
PIN="file:$T/pin-m8-root"
URI="pkcs11:token=m8-root"

scripts=()
for alg in $ANC_P11_ALGS; do
	example root.yaml "$T/root-$alg.yaml" \
	    -e "s/algorithm: ecdsa-p256/algorithm: $alg/"
	scripts+=(--script "$T/root-$alg.yaml")
done
expect_exit 0 anc --json token probe "$URI" --pin-source "$PIN" "${scripts[@]}"
cp "$T/stdout" "$T/probe.json"
pkcs11-tool --module "$ANC_MODULE_PATH" --token-label m8-root -M \
    >"$T/mechs.txt" 2>&1 || fail "pkcs11-tool -M"
"$PY" - "$T/probe.json" "$T/mechs.txt" "$ANC_P11_ALGS" <<'PYEOF' ||
import json, re, sys
d = json.load(open(sys.argv[1]))
listed = sum(1 for l in open(sys.argv[2]) if re.match(r"^  \S", l))
assert len(d["all_mechanisms"]) == listed, (len(d["all_mechanisms"]), listed)
assert d["token"]["label"] == "m8-root", d["token"]
assert len(d["scripts"]) == len(sys.argv[3].split())
# Each trial key pair was made, used and destroyed, or (tpm2-pkcs11) the
# module refused a session key pair outright and the trial says so.
for t in d["trials"]:
    assert t["ok"] or t["session_refused"], t
for s in d["scripts"]:
    assert s["can_run"] is True, s
    assert any(n["need"] == "keygen" and n["status"] == "met"
               for n in s["needs"]), s
PYEOF
    fail "probe --json on $ANC_P11"
pass "probe on $ANC_P11: $(tr ' ' ',' <<<"$ANC_P11_ALGS") runnable, mechanisms as pkcs11-tool lists them"

for entry in $ANC_P11_REFUSED; do
	alg=${entry%%:*}
	mech=${entry#*:}
	example root.yaml "$T/no-$alg.yaml" \
	    -e "s/algorithm: ecdsa-p256/algorithm: $alg/"
	expect_exit 3 anc token probe "$URI" --pin-source "$PIN" \
	    --script "$T/no-$alg.yaml"
	grep -q "$mech" "$T/stdout" "$T/stderr" ||
	    { cat "$T/stdout" "$T/stderr"; fail "probe: $alg does not name $mech"; }
	pass "probe on $ANC_P11: $alg judged not runnable ($mech)"
done

objs=$(p11_objects m8-root)
! grep -Eq "^(Private|Public) Key Object" <<<"$objs" ||
    { echo "$objs"; fail "probe left a key in the token"; }
pass "probe on $ANC_P11 left no key in the token"
