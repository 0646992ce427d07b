#!/usr/bin/env bash
# tls-bench.sh — whole-process speed of the TLS rules (apisec run --rules
# SC004,SC004.001, default profile limits) against sslscan and testssl.sh on
# the same stock bench servers, in one run, directly and through a loopback
# latency proxy (fixtures/tlsbench/latency) at 10 and 50 ms round-trip time;
# then one profile with endpoints on eight loopback hosts (127.0.0.2-9)
# against the slowest of them alone. Prints Markdown tables of medians and
# ratios (fixtures/tlsbench/cmd/tlsbench-time); docs/tls-bench.md holds the
# last figures. Loopback only; everything started here is stopped on exit.
#
#   scripts/tls-bench.sh                       # all stock rows, 0/10/50 ms, 5 runs (3 via the proxy)
#   scripts/tls-bench.sh -rtt 0 -runs 3 -hosts 0 -testssl-rows ""    # quick look
#   scripts/tls-bench.sh -rows openssl-default,baseline-nginx -rtt 0,50
#
# Debian packages: openssl, nginx-light, sslscan, testssl.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null || { echo "missing $1 (Debian package $2)" >&2; exit 2; }; }
need openssl openssl
need nginx nginx-light
need sslscan sslscan
need testssl testssl.sh

(cd "$root" && go build -o "$work/apisec" ./cmd/apisec &&
	go build -o "$work/tlsbench-time" ./fixtures/tlsbench/cmd/tlsbench-time)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), openssl $(openssl version | cut -d' ' -f2), $(nginx -v 2>&1 | cut -d' ' -f3)"
"$work/tlsbench-time" -apisec "$work/apisec" "$@"
