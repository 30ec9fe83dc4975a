#!/bin/sh
# make deb: a Debian package of the built binary, its man page, completions and the desktop
# thumbnailer entry, depending on the packages of every library the binary loads (found with
# dpkg -S on ldd's output). Usage: packaging/deb.sh BINARY MANPAGE OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
binary=$1
manpage=$2
outdir=$3
version=$(tool_version "$binary")
arch=$(dpkg --print-architecture)
stage=$(cd "$here/.." && pwd)/.build/deb/thumbnail_${version}_$arch
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/man/man1" "$stage/usr/share/doc/thumbnail" \
  "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/fish/vendor_completions.d" "$stage/usr/share/thumbnailers"

install -m 755 "$binary" "$stage/usr/bin/thumbnail"
gzip -9n < "$manpage" > "$stage/usr/share/man/man1/thumbnail.1.gz"
chmod 644 "$stage/usr/share/man/man1/thumbnail.1.gz"
"$binary" --generate-completion-script bash > "$stage/usr/share/bash-completion/completions/thumbnail"
"$binary" --generate-completion-script zsh > "$stage/usr/share/zsh/vendor-completions/_thumbnail"
"$binary" --generate-completion-script fish > "$stage/usr/share/fish/vendor_completions.d/thumbnail.fish"
install -m 644 "$here/thumbnail.thumbnailer" "$stage/usr/share/thumbnailers/thumbnail.thumbnailer"
cat > "$stage/usr/share/doc/thumbnail/copyright" <<TXT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: thumbnail

Files: *
Copyright: the thumbnail authors
License: see the project's repository. The binary links the Swift runtime statically
 (Apache License 2.0 with Runtime Library Exception) and swift-argument-parser (Apache 2.0).
TXT

# Every library ldd lists, glibc's included, mapped to its package with a lower bound on the
# upstream version built against.
depends=""
for lib in $(ldd "$binary" | awk '/=>/ && $3 ~ /^\// {print $3}'); do
  package=$(owning_package "$lib")
  [ -n "$package" ] || { echo "no package owns $lib" >&2; exit 1; }
  case " $depends " in *" $package "*) continue ;; esac
  depends="$depends $package"
done
depends_field=""
for package in $(echo $depends | tr ' ' '\n' | sort -u); do
  depends_field="$depends_field${depends_field:+, }$package (>= $(upstream_version "$package"))"
done

cat > "$stage/DEBIAN/control" <<CTL
Package: thumbnail
Version: $version
Architecture: $arch
Maintainer: thumbnail maintainers <thumbnail@localhost>
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Depends: $depends_field
Section: graphics
Priority: optional
Description: fast batch thumbnailer for JPEG and PNG, and desktop thumbnailer
 thumbnail fits images in boxes with a pool of worker processes (libjpeg-turbo, libpng),
 blurring and resampling in one pass. It also fills the freedesktop.org thumbnail cache
 (thumbnail --xdg) and serves GNOME's thumbnail factory and tumbler as a thumbnailer.
CTL
mkdir -p "$outdir"
dpkg-deb --root-owner-group --build "$stage" "$outdir/thumbnail_${version}_$arch.deb" >/dev/null
echo "$outdir/thumbnail_${version}_$arch.deb"
grep '^Depends' "$stage/DEBIAN/control"
