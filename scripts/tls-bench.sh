#!/usr/bin/env bash
# tls-bench.sh — speed of a full scan of the bench's default `openssl s_server`
# (bench row "openssl-default": TLS 1.2 + 1.3, OpenSSL's default ciphers,
# groups and signature algorithms, RSA-3072 certificate): the apisec scanner
# (fixtures/tlsbench/cmd/tlsscan-cli) vs testssl.sh (-p -e -S -P -U) vs
# sslscan. Uses hyperfine when installed, else timed runs with `date`.
# Loopback only; the bench server started here is stopped on exit.
#
#   scripts/tls-bench.sh [runs]     (default 5 for apisec and sslscan; testssl.sh runs once)
#
# Debian packages: openssl, testssl.sh, sslscan, hyperfine (optional).
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "missing $1 (Debian package $2)" >&2; exit 2; }; }
need openssl openssl
need testssl testssl.sh
need sslscan sslscan

(cd "$root" && go build -o "$work/tlsscan-cli" ./fixtures/tlsbench/cmd/tlsscan-cli &&
	go build -o "$work/tlsbench-serve" ./fixtures/tlsbench/cmd/tlsbench-serve)
"$work/tlsbench-serve" -rows openssl-default -addrs "$work/addrs.txt" -dir "$work/bench" &
serve_pid=$!
for _ in $(seq 1 200); do grep -q '^ready' "$work/addrs.txt" 2>/dev/null && break; sleep 0.05; done
addr=$(awk '$1=="openssl-default"{print $2}' "$work/addrs.txt")
ca=$(awk '$1=="ready"{print $2}' "$work/addrs.txt")
[ -n "$addr" ] || { echo "bench server did not start" >&2; exit 1; }
echo "target: openssl s_server $(openssl version | cut -d' ' -f2), OpenSSL defaults, on $addr"

apisec_cmd="$work/tlsscan-cli -cafile $ca -servername localhost $addr > $work/apisec.txt 2>&1"
testssl_cmd="testssl --quiet --color 0 --warnings off -p -e -S -P -U $addr > $work/testssl.txt 2>&1"
sslscan_cmd="sslscan --no-colour $addr > $work/sslscan.txt 2>&1"

if command -v hyperfine >/dev/null; then
	hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$work/fast.md" \
		-n apisec "$apisec_cmd" -n sslscan "$sslscan_cmd" >/dev/null
	hyperfine --runs 1 -i --export-markdown "$work/slow.md" -n testssl.sh "$testssl_cmd" >/dev/null
	cat "$work/fast.md"
	cat "$work/slow.md"
else
	for name in apisec sslscan testssl; do
		cmd_var="${name}_cmd"
		start=$(date +%s%N); sh -c "${!cmd_var}" || true; end=$(date +%s%N)
		echo "$name: $(((end - start) / 1000000)) ms"
	done
fi
sh -c "$apisec_cmd" || true
echo
head -1 "$work/apisec.txt"
echo "apisec accepted (version, suite) pairs: $(grep -cE '^  0x[0-9A-F]{4} ' "$work/apisec.txt" || true)"
echo "testssl.sh accepted (version, suite) lines: $(grep -cE '^ *x[0-9a-f]{2,6} ' "$work/testssl.txt" || true)"
echo "sslscan accepted (version, suite) lines: $(grep -cE '^(Preferred|Accepted) ' "$work/sslscan.txt" || true)"
