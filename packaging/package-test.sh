#!/bin/sh
# make package-test: proves both packages on clean Debian bookworm roots (needs root, debootstrap
# and the network). 1) a minbase root where apt installs the .deb, pulling every dependency, then
# `thumbnail --version` and a run over the sample images; 2) a fresh copy of the same untouched
# root where the tarball's binary does the same with nothing added.
# Usage: packaging/package-test.sh DEB TARBALL IMAGES_DIR
set -eu
deb=$(readlink -f "$1")
tarball=$(readlink -f "$2")
images=$(readlink -f "$3")
work=${PACKAGE_TEST_DIR:-/var/tmp/thumbnail-package-test}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
started=$(date +%s)
mounted=""
cleanup() { for m in $mounted; do umount "$m" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
step() { echo "== $* ($(($(date +%s) - started)) s)"; }

# Counts the sample images a run must turn into thumbnails: every file in IMAGES_DIR that is a
# JPEG or PNG by its first bytes.
expected=0
for f in "$images"/*; do
  head=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$head" in ffd8ff*|89504e47) expected=$((expected + 1)) ;; esac
done

rm -rf "$work"
mkdir -p "$work"
step "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$work/base" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
cp -a "$work/base" "$work/deb-root"
cp -a "$work/base" "$work/tar-root"

# Runs the thumbnail command $2... inside root $1 over the images, checks the thumbnails made.
run_over_images() {
  root=$1; shift
  rm -rf "$root/tmp/images" "$root/tmp/thumbs"
  cp -r "$images" "$root/tmp/images"
  chroot "$root" "$@" --version
  chroot "$root" "$@" /tmp/images --out /tmp/thumbs
  made=$(find "$root/tmp/thumbs" -type f ! -name '.*' | wc -l)
  [ "$made" -eq "$expected" ] || { echo "expected $expected thumbnails, found $made" >&2; exit 1; }
  chroot "$root" env HOME=/root "$@" --xdg /tmp/images
  cached=$(find "$root/root/.cache/thumbnails/large" -type f -name '*.png' | wc -l)
  [ "$cached" -eq "$expected" ] || { echo "expected $expected cached thumbnails, found $cached" >&2; exit 1; }
  echo "$made thumbnails and $cached cache entries made inside $(basename "$root")"
}

step "install the .deb with apt"
root=$work/deb-root
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
cp "$deb" "$root/tmp/thumbnail.deb"
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/thumbnail.deb > "$work/apt.log" 2>&1 \
  || { tail -20 "$work/apt.log"; exit 1; }
grep -E '^(Setting up|Unpacking) ' "$work/apt.log" | sed 's/^/  /'
chroot "$root" test -f /usr/share/thumbnailers/thumbnail.thumbnailer
run_over_images "$root" thumbnail
umount "$root/proc"

step "the tarball's binary on a fresh root with nothing added"
root=$work/tar-root
mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
tar -xzf "$tarball" -C "$root/opt"
binary=$(cd "$root" && ls -d opt/thumbnail-*/bin/thumbnail)
run_over_images "$root" "/$binary"
umount "$root/proc"
mounted=""
rm -rf "$work"  # two Debian roots: ~0.5 GB
step "package-test passed"
