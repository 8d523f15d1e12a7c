#!/usr/bin/env bash
# token probe: what the token says it can do, checked against pkcs11-tool's
# own reading; a throwaway session key pair of each algorithm, signed with
# and verified, and nothing left in the token afterwards; a verdict per
# script.  The mock module hides mechanisms or their details, as other
# modules do (openCryptoki has no EC; some modules list mechanisms without
# C_GetMechanismInfo).
source "$(dirname "$0")/lib.sh"

: "${ANC_MOCK_MODULE:?set by CTest}"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }

make_token m8-root
PIN="file:$T/pin-m8-root"
URI="pkcs11:token=m8-root"
example root.yaml "$T/root.yaml"
example root.yaml "$T/root-p384.yaml" -e 's/ecdsa-p256/ecdsa-p384/'
example root.yaml "$T/root-rsa.yaml" -e 's/ecdsa-p256/rsa-3072/'

# mock ENV... -- ARGS: anchorage through the mock module.
mock() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env ANC_MOCK_TARGET="$ANC_MODULE_PATH" "${envs[@]}" "${ANC_RUN[@]}" \
	    "$ANCHORAGE" --module "$ANC_MOCK_MODULE" "$@"
}

# no_objects: pkcs11-tool sees no object at all in the token.
no_objects() {
	local out
	out=$(type_pin "$T/pin-m8-root" | script -qec "pkcs11-tool --module \
	    $ANC_MODULE_PATH --token-label m8-root --login --list-objects" \
	    /dev/null 2>&1 | tr -d '\r')
	! grep -Eq '^(Private|Public) Key Object' <<<"$out" ||
	    { echo "$out"; fail "$1: an object was left in the token"; }
}

# Text, every algorithm (no script).  Under valgrind the scripts choose
# fewer algorithms: RSA-4096 takes minutes there.
if [ "${ANC_VALGRIND:-0}" != 1 ]; then
	expect_exit 0 anc token probe "$URI" --pin-source "$PIN"
	for alg in ecdsa-p256 ecdsa-p384 rsa-3072 rsa-4096; do
		grep -Eq "^  $alg +ok: generated; template kept; .*signed, verified.*; destroyed" \
		    "$T/stdout" || { cat "$T/stdout"; fail "trial $alg"; }
	done
	grep -q '^  CKM_EC_KEY_PAIR_GEN .*generate_key_pair' "$T/stdout" ||
	    fail "text: EC key generation not shown"
	grep -q '^  login required: yes' "$T/stdout" || fail "text: login flag"
	no_objects "probe of every algorithm"
	pass "probe, text: four trial key pairs made, used and destroyed"
fi

# JSON, with scripts, checked against pkcs11-tool's own listing.
expect_exit 0 anc --json token probe "$URI" --pin-source "$PIN" \
    --script "$T/root.yaml" --script "$T/root-rsa.yaml"
cp "$T/stdout" "$T/probe.json"
pkcs11-tool --module "$ANC_MODULE_PATH" --token-label m8-root -M \
    >"$T/mechs.txt" 2>&1 || fail "pkcs11-tool -M"
pkcs11-tool --module "$ANC_MODULE_PATH" -L >"$T/tokens.txt" 2>&1 ||
    fail "pkcs11-tool -L"
"$PY" - "$T/probe.json" "$T/mechs.txt" "$T/tokens.txt" <<'PYEOF' ||
import json, re, sys
d = json.load(open(sys.argv[1]))
tool = {}
for line in open(sys.argv[2]):
    m = re.match(r"^  ([^,]+)(?:, keySize=\{(\d+),(\d+)\})?(.*)$", line.rstrip("\n"))
    if m:
        flags = {f.strip() for f in m.group(4).split(",") if f.strip()}
        tool[m.group(1)] = (m.group(2), m.group(3), flags)
# pkcs11-tool's names: CKM_ dropped, "_" as "-", a few of its own.
alias = {"CKM_EC_KEY_PAIR_GEN": "ECDSA-KEY-PAIR-GEN", "CKM_SHA_1": "SHA-1",
         "CKM_SHA_1_HMAC": "SHA-1-HMAC"}
def tname(m):
    n = m["name"]
    if n in alias:
        return alias[n]
    if n.startswith("CKM_0x"):
        return "mechtype-0x%X" % m["type"]
    return n[4:].replace("_", "-")
allm = d["all_mechanisms"]
assert len(allm) == len(tool), (len(allm), len(tool))
main = {"encrypt", "decrypt", "sign", "verify", "wrap", "unwrap", "derive",
        "digest", "generate", "generate_key_pair"}
for m in allm:
    # OpenSC names fewer mechanisms than we do; it shows the rest by number.
    t = tool.get(tname(m)) or tool.get("mechtype-0x%X" % m["type"])
    assert t is not None, "pkcs11-tool does not list " + m["name"]
    assert m["info"] is True
    if t[0] is not None:
        assert (m["min_key_size"], m["max_key_size"]) == (int(t[0]), int(t[1])), m
    assert set(m["flags"]) & main == t[2] & main, (m["name"], m["flags"], t[2])
tokens = open(sys.argv[3]).read()
tok = d["token"]
assert re.search(r"token label\s*:\s*m8-root\n", tokens)
assert re.search(r"serial num\s*:\s*%s\n" % re.escape(tok["serial"]), tokens), tok
assert tok["login_required"] is True and tok["rng"] is True
assert tok["protected_authentication_path"] is False
assert "token_initialized" in tok["flags"]
assert d["library"]["cryptoki_version"]
assert d["random"]["ok"] is True
algs = sorted(t["algorithm"] for t in d["trials"])
assert algs == ["ecdsa-p256", "rsa-3072"], algs
for t in d["trials"]:
    assert t["ok"] and t["generated"] and t["template_kept"] and t["destroyed"], t
    assert any(s["signed"] and s["verified"] for s in t["signatures"]), t
assert [s["can_run"] for s in d["scripts"]] == [True, True]
needs = d["scripts"][0]["needs"]
kinds = [(n["kind"], n["need"], n["status"]) for n in needs]
assert ("generate-key", "keygen", "met") in kinds, kinds
assert ("self-sign", "sign", "met") in kinds, kinds
assert ("closing record", "sign", "met") in kinds, kinds
kg = [n for n in needs if n["need"] == "keygen"][0]
assert kg["mechanism"] == "CKM_EC_KEY_PAIR_GEN" and kg["algorithm"] == "ecdsa-p256", kg
# Every need of the RSA script is met (none merely unchecked).
for n in d["scripts"][1]["needs"]:
    assert n["status"] == "met", n
kg = [n for n in d["scripts"][1]["needs"] if n["need"] == "keygen"][0]
assert kg["mechanism"] == "CKM_RSA_PKCS_KEY_PAIR_GEN" and kg["algorithm"] == "rsa-3072", kg
PYEOF
    fail "probe --json does not match pkcs11-tool"
no_objects "probe --json"
pass "probe, JSON: mechanisms, sizes and flags as pkcs11-tool reads them"

# A token without EC (as openCryptoki's software token): the EC script
# cannot run, naming the step, the algorithm and the mechanism; the RSA
# script can.
expect_exit 3 mock ANC_MOCK_HIDE_MECHS=ec -- token probe "$URI" \
    --pin-source "$PIN" --script "$T/root.yaml" --script "$T/root-rsa.yaml"
grep -q "root.yaml.*this token CANNOT run it" "$T/stdout" || fail "EC verdict"
grep -q "root-rsa.yaml.*this token can run it" "$T/stdout" || fail "RSA verdict"
grep -Eq "root.yaml:[0-9]+: step 1 \(generate-key\): an ecdsa-p256 key pair \"m8-root-2026\": missing: the token does not list CKM_EC_KEY_PAIR_GEN" \
    "$T/stdout" || { cat "$T/stdout"; fail "missing keygen not named"; }
grep -q '^  CKM_EC_KEY_PAIR_GEN *not listed' "$T/stdout" || fail "hidden EC shown"
expect_exit 3 mock ANC_MOCK_HIDE_MECHS=ec -- --json token probe "$URI" \
    --pin-source "$PIN" --script "$T/root-p384.yaml"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scripts"][0]
assert s["can_run"] is False
miss = [n for n in s["needs"] if n["status"] == "missing"]
assert {(n["step"], n["need"], n["algorithm"]) for n in miss} == \
    {(1, "keygen", "ecdsa-p384"), (2, "sign", "ecdsa-p384"), (0, "sign", "ecdsa-p384")}, miss
t = d["trials"][0]
assert t["algorithm"] == "ecdsa-p384" and t["ok"] is False and not t["generated"]
' "$T/stdout" || fail "EC hidden, JSON"
no_objects "probe without EC"
pass "probe on a token without EC: exit 3, the step and mechanism named"

# A module that lists mechanisms but describes none: unchecked, not
# missing; the trials decide.
expect_exit 0 mock ANC_MOCK_MECHINFO=invalid -- --json token probe "$URI" \
    --pin-source "$PIN" --script "$T/root.yaml"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scripts"][0]
assert s["can_run"] is True
st = {n["need"]: n["status"] for n in s["needs"]}
assert st["keygen"] == "unchecked" and st["sign"] == "unchecked", st
assert all(m["info"] is False and m["info_error"] == "CKR_MECHANISM_INVALID"
           for m in d["all_mechanisms"])
assert d["trials"][0]["ok"] is True
' "$T/stdout" || fail "no mechanism info, JSON"
pass "probe on a module without C_GetMechanismInfo: unchecked, trials decide"

# Usage and login: one attempt, exit 3 on a wrong PIN; a bad script is 2.
( umask 077; echo wrong-pin-0000 >"$T/wrong" )
expect_exit 3 anc token probe "$URI" --pin-source "file:$T/wrong"
expect_msg "wrong PIN"
printf 'version: 1\nname: [\n' >"$T/bad.yaml"
expect_exit 2 anc token probe "$URI" --pin-source "$PIN" --script "$T/bad.yaml"
expect_exit 2 anc token probe
pass "probe: wrong PIN is exit 3, a bad script exit 2"
