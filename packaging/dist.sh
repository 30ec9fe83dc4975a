#!/bin/sh
# make dist: thumbnail-VERSION-linux-x86_64.tar.gz whose binary needs nothing from the system
# but glibc. Libraries Debian ships as .a are linked in statically; the others are bundled in lib/
# and found through an $ORIGIN rpath. Usage: packaging/dist.sh DYNAMIC_BINARY OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
dynamic=$1
outdir=$2
repo=$(cd "$here/.." && pwd)
version=$(tool_version "$dynamic")
name=thumbnail-$version-linux-x86_64
work=$repo/.build/dist-work
rm -rf "$work" && mkdir -p "$work/link" "$work/$name/bin" "$work/$name/lib" "$work/$name/share/licenses"

# For every library the ordinary build links, its static archive when Debian ships one.
archives=""
shared=""
for lib in $(linked_libraries "$dynamic"); do
  base=$(basename "$lib" | sed 's/\.so.*//')
  # GCC's unwinder goes in with -static-libgcc below.
  [ "$base" = libgcc_s ] && continue
  archive=""
  for candidate in /usr/lib/x86_64-linux-gnu/$base.a /usr/lib/gcc/x86_64-linux-gnu/*/$base.a; do
    [ -f "$candidate" ] && archive=$candidate
  done
  if [ -n "$archive" ]; then archives="$archives $archive"; else shared="$shared $lib"; fi
done
# Each static library's -l resolves to a linker script (ld accepts one wherever a .so is expected)
# naming every archive, so a library's own dependencies (libpng's zlib) come along in any order;
# ldd lists the transitive closure, so a dependency without a .a is named there by its .so, which
# records its soname for the bundled copy in lib/.
for archive in $archives; do
  echo "GROUP($archives $shared )" > "$work/link/$(basename "$archive" .a).so"
done
# SwiftPM puts the system libraries' own -L (from pkg-config) before any -Xlinker -L, so each
# pkg-config module of Package.swift is shadowed by a .pc file pointing the link at our folder.
mkdir -p "$work/pkgconfig"
for module in $(sed -n 's/.*pkgConfig: *"\([^"]*\)".*/\1/p' "$repo/Package.swift"); do
  cat > "$work/pkgconfig/$module.pc" <<PC
Name: $module
Description: $module linked for the dist build
Version: $(pkg-config --modversion "$module")
Cflags: $(pkg-config --cflags "$module")
Libs: -L$work/link $(pkg-config --libs-only-l "$module")
PC
done
echo "static:$archives"
echo "bundled:${shared:- none}"
# SwiftPM cannot see a linker script change: remove the binary so it is always linked afresh.
rm -f "$repo/.build/dist/release/thumbnail"
PKG_CONFIG_PATH="$work/pkgconfig" swift build -c release --product thumbnail --scratch-path "$repo/.build/dist" \
  -Xlinker -L"$work/link" -Xlinker -rpath -Xlinker '$ORIGIN/../lib' -Xlinker --disable-new-dtags \
  -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
built=$repo/.build/dist/release/thumbnail
install -m 755 "$built" "$work/$name/bin/thumbnail"
# A bundled library brings the shared libraries it needs itself (libavif needs libaom.so.3 even
# though the binary has libaom linked in): the whole closure but glibc goes in lib/. The binary's
# rpath is a DT_RPATH (--disable-new-dtags), which, unlike DT_RUNPATH, also serves the bundled
# libraries' own dependencies.
needed=$(for lib in $shared; do
  echo "$lib"
  ldd "$lib" | awk '/=> \// {print $3}'
done | grep -Ev '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux[^/]*)\.so' | sort -u)
for lib in $needed; do
  install -m 644 "$(readlink -f "$lib")" "$work/$name/lib/$(basename "$lib")"
done
echo "bundled with their dependencies:" $(for lib in $needed; do basename "$lib"; done)

# Man page, completions, thumbnailer entry (TryExec/Exec find the binary on PATH).
mkdir -p "$work/$name/share/man/man1" "$work/$name/share/bash-completion/completions" \
  "$work/$name/share/zsh/site-functions" "$work/$name/share/fish/vendor_completions.d" "$work/$name/share/thumbnailers"
install -m 644 "$repo/.build/man/thumbnail.1" "$work/$name/share/man/man1/thumbnail.1"
"$built" --generate-completion-script bash > "$work/$name/share/bash-completion/completions/thumbnail"
"$built" --generate-completion-script zsh > "$work/$name/share/zsh/site-functions/_thumbnail"
"$built" --generate-completion-script fish > "$work/$name/share/fish/vendor_completions.d/thumbnail.fish"
install -m 644 "$here/thumbnail.thumbnailer" "$work/$name/share/thumbnailers/thumbnail.thumbnailer"

# The licences of everything inside: each linked library's Debian copyright file, and the Swift
# runtime's (Apache 2.0 with the runtime library exception).
for lib in $(linked_libraries "$dynamic"); do
  package=$(owning_package "$lib")
  [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ] && \
    install -m 644 "/usr/share/doc/$package/copyright" "$work/$name/share/licenses/$package.copyright"
done
for f in /opt/swift/usr/share/swift/LICENSE.txt /opt/swift/usr/share/doc/swift/LICENSE.txt; do
  [ -f "$f" ] && install -m 644 "$f" "$work/$name/share/licenses/swift-runtime.LICENSE.txt" && break
done
[ -f "$repo/.build/checkouts/swift-argument-parser/LICENSE.txt" ] && \
  install -m 644 "$repo/.build/checkouts/swift-argument-parser/LICENSE.txt" "$work/$name/share/licenses/swift-argument-parser.LICENSE.txt"
cat > "$work/$name/README" <<TXT
thumbnail $version for Linux x86_64 (glibc 2.36 or newer).
Run bin/thumbnail where it is, or copy the folder anywhere (bin/ and lib/ side by side).
Man page, shell completions and the desktop thumbnailer entry are under share/.
TXT

mkdir -p "$outdir"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$outdir/$name.tar.gz" "$name"
(cd "$outdir" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$outdir/$name.tar.gz"
ldd "$work/$name/bin/thumbnail"
