#!/usr/bin/python3
"""Reference for HEIF/AVIF colour signalled by nclx (ITU-T H.273 code points), independent of
Little CMS: an image's RGB read in the given primaries and transfer, converted to sRGB with numpy.

    nclx_to_srgb.py SOURCE PRIMARIES TRANSFER OUT.png

The samples are decoded with the transfer's curve to linear light, taken through the primaries'
RGB->XYZ matrix (white adapted to D65 by Bradford when the primaries' white is another: relative
colorimetric, what Little CMS does for a matrix profile under the perceptual intent), then sRGB's
XYZ->RGB matrix, clipped to the sRGB gamut and encoded with the sRGB curve. Alpha, if any, is kept.
"""
import sys
import numpy as np
from PIL import Image

D65 = (0.3127, 0.3290)
C = (0.310, 0.316)
# H.273 table 2: red, green, blue, white (x, y).
PRIMARIES = {
    1: ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060), D65),
    4: ((0.67, 0.33), (0.21, 0.71), (0.14, 0.08), C),
    5: ((0.64, 0.33), (0.29, 0.60), (0.15, 0.06), D65),
    6: ((0.630, 0.340), (0.310, 0.595), (0.155, 0.070), D65),
    9: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046), D65),
    11: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.314, 0.351)),
    12: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), D65),
}
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def xyz(xy):
    return np.array([xy[0] / xy[1], 1.0, (1 - xy[0] - xy[1]) / xy[1]])


def rgb_to_xyz(code):
    red, green, blue, white = PRIMARIES[code]
    m = np.stack([xyz(red), xyz(green), xyz(blue)], axis=1)
    return m * np.linalg.solve(m, xyz(white))


def adapt(white):
    """Bradford from `white` to D65."""
    source, target = BRADFORD @ xyz(white), BRADFORD @ xyz(D65)
    return np.linalg.inv(BRADFORD) @ np.diag(target / source) @ BRADFORD


def srgb_decode(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(v):
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(v, 1 / 2.4) - 0.055)


# H.273 table 3, as the tool renders them: the BT.709 family as sRGB (as browsers show them).
CURVES = {13: srgb_decode, 1: srgb_decode, 6: srgb_decode, 14: srgb_decode, 15: srgb_decode,
          4: lambda v: v ** 2.2, 5: lambda v: v ** 2.8, 8: lambda v: v}


def main():
    source, primaries, transfer, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    im = Image.open(source)
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
    rgb = np.asarray(im.convert("RGB"), dtype=np.float64) / 255
    linear = CURVES[transfer](rgb)
    matrix = np.linalg.inv(rgb_to_xyz(1)) @ adapt(PRIMARIES[primaries][3]) @ rgb_to_xyz(primaries)
    srgb = srgb_encode(np.clip(linear @ matrix.T, 0, 1))
    result = Image.fromarray(np.rint(srgb * 255).astype(np.uint8), "RGB")
    if alpha is not None:
        result.putalpha(alpha)
    result.save(out)


if __name__ == "__main__":
    main()
