#!/usr/bin/env bash
# Benchmarks the incremental state: up-to-date runs over many small sources, and writes the
# figures into BENCHMARKS.md (a section of its own, replaced on each run; `make bench` runs it
# after bench.sh).
#
#   Benchmarks/state-bench.sh
#
# Makes STATE_SOURCES tiny JPEGs (different bytes each) in one folder, renders them all once
# (untimed: it fills the state), then times up-to-date runs with /usr/bin/time -v: the whole set,
# and a 1,000-source subset both against that big state and against a state of its own size
# (the cost must follow the number of sources, not the size of the state).
#
# Environment:
#   STATE_SOURCES=100000  sources in the big set
#   ROUNDS=5              timed rounds of each case (the median is reported)
#   BENCH_JOBS=2          worker processes
#   THUMBNAIL_BIN         the tool (default: .build/release/thumbnail under the repo root)
#   BENCH_REPORT          the report to put the section in (default: BENCHMARKS.md at the repo root)
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SOURCES=${STATE_SOURCES:-100000}
ROUNDS=${ROUNDS:-5}
JOBS=${BENCH_JOBS:-2}
SUBSET=1000
REPORT=${BENCH_REPORT:-$ROOT/BENCHMARKS.md}
BIN=${THUMBNAIL_BIN:-$ROOT/.build/release/thumbnail}
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
SCRATCH="$HERE/scratch/state"
PY=/usr/bin/python3 # Debian's, with Pillow

if [[ $# -gt 0 ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 64
fi
[[ "$SOURCES" =~ ^[1-9][0-9]*$ && "$SOURCES" -ge $SUBSET ]] || { echo "state-bench: STATE_SOURCES must be at least $SUBSET" >&2; exit 64; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "state-bench: ROUNDS must be a positive integer" >&2; exit 64; }
[[ -x "$BIN" ]] || { echo "state-bench: no executable $BIN (swift build -c release --product thumbnail)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "state-bench: needs GNU time (apt-get install time)" >&2; exit 1; }
log() { echo "state-bench: $*" >&2; }

# ---------------------------------------------------------------- inputs
# SOURCES tiny JPEGs, each with its own bytes (a COM segment with its number), made once.
SRC="$SCRATCH/src-$SOURCES"
if [[ ! -f "$SRC/.complete" ]]; then
  log "making $SOURCES tiny JPEGs in $SRC"
  rm -rf "$SRC"; mkdir -p "$SRC"
  "$PY" - "$SRC" "$SOURCES" <<'EOF'
import io, sys
from PIL import Image
folder, count = sys.argv[1], int(sys.argv[2])
buffer = io.BytesIO()
Image.new("RGB", (24, 16), (200, 120, 40)).save(buffer, "JPEG", quality=80)
jpeg = buffer.getvalue()
for i in range(count):
    comment = b"src %08d" % i
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    with open("%s/f%06d.jpg" % (folder, i), "wb") as f:
        f.write(jpeg[:2] + segment + jpeg[2:])
EOF
  touch "$SRC/.complete"
fi
# The subset: the first SUBSET files, named one by one (outputs and settings as in the whole run).
SUBLIST="$SCRATCH/subset.list"
ls "$SRC" | awk -v n=$SUBSET -v dir="$SRC" 'NR <= n { print dir "/" $0 }' > "$SUBLIST"
mapfile -t SUBSET_FILES < "$SUBLIST"

BIG_OUT="$SCRATCH/out-big"   # state of all SOURCES
SMALL_OUT="$SCRATCH/out-small" # state of the SUBSET only
run_tool() { # OUT ARGS...: one run, stdout discarded
  local out=$1; shift
  "$BIN" --jobs "$JOBS" --size 16x16 --out "$out" "$@" > /dev/null
}
log "first (full) run of $SOURCES sources: fills the state, untimed"
rm -rf "$BIG_OUT" "$SMALL_OUT"
t0=$EPOCHREALTIME
run_tool "$BIG_OUT" "$SRC" 2> "$SCRATCH/full.err"
FULL_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
run_tool "$SMALL_OUT" "${SUBSET_FILES[@]}" 2> "$SCRATCH/small-full.err"
STATE_BYTES=$(cat "$BIG_OUT"/.thumbnail-state* 2>/dev/null | wc -c)

# ---------------------------------------------------------------- measuring
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A TIMES RSS CPU SUMMARY
# measure KEY OUT ARGS...: one up-to-date run under /usr/bin/time -v; wall seconds and peak KiB.
measure() {
  local key=$1 out=$2; shift 2
  /usr/bin/time -v -o "$SCRATCH/rusage" "$BIN" --jobs "$JOBS" --size 16x16 --out "$out" "$@" \
    > /dev/null 2> "$SCRATCH/$key.err"
  local wall kb
  wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$SCRATCH/rusage" \
    | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s}')
  kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$SCRATCH/rusage")
  # CPU time too: on a machine shared with other work, wall time waits for a core.
  CPU[$key]+="$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$SCRATCH/rusage") "
  TIMES[$key]+="$wall "
  RSS[$key]+="$kb "
  SUMMARY[$key]=$(tail -1 "$SCRATCH/$key.err")
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
maxmib() { tr ' ' '\n' | grep . | sort -g | tail -1 | awk '{printf "%.0f", $1/1024}'; }

for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  measure big "$BIG_OUT" "$SRC"
  measure subset-bigstate "$BIG_OUT" "${SUBSET_FILES[@]}"
  measure subset-smallstate "$SMALL_OUT" "${SUBSET_FILES[@]}"
done

# ---------------------------------------------------------------- report
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
SECTION="$SCRATCH/section.md"
{
  echo "<!-- state-bench: begin -->"
  echo "## Incremental state: up-to-date runs"
  echo
  echo "\`Benchmarks/state-bench.sh\` at $REV, $(date -u '+%Y-%m-%d %H:%M UTC'), $CPU, $(nproc) cores, --jobs $JOBS, $ROUNDS rounds."
  echo "$SOURCES tiny JPEGs (24x16, each with its own bytes) in one folder, --size 16x16; the first run"
  echo "rendered them all in $FULL_SECONDS s and left $(awk -v b="$STATE_BYTES" 'BEGIN {printf "%.1f", b / 1048576}') MB of state. Every timed run finds everything up to date."
  echo
  echo "| Run | Sources | Records in the state | Wall (median) | CPU user+sys (median) | Peak RSS (max) | Summary line |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
  row() { # KEY LABEL SOURCES RECORDS
    echo "| $2 | $3 | $4 | $(median <<< "${TIMES[$1]}") s | $(median <<< "${CPU[$1]}") s | $(maxmib <<< "${RSS[$1]}") MiB | ${SUMMARY[$1]} |"
  }
  row big "whole set" "$SOURCES" "$SOURCES"
  row subset-bigstate "subset, big state" "$SUBSET" "$SOURCES"
  row subset-smallstate "subset, own state" "$SUBSET" "$SUBSET"
  echo
  ratio() { # KEY_A KEY_B ARRAY: median of A over median of B
    local -n values=$3
    awk -v a="$(median <<< "${values[$1]}")" -v b="$(median <<< "${values[$2]}")" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'
  }
  echo "Subset against the big state / against its own: $(ratio subset-bigstate subset-smallstate TIMES) (wall), $(ratio subset-bigstate subset-smallstate CPU) (CPU); 1.00 means the cost follows the sources only."
  echo
  echo "Load average before the timed runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores: above 2, wall times include waiting for a core)."
  echo
  echo "Targets (issue 13): the whole set under 2 s with a peak under 100 MB; the subset as fast against"
  echo "the big state as against its own. Commands: \`thumbnail --jobs $JOBS --size 16x16 --out OUT SRC\`"
  echo "(whole set) and the same with the subset's $SUBSET file paths instead of SRC, each under"
  echo "\`/usr/bin/time -v\` (wall clock and \"Maximum resident set size\": the parent's peak, as an"
  echo "up-to-date run starts no worker)."
  echo "<!-- state-bench: end -->"
} > "$SECTION"
cat "$SECTION"

# Put the section into the report in place of an earlier one, or at its end.
touch "$REPORT"
awk -v section="$SECTION" '
  /<!-- state-bench: begin -->/ { skipping = 1; while ((getline line < section) > 0) print line; done = 1; next }
  /<!-- state-bench: end -->/ { skipping = 0; next }
  !skipping { print }
  END { if (!done) { print ""; while ((getline line < section) > 0) print line } }
' "$REPORT" > "$REPORT.tmp"
mv "$REPORT.tmp" "$REPORT"
log "wrote the state section of $REPORT"
