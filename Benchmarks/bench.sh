#!/usr/bin/env bash
# Benchmarks `thumbnail` against a bare decode (the "decode floor"), vipsthumbnail, ImageMagick's
# mogrify and the Pillow tutorial program it replaces, and writes the results to BENCHMARKS.md.
#
#   Benchmarks/bench.sh [FOLDER]      (`make bench`, or `make bench BENCH_DIR=FOLDER`)
#
# FOLDER: the JPEG/PNG files directly in it are the input set. Without it, Debian's
# mate-backgrounds wallpapers are copied into Benchmarks/scratch/photos and used.
#
# Environment:
#   ROUNDS=5          timed rounds (the median is reported)
#   BENCH_JOBS=2      processes for the parallel runs
#   THUMBNAIL_BIN     the tool (default: .build/release/thumbnail under the repo root)
#   BENCH_NO_INSTALL=1  never call apt-get
#   BENCH_REPORT      where to write the report (default: BENCHMARKS.md at the repo root)
#   BENCH_HUGE=0      skip the 16383x16383 WebP and 20000x20000 TIFF memory rows
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f "$HERE/decode-floor.c" ]] || { echo "bench: cannot find Benchmarks/ (run Benchmarks/bench.sh)" >&2; exit 1; }
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-5}
JOBS=${BENCH_JOBS:-2}
BOX=50x50
SCRATCH="$HERE/scratch"
BUILD="$HERE/build"
REPORT=${BENCH_REPORT:-$ROOT/BENCHMARKS.md}
BIN_SRC=${THUMBNAIL_BIN:-$ROOT/.build/release/thumbnail}
[[ "$BIN_SRC" = /* ]] || BIN_SRC="$PWD/$BIN_SRC"
# Each competitor runs as BENCH_JOBS single-threaded processes: the libraries' own threads off.
export VIPS_CONCURRENCY=${VIPS_CONCURRENCY:-1}
export MAGICK_THREAD_LIMIT=${MAGICK_THREAD_LIMIT:-1}

if [[ $# -gt 1 || "${1:-}" = -h || "${1:-}" = --help ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 64
fi
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench: ROUNDS must be a positive integer" >&2; exit 64; }

NOTES=()
note() { NOTES+=("$*"); echo "bench: $*" >&2; }
log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- packages
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else SUDO=none; fi
fi
APT_UPDATED=0
apt_install() { # PACKAGE... (only the ones not installed)
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "${BENCH_NO_INSTALL:-0}" = 1 || "$SUDO" = none ]] || ! command -v apt-get >/dev/null; then
    note "not installed (and not installing): ${missing[*]}"
    return 0
  fi
  log "installing ${missing[*]}"
  if [[ $APT_UPDATED = 0 ]]; then
    $SUDO apt-get update -qq >&2 || note "apt-get update failed"
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || note "apt-get install ${missing[*]} failed"
}

if [[ $# -eq 0 ]]; then
  apt_install mate-backgrounds
fi
apt_install libvips-tools imagemagick time valgrind
have_pil() { command -v python3 >/dev/null && python3 -c 'import PIL' 2>/dev/null; }
have_pil || apt_install python3-pil python3-numpy

# ---------------------------------------------------------------- inputs
mkdir -p "$SCRATCH" "$BUILD"
if [[ $# -eq 0 ]]; then
  PHOTOS="$SCRATCH/photos"
  shopt -s nullglob
  wallpapers=(/usr/share/backgrounds/mate/*/*)
  shopt -u nullglob
  if [[ ${#wallpapers[@]} -eq 0 ]]; then
    echo "bench: no /usr/share/backgrounds/mate/*/* (mate-backgrounds); pass a FOLDER" >&2
    exit 1
  fi
  rm -rf "$PHOTOS"
  mkdir -p "$PHOTOS"
  # Timestamps kept: the big files and the memory rows are remade only when their source changes.
  cp -fp "${wallpapers[@]}" "$PHOTOS/"
  INVOCATION="make bench  (= Benchmarks/bench.sh, mate-backgrounds wallpapers)"
else
  [[ -d "$1" ]] || { echo "bench: $1 is not a folder" >&2; exit 64; }
  PHOTOS=$(cd "$1" && pwd)
  INVOCATION="Benchmarks/bench.sh $1"
fi
[[ "$ROUNDS" = 5 ]] || INVOCATION="ROUNDS=$ROUNDS $INVOCATION"
[[ "$JOBS" = 2 ]] || INVOCATION="BENCH_JOBS=$JOBS $INVOCATION"

# NUL-separated list of the JPEG/PNG files directly in FOLDER (by extension, hidden ones skipped).
list_images() { # FOLDER OUTFILE
  find "$1" -mindepth 1 -maxdepth 1 -type f ! -name '.*' \
    \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -print0 | sort -z > "$2"
}
list_images "$PHOTOS" "$SCRATCH/photos.list"
NFILES=$(tr -cd '\0' < "$SCRATCH/photos.list" | wc -c)
[[ $NFILES -gt 0 ]] || { echo "bench: no JPEG or PNG files in $PHOTOS" >&2; exit 1; }
NJPEG=$(tr '\0' '\n' < "$SCRATCH/photos.list" | grep -ciE '\.jpe?g$' || true)
NBYTES=$(xargs -0 -a "$SCRATCH/photos.list" stat -c %s | awk '{s+=$1} END {print s}')
xargs -0 -a "$SCRATCH/photos.list" cat > /dev/null # warm the page cache

# One 16x16 PNG: the fixed cost of starting each program.
mkdir -p "$SCRATCH/tiny"
base64 -d > "$SCRATCH/tiny/tiny.png" <<'EOF'
iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAHUlEQVR42mNkYGgQYGAgHrEwCDCQBEY1jGoYOhoAHgoCnoxpJwYAAAAASUVORK5CYII=
EOF
list_images "$SCRATCH/tiny" "$SCRATCH/tiny.list"

# One 5120x2880 JPEG and PNG made from the largest photo: the memory check.
BIG_SRC=$(tr '\0' '\n' < "$SCRATCH/photos.list" | grep -iE '\.jpe?g$' | xargs -r -d '\n' ls -S 2>/dev/null | head -1 || true)
[[ -n "$BIG_SRC" ]] || BIG_SRC=$(tr '\0' '\n' < "$SCRATCH/photos.list" | xargs -r -d '\n' ls -S | head -1)
make_big() { # EXT
  local dir="$SCRATCH/big-$1" out="$SCRATCH/big-$1/big.$1"
  mkdir -p "$dir"
  # Made once per source photo (the stamp names it).
  if [[ -s "$out" && "$(cat "$dir/.source" 2>/dev/null)" = "$BIG_SRC" && "$out" -nt "$BIG_SRC" ]]; then return 0; fi
  rm -f "$out" "$dir/.source"
  if have_pil; then
    python3 - "$BIG_SRC" "$out" <<'EOF' || rm -f "$out"
import sys
from PIL import Image
with Image.open(sys.argv[1]) as im:
    im = im.convert("RGB").resize((5120, 2880), Image.LANCZOS)
    im.save(sys.argv[2], quality=90) if sys.argv[2].endswith(".jpg") else im.save(sys.argv[2])
EOF
  elif command -v convert >/dev/null; then
    convert "$BIG_SRC" -resize '5120x2880!' -quality 90 "$out" || rm -f "$out"
  fi
  [[ -s "$out" ]] && echo "$BIG_SRC" > "$dir/.source"
  [[ -s "$out" ]] || note "could not make $out (needs Pillow or ImageMagick): memory check skipped for it"
}
make_big jpg
make_big png
for ext in jpg png; do list_images "$SCRATCH/big-$ext" "$SCRATCH/big-$ext.list"; done

# Progressive JPEGs: the input JPEGs re-coded losslessly by jpegtran -progressive (libjpeg's default
# scan script), and big.jpg re-coded as a progressive 4:4:4 JPEG (TurboJPEG holds every coefficient
# of a progressive file: the largest decode of all). Timed with one process, against the floor.
PROG=0
if command -v jpegtran >/dev/null && command -v cjpeg >/dev/null && command -v djpeg >/dev/null; then
  rm -rf "$SCRATCH/progressive" "$SCRATCH/big-prog"
  mkdir -p "$SCRATCH/progressive" "$SCRATCH/big-prog"
  while IFS= read -r -d '' f; do
    case "$f" in *.[jJ][pP][gG] | *.[jJ][pP][eE][gG]) jpegtran -progressive -copy none -outfile "$SCRATCH/progressive/$(basename "$f")" "$f" || true ;; esac
  done < "$SCRATCH/photos.list"
  [[ -s "$SCRATCH/big-jpg/big.jpg" ]] && djpeg -pnm "$SCRATCH/big-jpg/big.jpg" \
    | cjpeg -progressive -sample 1x1 -quality 90 -outfile "$SCRATCH/big-prog/big.jpg" || rm -f "$SCRATCH/big-prog/big.jpg"
  list_images "$SCRATCH/progressive" "$SCRATCH/progressive.list"
  list_images "$SCRATCH/big-prog" "$SCRATCH/big-prog.list"
  NPROG=$(tr -cd '\0' < "$SCRATCH/progressive.list" | wc -c)
  [[ $NPROG -gt 0 ]] && PROG=1
else
  note "jpegtran/cjpeg/djpeg missing (libjpeg-turbo-progs): progressive JPEG rows skipped"
fi

# WebP and AVIF copies of the input set (cwebp and avifenc at their defaults: lossy, quality 75
# and speed 6), for the issue's speed bar: `thumbnail` against vipsthumbnail on the same files.
# Kept between runs in Benchmarks/scratch/fmt-* (avifenc takes ~20 s a photo on one core): a copy is
# remade only when the md5 of its source changes (the photos are copied afresh each run).
encode_copy() { # FORMAT SOURCE OUTPUT
  local tmp="$SCRATCH/fmt-tmp/$(basename "$3")"
  case $1 in
    webp) cwebp -quiet "$2" -o "$tmp" ;;
    avif) avifenc -j 1 "$2" "$tmp" > /dev/null ;;
  esac && mv -f "$tmp" "$3"
}
FMT_SETS=()
make_format_set() { # FORMAT ENCODER
  local fmt=$1 dir="$SCRATCH/fmt-$1" stamps="$SCRATCH/fmt-stamps/$1" f out sum
  command -v "$2" > /dev/null || { note "$2 missing (${3:-}): the $fmt rows skipped"; return 0; }
  mkdir -p "$dir" "$stamps" "$SCRATCH/fmt-tmp"
  : > "$SCRATCH/fmt-$fmt.todo"
  local keep=()
  while IFS= read -r -d '' f; do
    out="$dir/$(basename "$f").$fmt"
    keep+=("$(basename "$out")")
    sum=$(md5sum < "$f" | cut -d' ' -f1)
    [[ -s "$out" && "$(cat "$stamps/$(basename "$out")" 2> /dev/null)" = "$sum" ]] && continue
    rm -f "$out"
    printf '%s\0%s\0%s\0' "$fmt" "$f" "$out" >> "$SCRATCH/fmt-$fmt.todo"
    echo "$sum" > "$stamps/$(basename "$out").new"
  done < "$SCRATCH/photos.list"
  # Copies of photos no longer in the set go.
  for f in "$dir"/*; do
    [[ -e "$f" ]] || continue
    [[ " ${keep[*]} " = *" $(basename "$f") "* ]] || rm -f "$f"
  done
  if [[ -s "$SCRATCH/fmt-$fmt.todo" ]]; then
    log "encoding $(( $(tr -cd '\0' < "$SCRATCH/fmt-$fmt.todo" | wc -c) / 3 )) photos as $fmt with $2 (kept for later runs)"
    export -f encode_copy; export SCRATCH
    xargs -0 -n 3 -P "$JOBS" "$BASH" -c 'encode_copy "$@" || echo "bench: $1 copy of $2 failed" >&2' _ < "$SCRATCH/fmt-$fmt.todo"
  fi
  for f in "$stamps"/*.new; do
    [[ -e "$f" ]] || continue
    [[ -s "$dir/$(basename "$f" .new)" ]] && mv -f "$f" "${f%.new}" || rm -f "$f"
  done
  list_ext "$dir" "$fmt" "$SCRATCH/fmt-$fmt.list"
  [[ $(tr -cd '\0' < "$SCRATCH/fmt-$fmt.list" | wc -c) -gt 0 ]] && FMT_SETS+=("fmt-$fmt")
}
# NUL-separated list of the files directly in FOLDER ending in .EXT.
list_ext() { # FOLDER EXT OUTFILE
  find "$1" -mindepth 1 -maxdepth 1 -type f ! -name '.*' -iname "*.$2" -print0 | sort -z > "$3"
}
make_format_set webp cwebp webp
make_format_set avif avifenc libavif-bin

# The issue's memory bars, one file each (Benchmarks/scratch/mem-*, kept between runs): big.png
# (the 5120x2880 photo) as lossy and lossless WebP, HEIC (heif-enc) and 4:2:0 AVIF (avifenc);
# and, unless BENCH_HUGE=0, the flat 16383x16383 WebP of the tests' fixtures with a lossless copy
# and a lossy copy with alpha,
# and their flat 20000x20000 PNG as tiled and as striped TIFF (deflate). Photos that large take
# minutes to encode, flat pictures seconds; a decoder's memory does not depend on the picture.
MEM_SETS=()
declare -A MEM_BAR MEM_WHAT
make_mem() { # NAME EXT BAR(webp-tiff|frame) SOURCE WHAT COMMAND... ({out} is the output)
  local name=$1 ext=$2 bar=$3 src=$4 what=$5 dir="$SCRATCH/mem-$1" out arg args=()
  shift 5
  out="$dir/$name.$ext"
  mkdir -p "$dir"
  if [[ ! -s "$out" || ! "$out" -nt "$src" ]]; then
    rm -f "$dir"/*
    command -v "$1" > /dev/null || { note "$1 missing: memory row $name skipped"; return 0; }
    for arg in "$@"; do args+=("${arg//\{out\}/$SCRATCH/fmt-tmp/$name.$ext}"); done
    log "making $name.$ext (kept for later runs)"
    mkdir -p "$SCRATCH/fmt-tmp"
    if "${args[@]}" > "$SCRATCH/fmt-tmp/$name.log" 2>&1; then mv -f "$SCRATCH/fmt-tmp/$name.$ext" "$out"; else
      note "could not make $name.$ext: $(tail -1 "$SCRATCH/fmt-tmp/$name.log")"; return 0
    fi
  fi
  list_ext "$dir" "$ext" "$SCRATCH/mem-$name.list"
  MEM_SETS+=("mem-$name"); MEM_BAR[mem-$name]=$bar; MEM_WHAT[mem-$name]=$what
}
BIGPNG="$SCRATCH/big-png/big.png"
if [[ -s "$BIGPNG" ]]; then
  make_mem webp-5120-lossy webp webp-tiff "$BIGPNG" "big.png, \`cwebp\`" cwebp -quiet "$BIGPNG" -o {out}
  make_mem webp-5120-lossless webp webp-tiff "$BIGPNG" "big.png, \`cwebp -lossless\`" cwebp -quiet -lossless "$BIGPNG" -o {out}
  make_mem heic-5120 heic frame "$BIGPNG" "big.png, \`heif-enc\` (quality 50, 4:2:0)" heif-enc -o {out} "$BIGPNG"
  make_mem avif-5120 avif frame "$BIGPNG" "big.png, \`avifenc -y 420\`" avifenc -j 1 -y 420 "$BIGPNG" {out}
fi
FLAT_WEBP="$ROOT/Tests/Fixtures/huge-16383x16383.webp" FLAT_PNG="$ROOT/Tests/Fixtures/huge-20000x20000.png"
if [[ "${BENCH_HUGE:-1}" != 0 ]]; then
  if [[ -s "$FLAT_WEBP" ]]; then
    make_mem webp-16383-lossy webp webp-tiff "$FLAT_WEBP" "Tests/Fixtures/huge-16383x16383.webp (flat, lossy)" cp "$FLAT_WEBP" {out}
    make_mem webp-16383-lossless webp webp-tiff "$FLAT_WEBP" "the same, \`vips copy …[lossless,effort=0]\`" vips copy "$FLAT_WEBP" "{out}[lossless,effort=0]"
    # libwebp holds a lossy file's whole alpha plane (width x height bytes) while decoding.
    make_mem webp-16383-lossy-alpha webp webp-tiff "$FLAT_WEBP" "the same with an alpha channel (\`vips bandjoin_const … 200\`), lossy" \
      vips bandjoin_const "$FLAT_WEBP" "{out}[Q=75]" 200
  fi
  if [[ -s "$FLAT_PNG" ]]; then
    make_mem tiff-20000-tiled tif webp-tiff "$FLAT_PNG" "Tests/Fixtures/huge-20000x20000.png (flat) as RGB, 256x256 tiles, deflate" \
      vips colourspace "$FLAT_PNG" "{out}[tile,tile-width=256,tile-height=256,compression=deflate]" srgb
    make_mem tiff-20000-striped tif webp-tiff "$FLAT_PNG" "the same in strips of 128 rows, deflate" \
      vips colourspace "$FLAT_PNG" "{out}[compression=deflate]" srgb
  fi
fi

# ---------------------------------------------------------------- programs
FLOOR=""
if flags=$(pkg-config --cflags --libs libturbojpeg libpng 2>/dev/null) \
  && cc -O2 -o "$BUILD/decode-floor" "$HERE/decode-floor.c" $flags -lm; then
  FLOOR="$BUILD/decode-floor"
else
  note "decode floor not built (needs cc, pkg-config, libturbojpeg0-dev, libpng-dev): ratios omitted"
fi

# A private copy, so a rebuild during the run does not mix two versions.
BIN=""
if [[ -x "$BIN_SRC" ]]; then
  mkdir -p "$SCRATCH/bin"
  cp -f "$BIN_SRC" "$SCRATCH/bin/thumbnail"
  BIN="$SCRATCH/bin/thumbnail"
else
  note "thumbnail binary $BIN_SRC not found (make build, or set THUMBNAIL_BIN): skipped"
fi

TIMEV=()
if [[ -x /usr/bin/time ]] && /usr/bin/time -v -o /dev/null "$BASH" -c : 2>/dev/null; then
  TIMEV=(/usr/bin/time -v -o "$SCRATCH/rusage")
else
  note "GNU time (/usr/bin/time) missing: no peak memory"
fi

# Each case: cmd_ID runs the program on $IN (folder) / $INLIST (NUL list) into $OUT.
cmd_floor2() { "${TIMEV[@]}" "$FLOOR" --jobs "$JOBS" --size "$BOX" "$IN"; }
cmd_floor1() { "${TIMEV[@]}" "$FLOOR" --jobs 1 --size "$BOX" "$IN"; }
cmd_tool() { "${TIMEV[@]}" "$BIN" --size "$BOX" --blur 2 --jobs "$JOBS" --out "$OUT" "$IN"; }
cmd_tool_blur0() { "${TIMEV[@]}" "$BIN" --size "$BOX" --blur 0 --jobs "$JOBS" --out "$OUT" "$IN"; }
cmd_tool_nosandbox() { "${TIMEV[@]}" "$BIN" --size "$BOX" --blur 2 --jobs "$JOBS" --sandbox off --out "$OUT" "$IN"; }
cmd_tool_j1() { "${TIMEV[@]}" "$BIN" --size "$BOX" --blur 2 --jobs 1 --out "$OUT" "$IN"; }
cmd_tool_web() { "${TIMEV[@]}" "$BIN" --size "$BOX" --blur 2 --jobs "$JOBS" --fit cover --placeholder thumbhash,blurhash,color,lqip --out "$OUT" "$IN"; }
cmd_vips() { "${TIMEV[@]}" xargs -0 -a "$INLIST" -P "$JOBS" -n 8 vipsthumbnail --size "$BOX" -o "$OUT/%s.jpg"; }
cmd_magick() {
  "${TIMEV[@]}" xargs -0 -a "$INLIST" -P "$JOBS" -n 8 \
    mogrify -path "$OUT" -define jpeg:size=100x100 -thumbnail "$BOX"
}
cmd_python() { "${TIMEV[@]}" python3 "$HERE/tutorial.py" "$IN" "$OUT"; }

declare -A LABEL PROCS SHOWN OUTPUTS
CASES=()
add_case() { # ID PROCS LABEL SHOWN-COMMAND
  CASES+=("$1"); PROCS[$1]=$2; LABEL[$1]=$3; SHOWN[$1]=$4; OUTPUTS[$1]=1
}
if [[ -n "$FLOOR" ]]; then
  add_case floor2 "$JOBS" "decode floor" "decode-floor --jobs $JOBS --size $BOX"
  add_case floor1 1 "decode floor, 1 process" "decode-floor --jobs 1 --size $BOX"
  OUTPUTS[floor2]=0; OUTPUTS[floor1]=0
fi
if [[ -n "$BIN" ]]; then
  add_case tool "$JOBS" "thumbnail" "thumbnail --size $BOX --blur 2 --jobs $JOBS"
  add_case tool_blur0 "$JOBS" "thumbnail --blur 0" "thumbnail --size $BOX --blur 0 --jobs $JOBS"
  add_case tool_nosandbox "$JOBS" "thumbnail --sandbox off" "thumbnail --size $BOX --blur 2 --jobs $JOBS --sandbox off"
  add_case tool_j1 1 "thumbnail --jobs 1" "thumbnail --size $BOX --blur 2 --jobs 1"
  add_case tool_web "$JOBS" "thumbnail --fit cover --placeholder (all four)" "thumbnail --size $BOX --blur 2 --jobs $JOBS --fit cover --placeholder thumbhash,blurhash,color,lqip"
fi
if command -v vipsthumbnail >/dev/null; then
  add_case vips "$JOBS" "vipsthumbnail (no blur)" "xargs -P$JOBS -n8 vipsthumbnail --size $BOX -o OUT/%s.jpg"
else
  note "vipsthumbnail missing (libvips-tools): skipped"
fi
if command -v mogrify >/dev/null; then
  add_case magick "$JOBS" "ImageMagick mogrify (no blur)" "xargs -P$JOBS -n8 mogrify -path OUT -define jpeg:size=100x100 -thumbnail $BOX"
else
  note "mogrify missing (imagemagick): skipped"
fi
if have_pil; then
  add_case python "$(python3 -c 'import os; print(os.cpu_count())')" "Pillow tutorial (tutorial.py)" "python3 Benchmarks/tutorial.py IN OUT"
else
  note "python3 with Pillow missing: tutorial skipped"
fi
[[ ${#CASES[@]} -gt 0 ]] || { echo "bench: nothing to run" >&2; exit 1; }

# ---------------------------------------------------------------- measuring
declare -A TIMES RSS FAILS COUNT CPU
now() { if [[ -n "${EPOCHREALTIME:-}" ]]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

# run_one SET ID: one timed run; appends the wall time and peak RSS (KiB) under key SET/ID.
run_one() {
  local set=$1 id=$2 key="$1/$2" rc=0 t0 t1 kb
  IN="$SCRATCH/$set"; INLIST="$SCRATCH/$set.list"
  [[ $set = photos || $set = webpairs ]] && IN="$PHOTOS"
  OUT="$SCRATCH/out/$set-$id"
  rm -rf "$OUT"; mkdir -p "$OUT"
  rm -f "$SCRATCH/rusage"
  t0=${EPOCHREALTIME:-$(date +%s.%N)}
  "cmd_$id" > "$SCRATCH/logs/$set-$id.out" 2> "$SCRATCH/logs/$set-$id.err" || rc=$?
  t1=${EPOCHREALTIME:-$(date +%s.%N)}
  TIMES[$key]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}') "
  kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$SCRATCH/rusage" 2>/dev/null || true)
  RSS[$key]+="${kb:-0} "
  # User + system CPU seconds of the command and the processes it waited for (the workers): less
  # swayed than wall time by other work on the machine.
  CPU[$key]+="$(awk -F': ' '/^[[:space:]]*(User|System) time/ {s += $2} END {printf "%.4f", s}' "$SCRATCH/rusage" 2>/dev/null || echo 0) "
  COUNT[$key]=$(find "$OUT" -type f ! -name '.*' | wc -l) # images only (not the .thumbnail-state.sqlite state)
  if [[ $rc -ne 0 && -z "${FAILS[$key]:-}" ]]; then
    FAILS[$key]="exit $rc"
    note "$set: ${LABEL[$id]} exited $rc: $(grep -v '^[[:space:]]*$' "$SCRATCH/logs/$set-$id.err" | head -2 | tr '\n' ' ')"
  fi
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
minmax() { tr ' ' '\n' | grep . | sort -g | awk -v k="${1:-1}" -v f="${2:-%.2f}" 'NR==1{a=$1} {b=$1} END {printf f "–" f, a * k, b * k}'; }
maxrss_mib() { tr ' ' '\n' | grep . | sort -g | tail -1 | awk '{ if ($1 > 0) printf "%.0f", $1/1024; else print "n/a" }'; }

mkdir -p "$SCRATCH/logs" "$SCRATCH/out"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Other work on the machine right now (the load average lags by minutes): CPU use over 1 s.
cpu_sample() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
read -r busy0 all0 < <(cpu_sample); sleep 1; read -r busy1 all1 < <(cpu_sample)
BUSY_BEFORE=$(awk -v b=$((busy1 - busy0)) -v a=$((all1 - all0)) 'BEGIN {printf "%.0f", (a > 0) ? 100 * b / a : 0}')
if [[ $BUSY_BEFORE -gt 20 ]]; then
  note "the machine was ${BUSY_BEFORE}% busy just before the run: the times are noisy; run again on an idle machine"
fi
STARTED=$(date +%s)
# Untimed warm-up on the tiny image: loads each program and its libraries into the page cache.
for id in "${CASES[@]}"; do run_one tiny "$id"; done
unset TIMES RSS FAILS COUNT CPU
declare -A TIMES RSS FAILS COUNT CPU

# Alternating rounds: every case once per round, the order rotated each round.
RUNS=()
for id in "${CASES[@]}"; do
  RUNS+=("photos $id")
  [[ $id = floor2 || $id = tool_j1 ]] || RUNS+=("tiny $id") # one image: same as the 1-process case
  [[ $PROG = 1 && ( $id = floor1 || $id = tool_j1 ) ]] && RUNS+=("progressive $id")
done
# The WebP and AVIF copies of the set: the tool and vipsthumbnail, in the same rounds.
FMT_IDS=(tool tool_blur0 vips)
for set in "${FMT_SETS[@]}"; do
  for id in "${FMT_IDS[@]}"; do [[ -n "${LABEL[$id]:-}" ]] && RUNS+=("$set $id"); done
done
for ((r = 0; r < ROUNDS; r++)); do
  log "round $((r + 1))/$ROUNDS"
  n=${#RUNS[@]}
  for ((k = 0; k < n; k++)); do
    run_one ${RUNS[$(((k + r * 3) % n))]}
  done
done
# The memory check: one run of each case on one 5120x2880 JPEG and PNG.
BIG_RAN=0
for ext in jpg png; do
  [[ -s "$SCRATCH/big-$ext/big.$ext" ]] || continue
  BIG_RAN=1
  log "memory check: big.$ext"
  for id in "${CASES[@]}"; do
    [[ $id = floor2 || $id = tool_j1 ]] && continue # one image: same as the 1-process runs
    run_one "big-$ext" "$id"
  done
done
if [[ $PROG = 1 && -s "$SCRATCH/big-prog/big.jpg" ]]; then
  log "memory check: progressive 4:4:4 big.jpg"
  for id in "${CASES[@]}"; do
    [[ $id = floor1 || $id = tool_j1 ]] && run_one big-prog "$id"
  done
fi
# The issue's memory bars: one run of the tool and of vipsthumbnail on each large file.
for set in "${MEM_SETS[@]}"; do
  log "memory check: ${set#mem-}"
  for id in tool vips; do [[ -n "${LABEL[$id]:-}" ]] && run_one "$set" "$id"; done
done
# The sandbox's own costs, which wall and CPU times on a busy machine cannot resolve: entering it
# (once per worker) and the filter on each allowed system call, timed in sandbox-probe.
PROBE=${SANDBOX_PROBE:-$ROOT/.build/release/sandbox-probe}
SANDBOX_PARTS=""
if [[ -x "$PROBE" && -n "$BIN" ]]; then
  log "sandbox: entry and per-call cost (sandbox-probe)"
  mkdir -p "$SCRATCH/probe"
  probe_median() { # MODE ACTION RUNS: the median of the number the probe prints last
    local i
    for ((i = 0; i < $3; i++)); do "$PROBE" try "$1" "$SCRATCH/probe" "$2" | tail -1 | cut -d' ' -f1; done | median
  }
  entry_us=$(probe_median on time 21)
  call_on=$(probe_median on calls 9)
  call_off=$(probe_median off calls 9)
  cpu_off=$(median <<< "${CPU[photos/tool_nosandbox]:-}")
  SANDBOX_PARTS=$(awk -v e="$entry_us" -v a="$call_on" -v b="$call_off" -v j="$JOBS" -v c="$cpu_off" 'BEGIN {
    printf "entering it takes %.0f µs per worker (median of 21), an allowed system call %+.0f ns (%.0f against %.0f ns, median of 9 x 1M getpid)", e, a - b, a, b
    if (c > 0) printf "; the %d workers'"'"' entries are %.3f%% of the images'"'"' CPU time", j, 100 * j * e / 1e6 / c
  }')
else
  note "sandbox-probe not built (make bench builds it): the sandbox's entry and per-call costs not measured"
fi
# The web output's cost (issue 11: under 10%), which 5 rounds of 0.3 s cannot resolve on a shared
# 2-core machine (runs differ by 10-20%): WEB_PAIRS back-to-back pairs of `thumbnail` and the web
# case in alternating order, each pair's ratio, the median of those; and the instructions both
# execute under callgrind (deterministic: what the cost is when nothing else competes).
WEB_PARTS=""
if [[ -n "${LABEL[tool_web]:-}" ]]; then
  log "web output's cost: ${WEB_PAIRS:=15} pairs"
  mkdir -p "$SCRATCH/webcost"
  for ((r = 0; r < WEB_PAIRS; r++)); do
    if ((r % 2)); then order=(tool_web tool); else order=(tool tool_web); fi
    for id in "${order[@]}"; do run_one webpairs "$id"; done
  done
  pair_ratios() { # TABLE: median over the pairs of web / plain, as a percentage change
    local -n t=$1
    paste <(tr ' ' '\n' <<< "${t[webpairs/tool]}" | grep .) <(tr ' ' '\n' <<< "${t[webpairs/tool_web]}" | grep .) |
      awk '$1 > 0 {print 100 * ($2 - $1) / $1}' | median
  }
  WEB_PARTS=$(awk -v w="$(pair_ratios TIMES)" -v c="$(pair_ratios CPU)" -v n="$WEB_PAIRS" \
    'BEGIN {printf "median of %d back-to-back pairs: wall %+.1f%%, CPU %+.1f%%", n, w, c}')
  if command -v valgrind >/dev/null; then
    # Valgrind cannot read the release build's debug information; a stripped copy runs the same code.
    objcopy --strip-debug "$BIN" "$SCRATCH/webcost/thumbnail" 2>/dev/null || cp "$BIN" "$SCRATCH/webcost/thumbnail"
    instructions() { # ARGS...: instructions of the run and its workers (one worker, no sandbox)
      rm -rf "$SCRATCH/webcost/cg" "$SCRATCH/webcost/out"; mkdir -p "$SCRATCH/webcost/cg"
      valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$SCRATCH/webcost/cg/%p" \
        "$SCRATCH/webcost/thumbnail" --size "$BOX" --blur 2 --jobs 1 --sandbox off --out "$SCRATCH/webcost/out" "$@" "$PHOTOS" 2>&1 |
        awk '/Collected :/ {s += $4} END {print s}'
    }
    log "web output's cost: instructions under callgrind"
    i_plain=$(instructions)
    i_web=$(instructions --fit cover --placeholder thumbhash,blurhash,color,lqip)
    WEB_PARTS+=$(awk -v a="$i_web" -v b="$i_plain" 'BEGIN { if (b > 0) printf "; instructions (callgrind, 1 worker) %+.1f%% (%.0f M against %.0f M)", 100 * (a - b) / b, a / 1e6, b / 1e6 }')
  else
    note "valgrind missing: the web output's instruction count not measured"
  fi
fi
ELAPSED=$(( $(date +%s) - STARTED ))

# ---------------------------------------------------------------- report
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
OS=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no -- Sources Package.swift 2>/dev/null)" ]] || REV="$REV (with uncommitted changes to Sources/)"
VIPS_V=$(vips --version 2>/dev/null || echo "not installed")
IM_V=$(convert -version 2>/dev/null | head -1 | sed 's/^Version: //; s| https.*||' || true)
PIL_V=$(python3 -c 'import PIL; print(PIL.__version__, "(" + PIL.__file__.rsplit("/", 2)[0] + ")")' 2>/dev/null || echo "not installed")
PY_V=$(python3 --version 2>/dev/null || echo "not installed")
CC_V=$(cc --version 2>/dev/null | head -1 || echo "not installed")

ref_for() { # the decode-floor median a case is compared with: same number of processes
  local set=$1 id=$2 f=floor2
  [[ ${PROCS[$id]} = 1 ]] && f=floor1
  [[ -n "${TIMES[$set/$f]:-}" ]] && median <<< "${TIMES[$set/$f]}" || echo ""
}
ratio() { # MEDIAN REF
  [[ -n "$2" ]] && awk -v m="$1" -v f="$2" 'BEGIN { if (f > 0) printf "%.2f×", m / f; else print "–" }' || echo "–"
}
outputs() { # SET ID EXPECTED
  local key="$1/$2"
  [[ ${OUTPUTS[$2]} = 1 ]] || { echo "–"; return; }
  local s="${COUNT[$key]:-0}/$3"
  [[ -n "${FAILS[$key]:-}" ]] && s="$s (${FAILS[$key]})"
  echo "$s"
}

{
  echo "# Benchmarks"
  echo
  echo "Made by \`$INVOCATION\` on $(date -u '+%Y-%m-%d %H:%M UTC') in ${ELAPSED} s. See Benchmarks/README.md for what is measured."
  echo
  echo "## Machine"
  echo
  echo "- $(nproc) CPUs (\`nproc\`), $CPU, $MEM; $OS, kernel $(uname -r); CPU ${BUSY_BEFORE}% busy in the second before the run, load average $LOAD_BEFORE (other work on the machine shows up as a wide min–max)"
  echo "- thumbnail $REV; libjpeg-turbo $(ver libturbojpeg0); libpng $(ver libpng16-16); $VIPS_V; ${IM_V:-ImageMagick not installed}; Pillow $PIL_V; $PY_V; $CC_V"
  echo "- Input: $NFILES files ($NJPEG JPEG, $((NFILES - NJPEG)) PNG, $(awk -v b="$NBYTES" 'BEGIN {printf "%.1f MB", b/1e6}')) in \`${PHOTOS/#$ROOT\//}\`; box $BOX; $JOBS processes; $ROUNDS round(s); VIPS_CONCURRENCY=$VIPS_CONCURRENCY, MAGICK_THREAD_LIMIT=$MAGICK_THREAD_LIMIT"
  echo
  echo "## Batch: $NFILES images, median of $ROUNDS round(s)"
  echo
  echo "| Program | Procs | Median wall (s) | Min–max (s) | Images/s | × decode floor | Peak RSS (MiB) | Outputs |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for id in "${CASES[@]}"; do
    key="photos/$id"
    m=$(median <<< "${TIMES[$key]}")
    printf '| %s | %s | %.3f | %s | %.1f | %s | %s | %s |\n' "${LABEL[$id]}" "${PROCS[$id]}" "$m" \
      "$(minmax <<< "${TIMES[$key]}")" "$(awk -v n="$NFILES" -v m="$m" 'BEGIN {print n / m}')" \
      "$(ratio "$m" "$(ref_for photos "$id")")" "$(maxrss_mib <<< "${RSS[$key]}")" "$(outputs photos "$id" "$NFILES")"
  done
  if [[ -n "${TIMES[photos/tool_nosandbox]:-}" ]]; then
    echo
    # The workers' sandbox (Landlock + seccomp, set up once per worker) against --sandbox off.
    sandbox_cost() { # SET TABLE [CASE BASE-CASE]: CASE's median against BASE-CASE's (default: the sandbox's)
      local -n t=$2
      awk -v a="$(median <<< "${t[$1/${3:-tool}]}")" -v b="$(median <<< "${t[$1/${4:-tool_nosandbox}]}")" \
        'BEGIN { if (b > 0) printf "%+.1f%% (%.3f s against %.3f s)", 100 * (a - b) / b, a, b; else print "n/a" }'
    }
    echo "Sandbox cost, median \`thumbnail\` against \`thumbnail --sandbox off\` (target under 1% on the images):"
    echo
    echo "- $NFILES images: wall $(sandbox_cost photos TIMES), CPU (user + system, workers included) $(sandbox_cost photos CPU)"
    echo "- one 16x16 PNG: wall $(sandbox_cost tiny TIMES), CPU $(sandbox_cost tiny CPU)"
    [[ -z "$SANDBOX_PARTS" ]] || echo "- its parts: $SANDBOX_PARTS"
    if [[ -n "${TIMES[photos/tool_web]:-}" ]]; then
      echo
      echo "Web output's cost (issue 11: under 10%), median \`thumbnail --fit cover --placeholder (all four)\` against \`thumbnail\`:"
      echo
      echo "- $NFILES images, the rounds above: wall $(sandbox_cost photos TIMES tool_web tool), CPU (user + system, workers included) $(sandbox_cost photos CPU tool_web tool)"
      [[ -z "$WEB_PARTS" ]] || echo "- $NFILES images, $WEB_PARTS"
    fi
  fi
  echo
  echo "## Fixed cost: one 16x16 PNG, median of $ROUNDS round(s)"
  echo
  echo "The time to start the program (for \`thumbnail\`, its worker pool) and finish on a trivial image."
  echo
  echo "| Program | Median wall (ms) | Min–max (ms) | Peak RSS (MiB) |"
  echo "| --- | ---: | ---: | ---: |"
  for id in "${CASES[@]}"; do
    [[ $id = floor2 || $id = tool_j1 ]] && continue
    key="tiny/$id"
    printf '| %s | %.1f | %s | %s |\n' "${LABEL[$id]}" "$(awk -v m="$(median <<< "${TIMES[$key]}")" 'BEGIN {print m * 1000}')" \
      "$(minmax 1000 %.1f <<< "${TIMES[$key]}")" "$(maxrss_mib <<< "${RSS[$key]}")"
  done
  if [[ $BIG_RAN = 1 ]]; then
    echo
    echo "## Memory: one 5120x2880 image, one run"
    echo
    echo "\`big.jpg\` and \`big.png\` are \`$(basename "$BIG_SRC")\` resized to 5120x2880 (Benchmarks/scratch/big-*)."
    echo
    echo "| Program | big.jpg wall (s) | big.jpg peak RSS (MiB) | big.png wall (s) | big.png peak RSS (MiB) |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    for id in "${CASES[@]}"; do
      [[ $id = floor2 || $id = tool_j1 ]] && continue
      row="| ${LABEL[$id]}"
      for ext in jpg png; do
        key="big-$ext/$id"
        if [[ -n "${TIMES[$key]:-}" ]]; then
          w=$(median <<< "${TIMES[$key]}" | xargs printf "%.3f")
          [[ -n "${FAILS[$key]:-}" ]] && w="$w (${FAILS[$key]})"
          row="$row | $w | $(maxrss_mib <<< "${RSS[$key]}")"
        else
          row="$row | – | –"
        fi
      done
      echo "$row |"
    done
  fi
  if [[ $PROG = 1 ]]; then
    echo
    echo "## Progressive JPEGs, one process"
    echo
    echo "The $NPROG input JPEGs re-coded by \`jpegtran -progressive\` (Benchmarks/scratch/progressive), median of $ROUNDS round(s); and \`big.jpg\` re-coded as a progressive 4:4:4 JPEG (\`cjpeg -progressive -sample 1x1 -quality 90\`, Benchmarks/scratch/big-prog), one run."
    echo
    echo "| Program | Median wall (s) | Min–max (s) | × decode floor | Peak RSS (MiB) | Outputs | big progressive 4:4:4 wall (s) | its peak RSS (MiB) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for id in "${CASES[@]}"; do
      [[ $id = floor1 || $id = tool_j1 ]] || continue
      key="progressive/$id"
      m=$(median <<< "${TIMES[$key]}")
      big="– | –"
      [[ -n "${TIMES[big-prog/$id]:-}" ]] && big="$(median <<< "${TIMES[big-prog/$id]}" | xargs printf "%.3f") | $(maxrss_mib <<< "${RSS[big-prog/$id]}")"
      printf '| %s | %.3f | %s | %s | %s | %s | %s |\n' "${LABEL[$id]}" "$m" "$(minmax <<< "${TIMES[$key]}")" \
        "$(ratio "$m" "$(ref_for progressive "$id")")" "$(maxrss_mib <<< "${RSS[$key]}")" "$(outputs progressive "$id" "$NPROG")" "$big"
    done
  fi
  if [[ ${#FMT_SETS[@]} -gt 0 ]]; then
    echo
    echo "## WebP and AVIF inputs: the same $NFILES photos, median of $ROUNDS round(s)"
    echo
    echo "The input set converted once by \`cwebp\` (its defaults: lossy, quality 75) and by \`avifenc -j 1\` (its defaults: speed 6, quantizer 24–26, 4:4:4 for PNG and the JPEG's own subsampling), kept in Benchmarks/scratch/fmt-webp and fmt-avif. Target (issue 10): \`thumbnail\` faster than vipsthumbnail on each set, with the same $JOBS processes."
    echo
    echo "| Set | Program | Median wall (s) | Min–max (s) | Images/s | × vipsthumbnail | Median CPU (s) | Peak RSS (MiB) | Outputs |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for set in "${FMT_SETS[@]}"; do
      n=$(tr -cd '\0' < "$SCRATCH/$set.list" | wc -c)
      vm=""
      [[ -n "${TIMES[$set/vips]:-}" ]] && vm=$(median <<< "${TIMES[$set/vips]}")
      for id in "${FMT_IDS[@]}"; do
        key="$set/$id"
        [[ -n "${TIMES[$key]:-}" ]] || continue
        m=$(median <<< "${TIMES[$key]}")
        printf '| %s (%d, %s) | %s | %.3f | %s | %.1f | %s | %.2f | %s | %s |\n' "${set#fmt-}" "$n" \
          "$(xargs -0 -a "$SCRATCH/$set.list" stat -c %s | awk '{s+=$1} END {printf "%.1f MB", s/1e6}')" "${LABEL[$id]}" "$m" \
          "$(minmax <<< "${TIMES[$key]}")" "$(awk -v n="$n" -v m="$m" 'BEGIN {print n / m}')" \
          "$(ratio "$m" "$vm")" "$(median <<< "${CPU[$key]}")" "$(maxrss_mib <<< "${RSS[$key]}")" "$(outputs "$set" "$id" "$n")"
      done
    done
    for set in "${FMT_SETS[@]}"; do
      [[ -n "${TIMES[$set/tool]:-}" && -n "${TIMES[$set/vips]:-}" ]] || continue
      awk -v f="${set#fmt-}" -v a="$(median <<< "${TIMES[$set/tool]}")" -v b="$(median <<< "${TIMES[$set/vips]}")" \
        -v c="$(median <<< "${CPU[$set/tool]}")" -v d="$(median <<< "${CPU[$set/vips]}")" 'BEGIN {
        printf "- %s: `thumbnail` (blur 2) %.3f s against vipsthumbnail %.3f s wall: %s (%.2f×); CPU %.2f s against %.2f s (%.2f×)\n", f, a, b, (a < b) ? "faster, bar met" : "NOT faster, bar missed", a / b, c, d, (d > 0) ? c / d : 0 }'
    done
  fi
  if [[ ${#MEM_SETS[@]} -gt 0 ]]; then
    tiny_peak=$(maxrss_mib <<< "${RSS[tiny/tool]:-}")
    echo
    echo "## Memory: large WebP, TIFF, HEIC and AVIF, one run"
    echo
    echo "Peak RSS of the largest process (for \`thumbnail\`, the worker that decodes) against the issue's bars: WebP and TIFF under 64 MiB; HEIC and AVIF at most the decoded frame plus 16 MiB, the frame counted as 8-bit RGB (width × height × 3 bytes; these files have no alpha, which would make it × 4). \`thumbnail\` on one 16x16 PNG peaks at ${tiny_peak} MiB (the fixed part of each figure: the program, its libraries and the reducers)."
    echo
    echo "| File | Made from | Size | Bar (MiB) | \`thumbnail\` peak RSS (MiB) | Bar met | wall (s) | vipsthumbnail peak RSS (MiB) | wall (s) |"
    echo "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"
    for set in "${MEM_SETS[@]}"; do
      f=$(tr '\0' '\n' < "$SCRATCH/$set.list" | head -1)
      dims=$(vipsheader -f width "$f" 2> /dev/null)x$(vipsheader -f height "$f" 2> /dev/null) || dims="?"
      if [[ ${MEM_BAR[$set]} = frame ]]; then
        bar=$(awk -v d="$dims" 'BEGIN {split(d, a, "x"); printf "%.1f", a[1] * a[2] * 3 / 1048576 + 16}')
      else
        bar=64
      fi
      row="| $(basename "$f") | ${MEM_WHAT[$set]} | $dims, $(stat -c %s "$f" | awk '{printf "%.1f MB", $1/1e6}') | $bar"
      for id in tool vips; do
        key="$set/$id"
        if [[ -n "${TIMES[$key]:-}" ]]; then
          p=$(maxrss_mib <<< "${RSS[$key]}")
          w=$(median <<< "${TIMES[$key]}" | xargs printf "%.3f")
          [[ -n "${FAILS[$key]:-}" ]] && w="$w (${FAILS[$key]})"
          if [[ $id = tool ]]; then
            met=$(awk -v p="${RSS[$key]%% *}" -v b="$bar" 'BEGIN {print (p / 1024 <= b) ? "yes" : "**no**"}')
            row="$row | $p | $met | $w"
          else
            row="$row | $p | $w"
          fi
        else
          [[ $id = tool ]] && row="$row | – | – | –" || row="$row | – | –"
        fi
      done
      echo "$row |"
    done
  fi
  echo
  echo "## Commands"
  echo
  for id in "${CASES[@]}"; do echo "- ${LABEL[$id]}: \`${SHOWN[$id]}\`"; done
  echo
  echo "## How to read it"
  echo
  echo "- Wall time is measured around each command; the rounds alternate the programs (every program once per round, the order rotated by three each round); the median and range over the rounds are shown."
  echo "- × decode floor: the median divided by the decode floor's with the same number of processes (Benchmarks/decode-floor.c: read and decode each file with TurboJPEG at the tool's DCT scale, or libpng row by row; no blur, resample, encode or write)."
  echo "- Peak RSS is GNU time's \"Maximum resident set size\" of the command: on Linux that is the largest peak of any single process in the tree that was waited for (the parent, the worker processes, xargs' children, the Python pool's workers), not their sum; the maximum over the rounds is shown."
  echo "- Only \`thumbnail\` and the tutorial blur (sigma 2). vipsthumbnail writes every thumbnail as JPEG (\`%s.jpg\`) with its metadata; mogrify and the tutorial keep each file's format. Outputs counts the images written (hidden files such as the tool's \`.thumbnail-state.sqlite\` are not counted); every run writes into a fresh, empty folder."
  if [[ ${#NOTES[@]} -gt 0 ]]; then
    echo
    echo "## Notes from this run"
    echo
    for n in "${NOTES[@]}"; do echo "- $n"; done
  fi
} > "$REPORT.tmp"
mv "$REPORT.tmp" "$REPORT"
cat "$REPORT"
log "wrote $REPORT"
