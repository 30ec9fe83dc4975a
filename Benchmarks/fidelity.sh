#!/usr/bin/env bash
# Fidelity against the reference rendering (../shared/tools/reference.py: Pillow's sizes; PSNR of
# lossless thumbnails against full-size decode, Pillow's GaussianBlur, Lanczos-3), on the
# mate-backgrounds photos plus a sweep of sizes from 1x1 to 5120x2880, for the seed's job
# (--blur 2 --size 50x50) and for --blur 0 --size 256x256.
#
#   Benchmarks/fidelity.sh [REFERENCE_PY]     (make fidelity)
set -euo pipefail
cd "$(dirname "$0")/.."
reference=${1:-../shared/tools/reference.py}
bin=${THUMBNAIL_BIN:-.build/release/thumbnail}
scratch=Benchmarks/scratch/fidelity
[ -d /usr/share/backgrounds/mate ] || { apt-get update -qq && apt-get install -y -qq mate-backgrounds; }
python3 -c "import PIL, numpy" 2>/dev/null || pip install -q Pillow numpy
rm -rf "$scratch/src" "$scratch/t50" "$scratch/t256"
mkdir -p "$scratch/src"
cp /usr/share/backgrounds/mate/*/* "$scratch/src/"
python3 Benchmarks/make-size-sweep.py "$scratch/src"
"$bin" "$scratch/src" --out "$scratch/t50" --format png -q
"$bin" "$scratch/src" --out "$scratch/t256" --format png --blur 0 --size 256x256 -q
echo "--blur 2 --size 50x50:"
python3 "$reference" "$scratch/src" "$scratch/t50" --blur 2 --size 50x50 --cache "$scratch/cache"
echo "--blur 0 --size 256x256:"
python3 "$reference" "$scratch/src" "$scratch/t256" --blur 0 --size 256x256 --cache "$scratch/cache"
