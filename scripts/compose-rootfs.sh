#!/usr/bin/env bash
# Lays out the root file system of the apisec image around a static binary
# already at ROOTFS/apisec. Used twice so both build paths give the same
# image: by scripts/compose-build.sh on the host (no registry) and by the
# Dockerfile's golang stage (machines with a registry).
#
#   scripts/compose-rootfs.sh ROOTFS [CA_BUNDLE]
#
# The image has no shell and no package manager: a user line for the
# non-root user 65532, the CA bundle (for targets trusted by public CAs),
# /tmp, and the mount points /pki and /target, world-writable with the
# sticky bit so that a fresh named volume mounted there (Docker copies the
# mode) is writable by whatever APISEC_UID the stack runs as.
set -euo pipefail
root="${1:?usage: compose-rootfs.sh ROOTFS [CA_BUNDLE]}"
bundle="${2:-/etc/ssl/certs/ca-certificates.crt}"

if [ ! -x "$root/apisec" ]; then
  echo "compose-rootfs: $root/apisec is missing; build it first (CGO_ENABLED=0 go build)" >&2
  exit 2
fi
if [ ! -s "$bundle" ]; then
  echo "compose-rootfs: no CA bundle at $bundle (Debian: apt-get install ca-certificates)" >&2
  exit 2
fi

mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/pki" "$root/target" "$root/work"
printf 'root:x:0:0:root:/root:/sbin/nologin\napisec:x:65532:65532:apisec:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\napisec:x:65532:\n' >"$root/etc/group"
cp "$bundle" "$root/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/ssl/certs/ca-certificates.crt"
chmod 0755 "$root/apisec" "$root/etc" "$root/etc/ssl" "$root/etc/ssl/certs" "$root/work"
chmod 1777 "$root/tmp" "$root/pki" "$root/target"
