#!/usr/bin/env python3
"""Regenerates the Pillow-made expectations the Swift tests compare against.

    python3 Tests/Fixtures/make-expectations.py    (needs Pillow and numpy)

Writes Tests/Fixtures/expected/*.json: Pillow's Image.thumbnail sizes over a sweep, Pillow's
GaussianBlur of an impulse, and Pillow's decode of every fixture PNG (channel means and sample
pixels, in the channel layout thumbnail decodes to).
"""
import json, os, random
import numpy as np
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "expected")
os.makedirs(OUT, exist_ok=True)

def sizes():
    rnd = random.Random(20261124)
    dims = [1, 2, 3, 7, 49, 50, 51, 99, 100, 101, 149, 227, 333, 640, 1000, 1023, 1920, 2560, 2880, 5120]
    boxes = [(50, 50), (1, 1), (64, 48), (100, 30), (256, 256), (200, 9999), (9999, 120), (1024, 1024), (33, 77)]
    cases = set()
    for w in dims:
        for h in dims:
            for b in boxes:
                if rnd.random() < 0.35:
                    cases.add((w, h) + b)
    for _ in range(300):
        cases.add((rnd.randint(1, 6000), rnd.randint(1, 6000), rnd.randint(1, 700), rnd.randint(1, 700)))
    rows = []
    for w, h, bw, bh in sorted(cases):
        im = Image.new("1", (w, h))
        # thumbnail() only needs the size; a '1' image keeps the resampling cheap.
        im.thumbnail((bw, bh), Image.NEAREST)
        rows.append([w, h, bw, bh, im.size[0], im.size[1]])
    return rows

def blur():
    out = []
    for sigma in (0.5, 2.0, 5.0):
        a = np.zeros((41, 41), np.uint8)
        a[20, 20] = 255
        b = np.asarray(Image.fromarray(a, "L").filter(ImageFilter.GaussianBlur(sigma)))
        out.append({"sigma": sigma, "size": 41, "row": b[20].tolist(), "column": b[:, 20].tolist()})
    return out

def ihdr(path):
    with open(path, "rb") as f:
        head = f.read(33)
    return head[24], head[25], head[28]  # bit depth, colour type, interlace

def expected_pixels(im, path):
    """Pillow's decode in thumbnail's layout, decided by the file's own IHDR (Pillow's modes do
    not always say it: it opens 16-bit gray+alpha as RGBA): gray stays gray, palettes become
    RGB(A), tRNS becomes alpha, 16-bit samples are rounded to 8 bits."""
    depth, ctype, _ = ihdr(path)
    trns = im.info.get("transparency")
    if ctype in (0, 4):  # gray, gray+alpha
        if im.mode in ("I;16", "I;16B", "I"):
            raw = np.asarray(im).astype(np.int64)
            g = np.floor(raw * 255 / 65535 + 0.5).astype(np.uint8)
        else:
            g = np.asarray(im.convert("L"))
            raw = None
        if ctype == 4:
            if im.mode == "LA":
                return np.asarray(im), 2
            rgba = np.asarray(im.convert("RGBA"))
            return np.dstack([rgba[..., 0], rgba[..., 3]]), 2
        if trns is not None:
            # Pillow keeps the tRNS value unscaled while it scales low-depth samples to 0-255,
            # so compare in the file's own sample scale.
            if raw is not None:
                alpha = np.where(raw == trns, 0, 255)
            else:
                # (For 1-bit files Pillow has already scaled it.)
                scale = 1 if depth in (1, 8) else 255 // ((1 << depth) - 1)
                alpha = np.where(g.astype(np.int64) == trns * scale, 0, 255)
            return np.dstack([g, alpha.astype(np.uint8)]), 2
        return g[..., None], 1
    if ctype == 3:  # palette
        if trns is not None or im.mode == "PA":
            return np.asarray(im.convert("RGBA")), 4
        return np.asarray(im.convert("RGB")), 3
    if ctype == 2:  # RGB
        if trns is not None:
            return np.asarray(im.convert("RGBA")), 4
        return np.asarray(im.convert("RGB")), 3
    return np.asarray(im.convert("RGBA")), 4

def pngs():
    rows = []
    for folder in ("pngsuite", "testpngs"):
        for name in sorted(os.listdir(os.path.join(HERE, folder))):
            if not name.endswith(".png"):
                continue
            path = os.path.join(HERE, folder, name)
            im = Image.open(path)
            im.load()
            px, channels = expected_pixels(im, path)
            if px.ndim == 2:
                px = px[..., None]
            h, w = px.shape[:2]
            rnd = random.Random(name)
            samples = []
            for _ in range(16):
                x, y = rnd.randrange(w), rnd.randrange(h)
                samples.append([x, y] + px[y, x].tolist())
            rows.append({"file": f"{folder}/{name}", "width": w, "height": h, "channels": channels,
                         "pillowMode": im.mode, "interlaced": ihdr(path)[2] == 1, "means": px.reshape(-1, channels).mean(axis=0).tolist(),
                         "samples": samples})
    return rows

for name, data in (("pillow-thumbnail-sizes", sizes()), ("pillow-gaussian-blur", blur()), ("pillow-png-decodes", pngs())):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print(name, len(data))
