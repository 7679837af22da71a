#!/usr/bin/env bash
# Builds stand-ins for the third-party images docker-compose.yml names, which cannot be pulled here,
# tagged with the exact names the file uses; each is built once per machine (podman's store keeps
# it). They prove the wiring (names, ports, environment, health-gated order), not the real images:
#   postgres:16-bookworm         Debian's PostgreSQL 15, the official image's POSTGRES_* variables
#   temporalio/auto-setup:1.27.2 the temporal CLI's dev server (state in memory), after a delay
#   temporalio/ui:2.30.2         a small HTTP server on 8080, not the Web UI
#
#   scripts/deploy/standins/build-compose-standins.sh [--help]   (TEMPORAL_CLI: the temporal binary)
set -euo pipefail
# podman settings these machines need (runc, ulimits): see scripts/deploy/containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")/.." && pwd)/containers.conf}"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -eq 0 ] || { echo "build-compose-standins: unexpected argument '$1' (try --help)" >&2; exit 2; }

compose_image() { sed -n "s#^\s*image: \($1[^ ]*\)\s*\$#\1#p" "$repo/docker-compose.yml" | head -n 1; }
build() { # NAME CONTEXT-DIR [extra file to copy in]
  local name=$1 dir=$2 extra=${3:-}
  local image="docker.io/$name"
  [[ $name == */* ]] || image="docker.io/library/$name"
  # The recipe's hash is in a label: an edited recipe is built again.
  local recipe
  recipe=$(cat "$dir"/* ${extra:+"$extra"} | sha256sum | cut -c1-16)
  if [ "$(podman image inspect --format '{{index .Labels "temporal-sync.standin-recipe"}}' "$image" 2>/dev/null)" = "$recipe" ]; then
    echo "stand-in $image is cached in podman's store"
    return
  fi
  local context
  context=$(mktemp -d)
  cp "$dir"/* "$context/"
  [ -z "$extra" ] || cp "$extra" "$context/"
  podman build --quiet --pull=never --format docker --label "temporal-sync.standin-recipe=$recipe" -t "$image" "$context" >/dev/null
  rm -rf "$context"
  echo "stand-in $image built"
}

postgres=$(compose_image postgres)
auto_setup=$(compose_image temporalio/auto-setup)
ui=$(compose_image temporalio/ui)
[ -n "$postgres" ] && [ -n "$auto_setup" ] && [ -n "$ui" ] || { echo "build-compose-standins: docker-compose.yml no longer names postgres, temporalio/auto-setup and temporalio/ui images" >&2; exit 1; }
temporal_cli=${TEMPORAL_CLI:-$(cd "$repo" && npm run --silent temporal-cli)}
[ -x "$temporal_cli" ] || { echo "build-compose-standins: no temporal CLI at '$temporal_cli'" >&2; exit 1; }

"$here/build-node-base.sh"
"$here/debian-rootfs.sh" localhost/temporal-sync-standin/debian:bookworm-postgresql postgresql-15
build "$postgres" "$here/postgres"
cp_cli=$(mktemp -d)
trap 'rm -rf "$cp_cli"' EXIT
cp "$temporal_cli" "$cp_cli/temporal"
build "$auto_setup" "$here/temporal" "$cp_cli/temporal"
build "$ui" "$here/temporal-ui"
