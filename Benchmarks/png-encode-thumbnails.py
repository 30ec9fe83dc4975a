#!/usr/bin/python3
"""Makes the inputs of Benchmarks/png-encode.sh: real thumbnails as raw pixels.

usage: png-encode-thumbnails.py OUT_DIR SOURCE...

Each source (photo or graphic) is reduced with Pillow's LANCZOS to fit 50x50, 256x256 and 512x512
(aspect kept, as the tool's thumbnails), as RGB and as RGBA, and written as OUT_DIR/NAME.raw: a text
line "WIDTH HEIGHT CHANNELS KIND" then the pixels. RGBA of a source without alpha gets a smooth
radial alpha (opaque centre fading to transparent corners, deterministic), like a cut-out photo;
a source with alpha keeps its own. KIND is "photo" for JPEG sources, "graphic" for PNG ones.
"""
import os
import sys

from PIL import Image

out_dir, sources = sys.argv[1], sys.argv[2:]
os.makedirs(out_dir, exist_ok=True)
for source in sources:
    kind = "photo" if source.lower().endswith((".jpg", ".jpeg")) else "graphic"
    image = Image.open(source)
    image.load()
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    base = image.convert("RGBA" if has_alpha else "RGB")
    stem = os.path.splitext(os.path.basename(source))[0]
    for box in (50, 256, 512):
        thumb = base.copy()
        thumb.thumbnail((box, box), Image.LANCZOS)
        for mode in ("RGB", "RGBA"):
            pixels = thumb.convert(mode)
            if mode == "RGBA" and not has_alpha:
                w, h = pixels.size
                mask = Image.radial_gradient("L").resize((w, h), Image.BILINEAR)
                pixels.putalpha(mask.point(lambda v: max(0, min(255, 400 - 2 * v))))
            name = f"{stem}-{box}-{mode.lower()}.raw"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(f"{pixels.width} {pixels.height} {len(mode)} {kind}\n".encode())
                f.write(pixels.tobytes())
