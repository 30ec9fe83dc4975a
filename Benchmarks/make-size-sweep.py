#!/usr/bin/env python3
"""Writes real photos at a sweep of sizes, 1x1 to 5120x2880, as JPEG (quality 92) and PNG (up to
3 megapixels), for the fidelity check.

    make-size-sweep.py OUTPUT_FOLDER    (needs Pillow and Debian's mate-backgrounds)
"""
import sys
from PIL import Image

PHOTOS = ["/usr/share/backgrounds/mate/nature/Garden.jpg", "/usr/share/backgrounds/mate/nature/LadyBird.jpg",
          "/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg", "/usr/share/backgrounds/mate/nature/Storm.jpg"]
SIZES = [(1, 1), (2, 3), (17, 9), (50, 50), (64, 48), (100, 75), (227, 149), (333, 500), (640, 480), (1000, 700),
         (1920, 1080), (2560, 1600), (5120, 2880)]

out = sys.argv[1]
for i, (w, h) in enumerate(SIZES):
    im = Image.open(PHOTOS[i % len(PHOTOS)]).convert("RGB")
    if im.size != (w, h):
        im = im.resize((w, h), Image.LANCZOS)
    im.save(f"{out}/p{w}x{h}.jpg", quality=92)
    if w * h < 3e6:
        im.save(f"{out}/q{w}x{h}.png")
