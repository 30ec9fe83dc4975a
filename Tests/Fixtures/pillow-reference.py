#!/usr/bin/python3
"""Scores thumbnails against Pillow's reference rendering of their sources, as
../shared/tools/reference.py does, for the tests (which run it with Debian's /usr/bin/python3).

    pillow-reference.py WxH SIGMA SOURCE THUMB [SOURCE THUMB ...]

For each pair prints one line: `PSNR WIDTH HEIGHT PILLOW_WIDTH PILLOW_HEIGHT`. PSNR (dB) is of the
thumbnail against the reference: full-size decode (the first frame), the EXIF orientation applied
(ImageOps.exif_transpose, as the tool applies it), Gaussian blur SIGMA (Pillow's GaussianBlur),
Lanczos-3 straight to the thumbnail's size, both composited over mid-grey when they have alpha.
PILLOW_WIDTH x PILLOW_HEIGHT is what Image.thumbnail((W, H)) gives for the upright source.
"""
import math, sys
import numpy as np
from PIL import Image, ImageFilter, ImageOps

def flatten(im):
    im = im.convert("RGBA")
    grey = Image.new("RGBA", im.size, (128, 128, 128, 255))
    return np.asarray(Image.alpha_composite(grey, im).convert("RGB"), dtype=np.float64)

def main():
    bw, bh = (int(v) for v in sys.argv[1].lower().split("x"))
    sigma = float(sys.argv[2])
    pairs = sys.argv[3:]
    for source, thumb in zip(pairs[0::2], pairs[1::2]):
        im = ImageOps.exif_transpose(Image.open(source))
        im.load()
        probe = im.copy()
        probe.thumbnail((bw, bh))
        has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
        got = Image.open(thumb)
        got.load()
        if sigma > 0:
            im = im.filter(ImageFilter.GaussianBlur(sigma))
        reference = flatten(im.resize(got.size, Image.LANCZOS))
        d = flatten(got) - reference
        mse = float((d * d).mean())
        psnr = 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)
        print(f"{psnr:.2f} {got.size[0]} {got.size[1]} {probe.size[0]} {probe.size[1]}")

if __name__ == "__main__":
    main()
