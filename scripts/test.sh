#!/usr/bin/env bash
# The project's test command (README "Set-up", step 2). It installs the real
# protocol peers the tests run against when they are missing (Debian
# packages; needs root or sudo): openssl and nginx for the TLS bench,
# sslscan and testssl.sh for the differential, xmlsec1 for XML-signature
# interop, gSOAP (with gcc, pkg-config and the OpenSSL and zlib headers) for
# the real WS-Security service the SOAP probes are tested against, rsyslog
# (+ rsyslog-openssl) for TLS syslog interop, docker-compose for the compose
# end-to-end test, chromium for the report's first-screen test (its
# screenshots go to $APISEC_ARTIFACTS, default results/ci-artifacts). Then it
# runs every
# Go test in -short mode, which keeps it under two minutes on two cores:
# defects with disjoint rules share a reference run, the compose stack is not
# built, and the race detector (5x slower on the end-to-end packages) is left
# to the full run. `--full` runs everything under -race: every defect alone
# against every rule, the compose end-to-end test. .ci/run runs --full first
# and this quick command last. Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl  >/dev/null 2>&1 || missing+=(openssl)
command -v nginx    >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v testssl  >/dev/null 2>&1 || command -v testssl.sh >/dev/null 2>&1 || missing+=(testssl.sh)
command -v sslscan  >/dev/null 2>&1 || missing+=(sslscan)
command -v xmlsec1  >/dev/null 2>&1 || missing+=(xmlsec1)
command -v soapcpp2 >/dev/null 2>&1 || missing+=(gsoap)
[ -f /usr/share/gsoap/plugin/wsseapi.c ] || missing+=(libgsoap-dev)
command -v gcc        >/dev/null 2>&1 || missing+=(gcc)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/openssl/evp.h ] || missing+=(libssl-dev)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
# rsyslog with its OpenSSL driver: the real RFC 5425 sender of the SC005
# syslog interop tests.
[ -x /usr/sbin/rsyslogd ] || command -v rsyslogd >/dev/null 2>&1 || missing+=(rsyslog)
compgen -G '/usr/lib/*/rsyslog/lmnsd_ossl.so' >/dev/null || compgen -G '/usr/lib/rsyslog/lmnsd_ossl.so' >/dev/null || missing+=(rsyslog-openssl)
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
# Headless Chromium renders report.html for test/browser, with a font so the
# screenshots it keeps under results/ci-artifacts/ are legible.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} (Debian packages)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--full" ]; then
  shift
  exec go test -race -count=1 -timeout 60m "${@:-./...}"
fi
go test -short -count=1 -timeout 30m "${@:-./...}"
