#!/usr/bin/env bash
# Builds the apisec image without a registry: the host's Go toolchain builds
# the static binary, compose-rootfs.sh lays out the root file system in
# bin/rootfs/, and `docker build --target prebuilt` copies it into a scratch
# image. Nothing is pulled. On a machine with a registry,
# `docker build -t apisec:local .` builds the same image from source.
#
#   scripts/compose-build.sh            # image apisec:local (or $APISEC_IMAGE)
#
# Needs: Go (go.mod's version), Docker Engine, a CA bundle
# (/etc/ssl/certs/ca-certificates.crt, Debian package ca-certificates).
set -euo pipefail
cd "$(dirname "$0")/.."

image="${APISEC_IMAGE:-apisec:local}"
root=bin/rootfs
version="${APISEC_VERSION:-$(git rev-parse --short HEAD 2>/dev/null || echo dev)}"

start=$(date +%s.%N)
rm -rf "$root"
mkdir -p "$root"
CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false" go build -trimpath \
  -ldflags "-s -w -X github.com/apisec/apisec/internal/cli.Version=$version" \
  -o "$root/apisec" ./cmd/apisec
bash scripts/compose-rootfs.sh "$root"
built=$(date +%s.%N)

# The classic builder prints a deprecation notice when BuildKit is absent;
# BuildKit (if present) needs no registry for these scratch stages either.
old=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
docker build --quiet --target prebuilt --label "org.opencontainers.image.version=$version" -t "$image" . >/dev/null
done_=$(date +%s.%N)
# The image this tag named before is now untagged; drop it unless a
# container still uses it, so rebuilds do not pile up.
new=$(docker image inspect --format '{{.Id}}' "$image")
if [ -n "$old" ] && [ "$old" != "$new" ]; then
  docker image rm "$old" >/dev/null 2>&1 || true
fi

size=$(docker image inspect --format '{{.Size}}' "$image")
awk -v img="$image" -v size="$size" -v a="$start" -v b="$built" -v c="$done_" 'BEGIN {
  printf "compose-build: %s ready: %.1f MB; go build %.1fs, docker build %.1fs\n", img, size/1e6, b-a, c-b }'
