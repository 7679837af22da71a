#!/usr/bin/env bash
# Builds kube-apiserver, and kubectl for machines without one, from the Go module proxy into a cache
# outside the repo, so `npm run test:deploy` can run a server-side dry run and a PodSecurity
# `restricted` apply for real. 5-20 minutes once on 2 cores (less when Go's build cache is warm);
# later runs find the binaries and exit at once.
#
# Why a wrapper module: k8s.io/kubernetes is not meant to be a dependency. Its go.mod points the
# k8s.io/* staging modules at ./staging/src/..., which `go build` ignores outside that repository, so
# the wrapper repeats each of those lines as a `replace` with the published v0.<minor>.<patch> tag.
#
#   scripts/deploy/build-kube-apiserver.sh [--help]
#   KUBE_VERSION=v1.33.13  the Kubernetes release (default below)
#   TEMPORAL_SYNC_CACHE    the cache root (default ~/.cache/temporal-sync)
set -euo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -eq 0 ] || { echo "build-kube-apiserver: unexpected argument '$1' (try --help)" >&2; exit 2; }

version=${KUBE_VERSION:-v1.33.13}
[[ $version =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "build-kube-apiserver: KUBE_VERSION must look like v1.33.13, got '$version'" >&2; exit 2; }
staging_version="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
cache=${TEMPORAL_SYNC_CACHE:-$HOME/.cache/temporal-sync}
bin="$cache/kube-apiserver/$version"
work="$bin/module"
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kubectl" ]; then
  echo "kube-apiserver and kubectl $version are cached in $bin"
  exit 0
fi
command -v go >/dev/null || { echo "build-kube-apiserver: needs Go (none on PATH or in /usr/local/go/bin)" >&2; exit 1; }

started=$(date +%s)
mkdir -p "$work"
cd "$work"
echo "kube-apiserver $version: reading k8s.io/kubernetes's go.mod from the module proxy"
kube_mod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
[ -f "$kube_mod" ] || { echo "build-kube-apiserver: the module proxy did not give k8s.io/kubernetes@$version" >&2; exit 1; }

{
  echo "module temporal-sync.local/kube-apiserver-build"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$kube_mod")"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  # Lines like "k8s.io/api => ./staging/src/k8s.io/api" become "k8s.io/api => k8s.io/api v0.33.13".
  sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/k8s\.io/[a-z0-9-]*$#\t\1 => \1 '"$staging_version"'#p' "$kube_mod"
  echo ")"
} >go.mod
cat >tools.go <<'GO'
//go:build tools

// Only here so `go mod tidy` records kube-apiserver's dependencies; never compiled.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
echo "kube-apiserver $version: $(grep -c ' => ' go.mod) staging modules pinned to $staging_version; resolving dependencies"
go mod tidy
for command in kube-apiserver kubectl; do
  [ -x "$bin/$command" ] && continue
  echo "$command $version: compiling (the long part)"
  go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version" \
    -o "$bin/$command.partial" "k8s.io/kubernetes/cmd/$command"
  mv "$bin/$command.partial" "$bin/$command"
done
echo "kube-apiserver and kubectl $version built in $(( $(date +%s) - started )) s: $bin"
"$bin/kube-apiserver" --version
