# Sourced by lib.sh for ANC_P11=tpm2: tpm2-pkcs11 1.9.0 on a software TPM
# (swtpm) of the test's own, on a free local TCP port pair, with its
# store in the test's directory.  No tpm2-abrmd: after each program that
# used the module, p11_settle flushes the transient objects it left in the
# TPM, as the kernel's resource manager (/dev/tpmrm0) does when a process
# closes it.  Without that, tpm2-pkcs11's error paths leave objects loaded
# and the TPM's three object slots run out a few programs later.

# The TPM (libtpms 0.9) has no RSA-4096; tpm2-pkcs11 lists
# CKM_RSA_PKCS_KEY_PAIR_GEN for 1024 to 3072 bits.
ANC_P11_ALGS="ecdsa-p256 ecdsa-p384 rsa-3072"
ANC_P11_REFUSED="rsa-4096:CKM_RSA_PKCS_KEY_PAIR_GEN"

# In the ASan build, LeakSanitizer is off for this module's runs: the
# module leaks by itself (e.g. the DER signature it decodes in every ECDSA C_Sign), from code it reports as an unknown
# module once unloaded, which no suppression can name.  Memory errors and
# UBSan still stop the test; anchorage's own leaks are caught by the same
# ceremonies on SoftHSM2, which run with leaks fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

tpm2_stop() {
	[ -f "$T/swtpm.pid" ] && kill "$(cat "$T/swtpm.pid")" 2>/dev/null
	return 0
}

tpm2_start() {
	local try port
	mkdir -m 700 "$T/tpm" "$T/tpm2-store"
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM % 20000) * 2))
		swtpm socket --tpm2 --tpmstate dir="$T/tpm" \
		    --server type=tcp,port=$port,bindaddr=127.0.0.1 \
		    --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
		    --flags not-need-init,startup-clear --daemon \
		    --pid file="$T/swtpm.pid" --log file="$T/swtpm.log" \
		    </dev/null >/dev/null 2>&1 && break
		port=
	done
	[ -n "$port" ] || fail "tpm2: swtpm does not start"
	ANC_AT_EXIT+=(tpm2_stop)
	export TPM2_PKCS11_TCTI="swtpm:host=127.0.0.1,port=$port"
	export TPM2TOOLS_TCTI=$TPM2_PKCS11_TCTI
	export TPM2_PKCS11_STORE=$T/tpm2-store
	tpm2_ptool init --path "$TPM2_PKCS11_STORE" >"$T/ptool.log" 2>&1 ||
	    { cat "$T/ptool.log" >&2; fail "tpm2: tpm2_ptool init"; }
	p11_settle
}

p11_settle() { tpm2_flushcontext -t >/dev/null 2>&1 || true; }

tpm2_start
