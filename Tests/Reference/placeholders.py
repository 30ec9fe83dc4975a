#!/usr/bin/python3
"""Independent check of `thumbnail --placeholder` output, for the end-to-end tests.

Reads `--json` records on stdin; for each ok record, decodes its placeholders with decoders that
share no code with the tool (BlurHash: the `blurhash` package from PyPI; ThumbHash: the decoder
below, written from Evan Wallace's specification; LQIP: Pillow) and compares each with the
thumbnail reduced to the placeholder's own resolution. Prints one JSON object per record:
{"output", "thumbhash": [psnr, flat_psnr], "blurhash": [...], "lqip": [...], "lqip_bytes", "color"},
where flat_psnr is the PSNR of the thumbnail's own mean colour, the flat picture to beat.
"""
import base64, io, json, math, sys

import blurhash
import numpy as np
from PIL import Image


def thumbhash_to_rgba(hash_bytes):
    """ThumbHash decoder from the specification (https://evanw.github.io/thumbhash/)."""
    h = list(hash_bytes)
    header24 = h[0] | (h[1] << 8) | (h[2] << 16)
    header16 = h[3] | (h[4] << 8)
    l_dc = (header24 & 63) / 63
    p_dc = ((header24 >> 6) & 63) / 31.5 - 1
    q_dc = ((header24 >> 12) & 63) / 31.5 - 1
    l_scale = ((header24 >> 18) & 31) / 31
    has_alpha = header24 >> 23
    p_scale = ((header16 >> 3) & 63) / 63
    q_scale = ((header16 >> 9) & 63) / 63
    is_landscape = header16 >> 15
    lx = max(3, (5 if has_alpha else 7) if is_landscape else header16 & 7)
    ly = max(3, header16 & 7 if is_landscape else (5 if has_alpha else 7))
    a_dc = (h[5] & 15) / 15 if has_alpha else 1
    a_scale = (h[5] >> 4) / 15
    ac_start = 6 if has_alpha else 5
    index = [0]

    def channel(nx, ny, scale):
        ac = []
        for cy in range(ny):
            cx = 0 if cy else 1
            while cx * ny < nx * (ny - cy):
                i = index[0]
                nibble = (h[ac_start + (i >> 1)] >> ((i & 1) << 2)) & 15
                ac.append((nibble / 7.5 - 1) * scale)
                index[0] += 1
                cx += 1
        return ac

    l_ac = channel(lx, ly, l_scale)
    p_ac = channel(3, 3, p_scale * 1.25)
    q_ac = channel(3, 3, q_scale * 1.25)
    a_ac = channel(5, 5, a_scale) if has_alpha else []
    # Aspect ratio from the header's component counts (before the max(3, ...)).
    raw_lx = (5 if has_alpha else 7) if is_landscape else header16 & 7
    raw_ly = header16 & 7 if is_landscape else (5 if has_alpha else 7)
    ratio = raw_lx / raw_ly
    w = round(32 if ratio > 1 else 32 * ratio)
    hgt = round(32 / ratio if ratio > 1 else 32)
    out = np.zeros((hgt, w, 4))
    for y in range(hgt):
        for x in range(w):
            l, p, q, a = l_dc, p_dc, q_dc, a_dc
            fx = [math.cos(math.pi / w * (x + 0.5) * c) for c in range(max(lx, 5 if has_alpha else 3))]
            fy = [math.cos(math.pi / hgt * (y + 0.5) * c) for c in range(max(ly, 5 if has_alpha else 3))]
            j = 0
            for cy in range(ly):
                cx = 0 if cy else 1
                while cx * ly < lx * (ly - cy):
                    l += l_ac[j] * fx[cx] * fy[cy] * 2
                    j += 1
                    cx += 1
            j = 0
            for cy in range(3):
                for cx in range(0 if cy else 1, 3 - cy):
                    f = fx[cx] * fy[cy] * 2
                    p += p_ac[j] * f
                    q += q_ac[j] * f
                    j += 1
            if has_alpha:
                j = 0
                for cy in range(5):
                    for cx in range(0 if cy else 1, 5 - cy):
                        a += a_ac[j] * fx[cx] * fy[cy] * 2
                        j += 1
            b = l - 2 / 3 * p
            r = (3 * l - b + q) / 2
            g = r - q
            out[y, x] = [max(0, 255 * min(1, v)) for v in (r, g, b, a)]
    return out


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


def compare(rgb, thumb):
    """PSNR of a decoded placeholder (H x W x 3 floats) and of the flat mean colour against the
    thumbnail reduced to the placeholder's size."""
    hh, ww = rgb.shape[:2]
    small = np.asarray(thumb.resize((ww, hh), Image.LANCZOS), dtype=np.float64)
    flat = np.broadcast_to(small.reshape(-1, 3).mean(axis=0), small.shape)
    return [psnr(np.round(rgb), small), psnr(np.round(flat), small)]


for line in sys.stdin:
    record = json.loads(line)
    if record["status"] != "ok":
        continue
    thumb = Image.open(record["output"]).convert("RGB")
    result = {"output": record["output"], "color": record.get("color")}
    if record.get("thumbhash"):
        rgba = thumbhash_to_rgba(base64.b64decode(record["thumbhash"]))
        result["thumbhash"] = compare(rgba[:, :, :3], thumb)
    if record.get("blurhash"):
        w = 32
        hgt = max(1, round(32 * thumb.height / thumb.width))
        if thumb.height > thumb.width:
            hgt, w = 32, max(1, round(32 * thumb.width / thumb.height))
        rgb = np.array(blurhash.decode(record["blurhash"], w, hgt), dtype=np.float64)
        result["blurhash"] = compare(rgb, thumb)
    if record.get("lqip"):
        uri = record["lqip"]
        result["lqip_bytes"] = len(uri.encode())
        prefix = "data:image/png;base64,"
        assert uri.startswith(prefix), uri[:40]
        lqip = Image.open(io.BytesIO(base64.b64decode(uri[len(prefix):]))).convert("RGB")
        result["lqip"] = compare(np.asarray(lqip, dtype=np.float64), thumb)
    print(json.dumps(result))
