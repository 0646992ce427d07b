#!/usr/bin/env bash
# tls-diff.sh — differential of the apisec scanner against testssl.sh and
# sslscan across the bench rows: accepted protocol versions, cipher suites
# (IANA code points) and key-exchange groups, as a markdown table (stdout)
# plus every tool's raw output in the output folder.
#
#   scripts/tls-diff.sh [-j PARALLEL] [-o OUTDIR] [ROW_ID ...]    (default: every servable row)
#
# testssl.sh takes ~30 s per row (-p -e -f), so the full bench takes a few
# minutes with -j 3. Loopback only; the bench servers are stopped on exit.
# Debian packages: openssl, nginx-light, testssl.sh, sslscan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=3
out=""
while getopts "j:o:" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-j N] [-o DIR] [row ...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
rows=all
[ $# -gt 0 ] && rows=$(IFS=,; echo "$*")
work=$(mktemp -d)
out=${out:-$work/out}
mkdir -p "$out"
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	# Keep only the tools' outputs; the bench PKI (throw-away keys) goes.
	rm -rf "$work/bench"
	[ "$out" = "$work/out" ] || rm -rf "$work"
}
trap cleanup EXIT

for t in openssl:openssl nginx:nginx-light testssl:testssl.sh sslscan:sslscan; do
	command -v "${t%%:*}" >/dev/null || { echo "missing ${t%%:*} (Debian package ${t##*:})" >&2; exit 2; }
done
(cd "$root" && go build -o "$work/tlsscan-cli" ./fixtures/tlsbench/cmd/tlsscan-cli &&
	go build -o "$work/tlsbench-serve" ./fixtures/tlsbench/cmd/tlsbench-serve &&
	go build -o "$work/tlsdiff" ./fixtures/tlsbench/cmd/tlsdiff)
"$work/tlsbench-serve" -rows "$rows" -addrs "$work/addrs.txt" -dir "$work/bench" 2>"$out/serve.log" &
serve_pid=$!
for _ in $(seq 1 600); do grep -q '^ready' "$work/addrs.txt" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$work/addrs.txt" || { echo "bench did not start" >&2; cat "$out/serve.log" >&2; exit 1; }
ca=$(awk '$1=="ready"{print $2}' "$work/addrs.txt")

scan_row() { # id addr
	local id=$1 addr=$2
	"$work/tlsscan-cli" -json -cafile "$ca" -servername localhost "$addr" >"$out/$id.apisec.json" 2>"$out/$id.apisec.err" || true
	sslscan --no-colour --xml="$out/$id.sslscan.xml" "$addr" >"$out/$id.sslscan.txt" 2>&1 || true
	rm -f "$out/$id.testssl.json"
	testssl --quiet --color 0 --warnings off -p -e -f --jsonfile "$out/$id.testssl.json" "$addr" >"$out/$id.testssl.txt" 2>&1 || true
	echo "scanned $id" >&2
}
export -f scan_row
export work out ca
grep -v '^ready' "$work/addrs.txt" | xargs -P "$jobs" -n 2 bash -c 'scan_row "$0" "$1"'
"$work/tlsdiff" "$out" | tee "$out/diff.md"
echo "raw outputs: $out" >&2
