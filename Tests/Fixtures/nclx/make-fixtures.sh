#!/bin/sh
# Makes the nclx (CICP) fixtures of this folder with Debian bookworm's Pillow, avifenc (libavif-bin
# 0.11.1, aom) and libheif 1.15.1 (through heif-nclx.c: heif-enc 1.15.1 writes no nclx box into a
# HEIC). Needs mate-backgrounds. The source photo is cropped and scaled first; its pixels are then
# stored as they are and only labelled with other primaries, so a viewer that honours the label
# shows them more saturated, and the reference (Tests/Reference/nclx_to_srgb.py) is the PNG's
# pixels read in those primaries and converted to sRGB.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 - "$T" <<'PY'
import sys
from PIL import Image
im = Image.open("/usr/share/backgrounds/mate/nature/LadyBird.jpg").convert("RGB")
im = im.crop((320, 0, 2560, 1400)).resize((192, 120), Image.LANCZOS)
im.save("ladybird.png", optimize=True)
im.save(sys.argv[1] + "/ladybird.ppm")
PY
A="avifenc -j 1 -s 6 --min 10 --max 10 -y 420"
$A --cicp 12/13/6 -r full ladybird.png ladybird-p3.avif
$A --cicp 9/13/9 -r limited ladybird.png ladybird-bt2020.avif
$A --cicp 1/13/6 -r full ladybird.png ladybird-srgb.avif
cc -O2 -o "$T/heif-nclx" heif-nclx.c $(pkg-config --cflags --libs libheif)
"$T/heif-nclx" "$T/ladybird.ppm" 12 13 6 1 90 ladybird-p3-hevc.heic
"$T/heif-nclx" "$T/ladybird.ppm" 9 13 9 0 90 ladybird-bt2020-hevc.heic
