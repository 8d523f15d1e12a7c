# Shared by scripts/demo and scripts/test: install what is missing on a
# Debian bookworm machine, then build into build/.
set -euo pipefail

ANC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANC_BUILD=${ANC_BUILD:-$ANC_TOP/build}

# Build tools, libraries, the SoftHSM2 token, and the independent verifiers
# the tests use (openssl, certtool, pkcs11-tool, python3 yaml/cryptography).
ANC_PACKAGES=(
	build-essential cmake pkg-config
	libssl-dev libp11-dev libp11-kit-dev libyaml-dev libjansson-dev
	libcmocka-dev
	softhsm2 opensc opensc-pkcs11 gnutls-bin openssl p11-kit p11-kit-modules
	python3 python3-yaml python3-cryptography
	procps strace util-linux bsdutils
)
# Only scripts/test needs these, for its hardening runs: valgrind memcheck,
# and libFuzzer (clang and its runtimes; llvm-14 symbolizes crash reports);
# and for the ceremonies on two more PKCS#11 implementations:
# openCryptoki's software token, and tpm2-pkcs11 on a software TPM (swtpm,
# reached through the TSS's swtpm TCTI; tpm2_ptool makes the store,
# tpm2-tools flush the TPM between programs); faketime for
# scripts/compare-trees.
ANC_TEST_PACKAGES=(valgrind clang libclang-rt-14-dev llvm-14 faketime
	opencryptoki libtpm2-pkcs11-1 libtpm2-pkcs11-tools swtpm swtpm-tools
	tpm2-tools libtss2-tcti-swtpm0
	# NSS softokn (in libnss3, pulled in by libnss3-tools) and certutil,
	# for the module-arguments test (t_nss.sh)
	libnss3-tools)

anc_install() {
	local missing=()
	local p
	for p in "${ANC_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}; run as root or install them" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    "${missing[@]}" >/dev/null
}

# Debian's kubectl (package kubernetes-client, 1.20) for the tests that run
# the documented apply commands (client-side, against a stub API server).
# Where another package already owns /usr/bin/kubectl, the two cannot be
# installed together: Debian's is then unpacked under the build tree.
# Sets and exports ANC_KUBECTL.
anc_kubectl() {
	local dir=$ANC_BUILD/debian-kubectl tmp
	if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null |
	    grep -q 'install ok installed'; then
		ANC_KUBECTL=/usr/bin/kubectl
	elif [ ! -e /usr/bin/kubectl ] && [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends kubernetes-client >/dev/null
		ANC_KUBECTL=/usr/bin/kubectl
	else
		if [ ! -x "$dir/usr/bin/kubectl" ]; then
			tmp=$(mktemp -d)
			chmod 755 "$tmp"	# apt-get download runs as _apt
			(cd "$tmp" && apt-get download -qq kubernetes-client) &&
			    mkdir -p "$dir" &&
			    dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$dir"
			rm -rf "$tmp"
		fi
		ANC_KUBECTL=$dir/usr/bin/kubectl
	fi
	export ANC_KUBECTL
}

# tpm2-pkcs11's package registers the module with p11-kit, so p11-kit's
# proxy would load it beside SoftHSM2: each proxy run then starts a TPM
# connection that fails (no /dev/tpmrm0) and the module's leaks stop the
# sanitizer build.  The proxy tests mean "p11-kit in front of SoftHSM2";
# p11-kit's own override directory (/etc/pkcs11/modules, pkcs11.conf(5))
# keeps tpm2-pkcs11 out of the proxy.  An administrator's file of that
# name is left as it is.  tpm2-pkcs11 itself is tested directly.
anc_p11kit_tests() {
	local f=/etc/pkcs11/modules/tpm2_pkcs11.module
	[ -e /usr/share/p11-kit/modules/tpm2_pkcs11.module ] || return 0
	[ -e "$f" ] && return 0
	[ "$(id -u)" -eq 0 ] || { echo "note: $f missing (not root)" >&2; return 0; }
	mkdir -p /etc/pkcs11/modules
	printf '%s\n' "# Written by anchorage's scripts/test: tpm2-pkcs11 is not" \
	    "# loaded by p11-kit-proxy (see scripts/common.sh)." \
	    "module: libtpm2_pkcs11.so" "disable-in: p11-kit-proxy" >"$f"
}

anc_build() {
	cmake -S "$ANC_TOP" -B "$ANC_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$ANC_BUILD" -j"$(nproc)"
}
