#!/bin/sh
# Makes the HEIC and AVIF fixtures of this folder from the shared corpus's photos with Debian
# bookworm's heif-enc (libheif-examples 1.15.1), avifenc (libavif-bin 0.11.1, aom) and Pillow.
# The pillow-heif-*.hei[cf] files are copied from pillow-heif 1.8.1's sdist (tests/images).
set -eu
CORPUS=${CORPUS:-/work/shared/corpus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 - "$CORPUS" "$T" <<'PY'
import sys
from PIL import Image, ImageDraw
corpus, t = sys.argv[1], sys.argv[2]
land = Image.open(corpus + "/exif-orientation/Landscape_1.jpg").convert("RGB").resize((640, 426), Image.LANCZOS)
land.save(t + "/landscape.png")
land.crop((0, 0, 640, 424)).save(t + "/landscape-even.png")
portrait = Image.open(corpus + "/exif-orientation/Portrait_1.jpg").convert("RGB").resize((300, 450), Image.LANCZOS)
portrait.save(t + "/portrait.png")
portrait.save(t + "/portrait.ppm")
# A soft-edged ellipse of opaque photo on transparent, with a half-transparent band.
alpha = Image.new("L", (400, 266), 0)
d = ImageDraw.Draw(alpha)
d.ellipse((20, 20, 380, 246), fill=255)
d.rectangle((0, 120, 400, 150), fill=128)
small = land.resize((400, 266), Image.LANCZOS)
small.putalpha(alpha)
small.save(t + "/alpha.png")
PY
heif-enc -q 70 -t 96 -o landscape.heic "$T/landscape.png"
avifenc -j 1 -s 8 --min 18 --max 18 -y 420 "$T/landscape.png" landscape-avif.avif
heif-enc -q 70 -o alpha.heic "$T/alpha.png"
avifenc -j 1 -s 8 --min 18 --max 18 --minalpha 10 --maxalpha 10 -y 420 "$T/alpha.png" alpha-avif.avif
# monkey16.png is a 16-bit RGB PNG with an ICC profile: 10-bit files, profile carried.
heif-enc -q 80 -b 10 -o monkey-10bit.heic "$CORPUS/jpeg/monkey16.png"
avifenc -j 1 -s 8 --min 12 --max 12 -d 10 -y 444 "$CORPUS/jpeg/monkey16.png" monkey-10bit-avif.avif
# irot 1 (90 degrees anticlockwise) and imir 1 (left-right mirror): stored sideways and mirrored.
avifenc -j 1 -s 8 --min 18 --max 18 -y 420 --irot 1 --imir 1 "$T/portrait.png" portrait-irot-imir.avif
# HEIC with irot 3 (EXIF orientation 6) and with irot 3 + imir 1 (orientation 5): heif-enc 1.15
# cannot write them, libheif can (heif-orient.c).
cc -O2 -o "$T/heif-orient" heif-orient.c $(pkg-config --cflags --libs libheif)
"$T/heif-orient" "$T/portrait.ppm" 6 70 portrait-irot.heic
"$T/heif-orient" "$T/portrait.ppm" 5 70 portrait-irot3-imir.heic
# A clean-aperture crop (clap) of 400x300 at (40, 20), which libavif does not apply.
avifenc -j 1 -s 8 --min 18 --max 18 -y 420 --crop 40,20,400,300 "$T/landscape.png" landscape-clap-avif.avif
# A 2x2 grid of 320x212 tiles.
avifenc -j 1 -s 8 --min 18 --max 18 -y 420 -g 2x2 "$T/landscape-even.png" grid-2x2.avif
# A smooth 5120x2880 picture (gradients and a white disc), 4:2:0, for the memory test: 15 KB.
/usr/bin/python3 - "$T" <<'PY'
import sys
import numpy as np
from PIL import Image, ImageDraw
w, h = 5120, 2880
x = np.linspace(0, 255, w)[None, :].repeat(h, 0)
y = np.linspace(0, 255, h)[:, None].repeat(w, 1)
im = Image.fromarray(np.stack([x, y, 255 - x / 2 - y / 2], -1).astype(np.uint8), "RGB")
ImageDraw.Draw(im).ellipse((1560, 440, 3560, 2440), fill=(255, 255, 255))
im.save(sys.argv[1] + "/huge.png")
im.save(sys.argv[1] + "/huge.ppm")
PY
avifenc -j 2 -s 9 --min 40 --max 40 -y 420 "$T/huge.png" ../huge-5120x2880.avif
heif-enc -q 30 -o ../huge-5120x2880.heic "$T/huge.png"
# The same stored with irot 3 (orientation 6): turning it must not cost a second frame.
"$T/heif-orient" "$T/huge.ppm" 6 30 ../huge-5120x2880-irot.heic
