#!/usr/bin/env bash
# tests/integration/container/base-image.sh: make `debian:bookworm-slim` exist in podman's local
# storage without a registry, so docker/Dockerfile builds here unchanged (with --pull=never).
#
# No container registry is reachable from the test machines, but Debian's mirror is: the base is
# a `debootstrap --variant=minbase bookworm` root file system, imported with `podman import` and
# tagged with the name the Dockerfile's FROM lines use. The root file system is kept as a tarball
# in $KC_CACHE/images/ and imported again when podman's storage has lost the image; debootstrap
# runs only when that tarball is missing. An image of that name already in storage (a real
# pulled one, or ours from an earlier run) is used as it is.
#
# Needs root (debootstrap, podman's root storage) and the packages scripts/setup.sh installs
# (podman runc debootstrap ...). Env: KC_CACHE; KC_DEBIAN_MIRROR (default: the first Debian
# mirror named in /etc/apt, else http://deb.debian.org/debian); CONTAINERS_CONF (the test points
# it at containers.conf next to this script). Prints the image name on success.
set -euo pipefail

IMAGE=docker.io/library/debian:bookworm-slim
KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
tarball=$KC_CACHE/images/debian-bookworm-minbase.tar
log() { echo "base-image: $*" >&2; }

if podman image exists "$IMAGE"; then
  echo "$IMAGE"
  exit 0
fi

mirror() {
  if [ -n "${KC_DEBIAN_MIRROR:-}" ]; then
    echo "$KC_DEBIAN_MIRROR"
    return
  fi
  # one-line (deb URL SUITE ...) and deb822 (URIs: URL) sources; the first Debian archive wins
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    2>/dev/null | sed -n -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(https\?:[^[:space:]]*\/debian\)\/\?[[:space:]].*/\2/p' \
    -e 's/^URIs:[[:space:]]*\(https\?:[^[:space:]]*\/debian\)\/\?[[:space:]]*$/\1/p' | head -n1)
  echo "${m:-http://deb.debian.org/debian}"
}

mkdir -p "$KC_CACHE/images"
exec 9>"$KC_CACHE/images/.debian-bookworm.lock"
flock 9
if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { log "debootstrap is not installed (scripts/setup.sh)"; exit 1; }
  root=$(mktemp -d "$KC_CACHE/images/.rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  m=$(mirror)
  log "debootstrap --variant=minbase bookworm from $m"
  debootstrap --variant=minbase bookworm "$root" "$m" >&2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*
  tar --numeric-owner -C "$root" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$root"
  trap - EXIT
fi
log "importing $tarball as $IMAGE"
podman import --change 'CMD ["/bin/bash"]' "$tarball" "$IMAGE" >/dev/null
echo "$IMAGE"
