# Shared by the packaging scripts: the tool's version, its runtime libraries and their packages.
set -eu

# The version the binary reports (`thumbnail --version`).
tool_version() { "$1" --version; }

# The shared libraries BIN loads, as resolved paths, glibc's own left out (the one thing every
# Linux system provides, and which must match the running kernel's loader).
linked_libraries() {
  ldd "$1" | awk '/=>/ && $3 ~ /^\// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|ld-linux*|libresolv.so.*|libutil.so.*) ;;
      *) echo "$lib" ;;
    esac
  done
}

# The Debian package owning a library path (merged /usr: try the path as given, then resolved).
owning_package() {
  { dpkg -S "$1" 2>/dev/null || dpkg -S "$(readlink -f "$1")" 2>/dev/null || dpkg -S "/usr$1" 2>/dev/null; } \
    | head -1 | cut -d: -f1
}

# The upstream part of an installed package's version (epoch kept, Debian revision dropped):
# a lower bound any bookworm mirror satisfies.
upstream_version() { dpkg-query -W -f='${Version}' "$1" | sed 's/-[^-]*$//'; }
