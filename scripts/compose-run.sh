#!/usr/bin/env bash
# Runs the suite in docker compose and exits with the run's exit code
# (0 achieved, 1 not achieved, 2 configuration error, 3 incomplete).
#
#   scripts/compose-run.sh                              # every rule against the bundled reference target
#   scripts/compose-run.sh --defect no-hsts             # ... with a reference defect (comma-separated)
#   scripts/compose-run.sh --target ./my-target/profile.yaml [--rules SC003 ...]
#                                                       # any target; the profile's folder (CA,
#                                                       # declarations, keys) is mounted read-only
#   scripts/compose-run.sh --fresh ...                  # new throw-away PKI (drops the volumes first)
#
# Other arguments go to `apisec run`. Results land in ./results/<run-id>/
# (or $APISEC_RESULTS), owned by the calling user. Builds the image with
# scripts/compose-build.sh when it is missing. Uses `docker compose` (v2) or
# else `docker-compose` (v1.29+); $COMPOSE overrides.
set -euo pipefail
here=$PWD # relative --target and APISEC_RESULTS are the caller's
cd "$(dirname "$0")/.."
abs() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }

if [ -n "${COMPOSE:-}" ]; then
  read -r -a compose <<<"$COMPOSE"
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "compose-run: neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 2
fi

target="" fresh=0 args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="${2:?--target needs a profile file}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --defect) export REFERENCE_DEFECTS="${2:?--defect needs a name}"; shift 2 ;;
    --defect=*) export REFERENCE_DEFECTS="${1#*=}"; shift ;;
    --fresh) fresh=1; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

export APISEC_UID="${APISEC_UID:-$(id -u)}" APISEC_GID="${APISEC_GID:-$(id -g)}"
if [ -n "${APISEC_RESULTS:-}" ]; then
  APISEC_RESULTS=$(abs "$APISEC_RESULTS")
else
  APISEC_RESULTS=./results
fi
export APISEC_RESULTS
export APISEC_ARGS="${args[*]:-}"
mkdir -p "$APISEC_RESULTS"

if ! docker image inspect "${APISEC_IMAGE:-apisec:local}" >/dev/null 2>&1; then
  bash scripts/compose-build.sh
fi
if [ "$fresh" = 1 ]; then
  "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
fi

count() { find "$APISEC_RESULTS" -mindepth 1 -maxdepth 1 -type d | wc -l; }
before=$(count)
set +e
if [ -n "$target" ]; then
  target=$(abs "$target")
  if [ ! -f "$target" ]; then
    echo "compose-run: --target $target: no such file" >&2
    exit 2
  fi
  dir=$(cd "$(dirname "$target")" && pwd)
  export TARGET_DIR="$dir" TARGET_PROFILE="$(basename "$target")"
  "${compose[@]}" run --rm -T suite
else
  unset TARGET_DIR TARGET_PROFILE
  "${compose[@]}" up --exit-code-from suite
fi
code=$?
set -e
# Compose exits 1 for its own errors too (e.g. the reference never became
# healthy), which would read as "not achieved": no result means no run, so
# show why and exit 2 like any configuration error.
if [ "$(count)" -eq "$before" ]; then
  "${compose[@]}" logs --no-color --tail 20 reference >&2 || true
  echo "compose-run: the suite wrote no result (compose exit $code); see the reference's log above" >&2
  code=2
fi
# Containers and networks go; the volumes (the throw-away PKI) stay for the next run.
"${compose[@]}" down --remove-orphans >/dev/null 2>&1 || true
exit "$code"
