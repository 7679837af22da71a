#!/usr/bin/env bash
# Builds a Debian bookworm root filesystem with mmdebstrap (minbase, plus any packages named) from
# the machine's own apt sources, and imports it into podman as IMAGE. Registries cannot be reached
# here, so this is how every stand-in image starts. Skips the work when IMAGE already exists.
#
#   scripts/deploy/standins/debian-rootfs.sh IMAGE [PACKAGE,...]
set -euo pipefail
# podman settings these machines need (runc, ulimits): see scripts/deploy/containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")/.." && pwd)/containers.conf}"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in --help | -h) usage; exit 0 ;; esac
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  usage >&2
  exit 2
fi
image=$1
packages=${2:-}

if podman image exists "$image"; then
  echo "stand-in base $image is cached in podman's store"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "debian-rootfs: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }

# The machine's apt sources (deb822 or one-line), so the root filesystem comes from the mirror this
# machine reaches, with its security updates.
sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$file" ] && grep -q bookworm "$file" && sources+=("$file")
done
[ ${#sources[@]} -gt 0 ] || { echo "debian-rootfs: no apt source for bookworm in /etc/apt/sources.list*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
echo "stand-in base $image: mmdebstrap bookworm minbase${packages:+ with $packages} (about 2 min)"
mmdebstrap --quiet --variant=minbase --mode=root ${packages:+--include="$packages"} \
  --aptopt='APT::Install-Recommends "false"' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "${sources[@]}"
podman import --quiet "$work/rootfs.tar" "$image" >/dev/null
echo "stand-in base $image imported in $(( $(date +%s) - started )) s"
