#!/bin/sh
# PNG encoder candidates on real thumbnails: encode time and bytes (Benchmarks/png-encode.md).
# usage: Benchmarks/png-encode.sh > table.md   (run from the repo root; needs mate-backgrounds,
# python3-pil, libpng-dev, libdeflate-dev; the raw TSV is kept in Benchmarks/scratch/png-encode.tsv)
set -eu
M=/usr/share/backgrounds/mate
S=Benchmarks/scratch/png-encode
mkdir -p "$S/in" Benchmarks/build
# Photos (mate-backgrounds) and graphics: wallpapers, a GUI screenshot, a plot, an icon with alpha.
/usr/bin/python3 Benchmarks/png-encode-thumbnails.py "$S/in" \
  $M/nature/Aqua.jpg $M/nature/Blinds.jpg $M/nature/Dune.jpg $M/nature/FreshFlower.jpg $M/nature/Garden.jpg \
  $M/nature/GreenMeadow.jpg $M/nature/LadyBird.jpg $M/nature/RainDrops.jpg $M/nature/Storm.jpg \
  $M/nature/YellowFlower.jpg $M/desktop/Float-into-MATE.png $M/desktop/MATE-Stripes-Dark.png \
  $M/abstract/Arc-Colors-Transparent-Wallpaper.png /usr/share/doc/valgrind/html/images/kcachegrind_xtree.png \
  /usr/share/doc/nodejs/contributing/doc_img/compare-boxplot.png /usr/share/icons/Adwaita/512x512/devices/camera-web.png
# The compiler (Swift's clang) and -O2 of the package's C targets.
"${CC:-clang}" -O2 -ISources/CPNGWriter/include Benchmarks/png-encode-bench.c Sources/CPNGWriter/PNGWriter.c \
  -lpng -ldeflate -o Benchmarks/build/png-encode-bench
Benchmarks/build/png-encode-bench "$S"/in/*.raw > Benchmarks/scratch/png-encode.tsv
/usr/bin/python3 Benchmarks/png-encode-table.py < Benchmarks/scratch/png-encode.tsv
