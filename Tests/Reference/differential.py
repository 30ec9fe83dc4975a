#!/usr/bin/python3
"""Differential check: every thumbnail the tool reported ok must look like the reference rendering.

    differential.py RECORDS [--size 50x50] [--blur 2] [--min-psnr 30] [--icc convert|keep|strip]

RECORDS is the tool's --json output (one record a line; paths relative to the current folder).
For each "ok" record, the source is decoded by Pillow at full size (EXIF orientation applied to
JPEGs and WebPs, as the tool does), blurred (Pillow's GaussianBlur, sigma in source pixels) and resized with
Lanczos straight to the thumbnail's size, in premultiplied alpha; both are composited over
mid-grey and compared by PSNR. A source Pillow cannot decode counts as "reference failed": there
is nothing to compare, and the tool rendering it is not an error. Pillow's own conversions are
avoided where they are known to be wrong: 16-bit gray is scaled (Pillow clips it), CMYK is turned
into RGB multiplicatively (as libjpeg's djpeg and ImageMagick do).
With --icc convert (the tool's default), a source's embedded ICC profile is applied first: its
pixels converted to sRGB by Little CMS through Pillow's ImageCms (perceptual intent, ImageCms's
default; gray through the gray profile to sRGB), CMYK through a CMYK profile instead of the
multiplicative formula. A profile Little CMS refuses leaves the pixels unconverted, as the tool does.
Prints one JSON object a line for every mismatch and a summary line; exits 1 on any mismatch.
"""
import argparse, io, json, math, subprocess, sys, zlib
import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageFilter, ImageOps

Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False
# --icc: whether references convert embedded profiles to sRGB (set by main).
CONVERT_ICC = True
SRGB = ImageCms.createProfile("sRGB")
GRAY_MODES = ("L", "LA", "La", "1", "I", "I;16", "I;16B", "I;16L")


def icc_source(im, space):
    """The image's embedded profile when converting, it is of colour space `space` ("RGB ",
    "GRAY", "CMYK") and Little CMS reads it; else None."""
    icc = im.info.get("icc_profile")
    if not CONVERT_ICC or not icc or len(icc) < 20 or icc[16:20] != space.encode():
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception:
        return None


def to_srgb(decoded, im):
    """`im` (RGB or RGBA, decoded from `decoded`) with `decoded`'s RGB or gray profile applied,
    as the tool's --icc convert does; unchanged when there is none or Little CMS refuses it."""
    gray = decoded.mode in GRAY_MODES
    profile = icc_source(decoded, "GRAY" if gray else "RGB ")
    if profile is None:
        return im
    try:
        if gray:
            # The gray samples (R = G = B here) through the gray profile to sRGB.
            rgb = ImageCms.profileToProfile(im.getchannel(0), profile, SRGB, outputMode="RGB")
        else:
            rgb = ImageCms.profileToProfile(im.convert("RGB"), profile, SRGB, outputMode="RGB")
    except Exception:
        return im
    if im.mode == "RGBA":
        rgb.putalpha(im.getchannel("A"))
    return rgb


def as_rgba_or_rgb(im):
    """The decoded image as 8-bit RGB or RGBA, its ICC profile applied when converting."""
    return to_srgb(im, decoded_rgba_or_rgb(im))


def decoded_rgba_or_rgb(im):
    """The decoded image as 8-bit RGB or RGBA."""
    if im.format in ("JPEG", "WEBP"):
        # The tool applies the EXIF orientation of the formats that carry one.
        im = ImageOps.exif_transpose(im)
    if im.format == "GIF":
        return gif_on_screen(im)
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im).astype(np.float64)
        # Pillow opens 16-bit gray PNGs as I or I;16: samples 0...65535, scaled as libpng does.
        gray = Image.fromarray(np.clip(np.rint(arr / 257.0), 0, 255).astype(np.uint8), "L")
        if "transparency" in im.info:
            # libpng's tRNS for 16-bit gray: the pixels of exactly that sample value are transparent.
            alpha = np.where(arr == im.info["transparency"], 0, 255).astype(np.uint8)
            return Image.merge("RGBA", [gray, gray, gray, Image.fromarray(alpha, "L")])
        return gray.convert("RGB")
    if mode == "CMYK":
        profile = icc_source(im, "CMYK")
        if profile is not None:
            try:
                return ImageCms.profileToProfile(im, profile, SRGB, outputMode="RGB")
            except Exception:
                pass
        c = np.asarray(im).astype(np.float64)
        k = 255 - c[..., 3:4]
        rgb = np.rint((255 - c[..., :3]) * k / 255)
        return Image.fromarray(rgb.astype(np.uint8), "RGB")
    if mode in ("L", "1", "P") and im.format == "PNG" and "transparency" in im.info and png_bit_depth(im) < 8:
        # Pillow compares a low-bit-depth gray tRNS key with samples already scaled to 8 bits
        # (and so misses them); libpng compares the key with the stored samples.
        if mode != "P":
            bits = png_bit_depth(im)
            arr = np.asarray(im.convert("L"))
            # libpng keeps only the key's low bits (an out-of-range key, 255 in a 1-bit file, is 1).
            key = (png_gray_key(im) & ((1 << bits) - 1)) * (255 // ((1 << bits) - 1))
            alpha = np.where(arr == key, 0, 255).astype(np.uint8)
            gray = Image.fromarray(arr, "L")
            return Image.merge("RGBA", [gray, gray, gray, Image.fromarray(alpha, "L")])
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode in ("P", "L", "RGB", "1") and "transparency" in im.info)
    return im.convert("RGBA" if has_alpha else "RGB")


def png_bytes(im):
    """The PNG bytes Pillow decoded (the file's, or those lenient_png kept)."""
    if getattr(im, "fp_bytes", None) is not None:
        return im.fp_bytes
    with open(im.filename, "rb") as f:
        return f.read()


def gif_on_screen(im):
    """A GIF's first frame on its logical screen as viewers (and the tool) show it: the screen
    outside the frame transparent. Pillow paints it with palette entry 0 when the frame has no
    transparent index."""
    has_alpha = "transparency" in im.info
    x0, y0, x1, y1 = im.dispose_extent
    if has_alpha or (x0, y0, x1, y1) == (0, 0) + im.size:
        return im.convert("RGBA" if has_alpha else "RGB")
    rgba = im.convert("RGBA")
    alpha = np.zeros((im.size[1], im.size[0]), np.uint8)
    alpha[y0:y1, x0:x1] = 255
    rgba.putalpha(Image.fromarray(alpha, "L"))
    return rgba


def png_bit_depth(im):
    """The bit depth in the PNG's IHDR (byte 24 of the file)."""
    return png_bytes(im)[24]


class ReferenceFailed(Exception):
    """Pillow could not decode the source."""


def png_gray_key(im):
    """The gray sample value a PNG's tRNS chunk makes transparent, as stored (Pillow rescales it
    for some modes and not others)."""
    data = png_bytes(im)
    at = data.find(b"tRNS")
    return int.from_bytes(data[at + 4:at + 6], "big")


def djpeg(path):
    """libjpeg-turbo's djpeg at full size (it renders through warnings, exit 2), or None."""
    run = subprocess.run(["djpeg", "-pnm", path], capture_output=True)
    if run.returncode not in (0, 2) or not run.stdout:
        return None
    try:
        im = Image.open(io.BytesIO(run.stdout))
        im.load()
        return im
    except Exception:
        return None


def lenient_png(path):
    """The PNG as libpng reads it when an ancillary chunk is damaged: libpng warns, drops that
    chunk and reads on, where Pillow refuses the file. Drops those chunks (a damaged critical
    chunk fails libpng too: None), then decodes with Pillow."""
    with open(path, "rb") as f:
        data = f.read()
    out, at = bytearray(data[:8]), 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunk = data[at:at + 12 + length]
        if len(chunk) < 12 + length:
            return None
        kind = chunk[4:8]
        good = zlib.crc32(chunk[4:8 + length]) == int.from_bytes(chunk[8 + length:], "big")
        if good:
            out += chunk
        elif kind[0] & 0x20 == 0:
            return None
        at += 12 + length
        if kind == b"IEND":
            break
    try:
        im = Image.open(io.BytesIO(bytes(out)))
        im.load()
        im.filename = path
        im.fp_bytes = bytes(out)
        return as_rgba_or_rgb(im)
    except Exception:
        return None


def reference(path, size, sigma):
    try:
        im = Image.open(path)
        im.load()
        im.filename = path
        im = as_rgba_or_rgb(im)
    except Exception as e:
        # Pillow's JPEG plugin refuses some files libjpeg decodes (stray bytes before the first
        # marker, a file cut short): djpeg is the other reference decoder.
        with open(path, "rb") as f:
            is_jpeg = f.read(3) == b"\xff\xd8\xff"
        im = djpeg(path) if is_jpeg else lenient_png(path)
        if im is None:
            raise ReferenceFailed(str(e))
        if is_jpeg:
            im = im.convert("RGB")
    premultiplied = im.mode == "RGBA"
    if premultiplied:
        im = im.convert("RGBa")
    if sigma > 0:
        im = im.filter(ImageFilter.GaussianBlur(sigma))
    im = im.resize(size, Image.LANCZOS)
    if premultiplied:
        im = im.convert("RGBA")
    return flatten(im)


def flatten(im):
    im = im.convert("RGBA")
    bg = Image.new("RGBA", im.size, (128, 128, 128, 255))
    return np.asarray(Image.alpha_composite(bg, im).convert("RGB"), dtype=np.float64)


def psnr(a, b):
    d = a - b
    m = float((d * d).mean())
    return 99.0 if m == 0 else 10 * math.log10(255 * 255 / m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records")
    ap.add_argument("--blur", type=float, default=2.0)
    ap.add_argument("--min-psnr", type=float, default=30.0)
    ap.add_argument("--icc", choices=["convert", "keep", "strip"], default="convert")
    a = ap.parse_args()
    global CONVERT_ICC
    CONVERT_ICC = a.icc == "convert"
    counts = {"match": 0, "mismatch": 0, "reference failed": 0, "tool failed": 0}
    scores = []
    with open(a.records, "rb") as f:
        lines = [json.loads(line) for line in f.read().split(b"\n") if line.strip()]
    for record in lines:
        if record["status"] == "failed":
            counts["tool failed"] += 1
            continue
        if record["status"] != "ok":
            continue
        source, output = record["input"], record["output"]
        try:
            ours = Image.open(output)
            ours.load()
        except Exception as e:
            counts["mismatch"] += 1
            print(json.dumps({"input": source, "problem": f"thumbnail unreadable: {e}"}))
            continue
        try:
            ref = reference(source, ours.size, a.blur)
        except ReferenceFailed:
            counts["reference failed"] += 1
            continue
        score = psnr(flatten(ours), ref)
        scores.append(score)
        if score < a.min_psnr:
            counts["mismatch"] += 1
            print(json.dumps({"input": source, "problem": f"PSNR {score:.1f} dB < {a.min_psnr}"}))
        else:
            counts["match"] += 1
    summary = dict(counts)
    summary["min_psnr"] = round(min(scores), 1) if scores else None
    summary["mean_psnr"] = round(float(np.mean(scores)), 1) if scores else None
    print(json.dumps({"summary": summary}))
    sys.exit(1 if counts["mismatch"] else 0)


if __name__ == "__main__":
    main()
