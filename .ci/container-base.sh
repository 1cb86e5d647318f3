#!/usr/bin/env bash
# Local stand-ins for node:20-bookworm-slim, which cannot be pulled here (no registry access):
# Debian bookworm (debootstrap from the machine's mirror) plus this machine's own Node.js 20 and
# npm. Two images: BASE (runtime) and BUILD (+ python3, make, g++ for native modules, and npm told
# to trust the CA bundle that the build mounts from the host). Cached in podman's storage: a
# second run on the same machine takes a second.
set -euo pipefail
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}"
node_version=$(node -p process.versions.node)
BASE="localhost/prismwatch-base:node${node_version}"
BUILD="localhost/prismwatch-build:node${node_version}"
if podman image exists "$BASE" && podman image exists "$BUILD"; then
  echo "base images cached: $BASE $BUILD"
  exit 0
fi
work=$(mktemp -d /var/tmp/prismwatch-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
root="$work/rootfs"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
# The host's Node.js (a bookworm build, same glibc as the image) and its npm.
install -m 0755 "$(command -v node)" "$root/usr/bin/node"
mkdir -p "$root/usr/lib/node_modules"
cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$root/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
rm -rf "$root/var/cache/apt/archives/"*.deb
tar -C "$root" -c . | podman import - "$BASE" >/dev/null
echo "built $BASE"
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" apt-get install -y -qq --no-install-recommends python3 make g++ >"$work/apt.log" 2>&1 \
  || { tail -20 "$work/apt.log"; exit 1; }
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
# Native modules build against Node's own headers (nodejs.org is not reachable to fetch them).
mkdir -p "$root/usr/include" "$root/usr/etc"
cp -a /usr/include/node "$root/usr/include/node"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr\n' > "$root/usr/etc/npmrc"
tar -C "$root" -c . | podman import - "$BUILD" >/dev/null
echo "built $BUILD"
