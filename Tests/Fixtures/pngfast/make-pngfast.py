#!/usr/bin/python3
"""Writes the fast PNG path's fixtures into this folder (run it here; deterministic).

Every colour type the fast path reads (gray, gray+alpha, RGB, RGBA, palette; with and without
tRNS), plain and Adam7, odd sizes (passes without pixels), each row with a chosen filter so every
filter meets every pixel size; then streams that are valid but awkward (1-byte IDAT chunks, empty
chunks, a small zlib window) and streams that are damaged in ways a chunk CRC cannot see (CRCs
recomputed): Adler-32 wrong, a distance past the declared window, extra or missing data, garbage
after the stream, a bad filter byte, a preset dictionary.
"""
import random
import struct
import zlib

ADAM7 = [(0, 8, 0, 8), (0, 8, 4, 8), (4, 8, 0, 4), (0, 4, 2, 4), (2, 4, 0, 2), (0, 2, 1, 2), (1, 2, 0, 1)]


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray([kind])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - predictor) & 0xFF)
    return out


def raw_stream(pixels, width, height, bpp, interlaced, first_filter):
    """The filtered scanlines (before zlib); pixels is a list of rows of bytes."""
    out = bytearray()
    n = first_filter
    passes = ADAM7 if interlaced else [(0, 1, 0, 1)]
    for y0, dy, x0, dx in passes:
        if x0 >= width or y0 >= height:
            continue
        prior = None
        for y in range(y0, height, dy):
            row = bytearray()
            for x in range(x0, width, dx):
                row += pixels[y][x * bpp:(x + 1) * bpp]
            if prior is None:
                prior = bytearray(len(row))
            out += filter_row(n % 5, row, prior, bpp)
            n += 1
            prior = row
    return bytes(out)


def png(width, height, color_type, stream, interlaced, extra=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 1 if interlaced else 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + stream + chunk(b"IEND", b"")


def idats(compressed, size=None):
    if size is None:
        return chunk(b"IDAT", compressed)
    return b"".join(chunk(b"IDAT", compressed[i:i + size]) for i in range(0, len(compressed), size))


def image(rng, width, height, bpp, palette_size=None):
    """Smooth gradients with noise (so every filter has work), or palette indices."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            for ch in range(bpp):
                if palette_size:
                    row.append(rng.randrange(palette_size + 2) % 256)  # a few indices past the palette
                else:
                    row.append((x * (3 + ch) + y * (5 - ch) + rng.randrange(24)) & 0xFF)
        rows.append(row)
    return rows


def main():
    rng = random.Random(14)
    kinds = [  # name, colour type, bytes a pixel, extra chunks
        ("gray", 0, 1, b""),
        ("gray-trns", 0, 1, chunk(b"tRNS", struct.pack(">H", 0x0117))),  # key's high byte set: libpng compares the low one
        ("graya", 4, 2, b""),
        ("rgb", 2, 3, b""),
        ("rgb-trns", 2, 3, chunk(b"tRNS", struct.pack(">HHH", 40, 50, 60))),
        ("rgba", 6, 4, b""),
        ("pal", 3, 1, None),
        ("pal-trns", 3, 1, None),
    ]
    for width, height in [(33, 17), (1, 1), (7, 3), (130, 9)]:
        for name, color_type, bpp, extra in kinds:
            palette_size = None
            if color_type == 3:
                palette_size = 20
                extra = chunk(b"PLTE", bytes(rng.randrange(256) for _ in range(3 * palette_size)))
                if name == "pal-trns":
                    extra += chunk(b"tRNS", bytes(rng.randrange(256) for _ in range(7)))
            pixels = image(rng, width, height, bpp, palette_size)
            if name == "gray-trns":
                pixels[0][0] = 0x17
            if name == "rgb-trns":
                pixels[0][0:3] = bytes([40, 50, 60])
            for interlaced in (False, True):
                stream = raw_stream(pixels, width, height, bpp, interlaced, width + height)
                data = png(width, height, color_type, idats(zlib.compress(stream, 9)), interlaced, extra)
                tag = "adam7" if interlaced else "plain"
                with open(f"{name}-{width}x{height}-{tag}.png", "wb") as f:
                    f.write(data)

    width, height = 61, 40
    pixels = image(rng, width, height, 3)
    stream = raw_stream(pixels, width, height, 3, False, 0)

    def write(name, idat_bytes, extra=b""):
        with open(name, "wb") as f:
            f.write(png(width, height, 2, idat_bytes, False, extra))

    good = zlib.compress(stream, 9)
    # Valid but awkward: one byte an IDAT with empty IDATs between; a 512-byte window.
    write("split-1-byte-idats.png", b"".join(chunk(b"IDAT", good[i:i + 1]) + chunk(b"IDAT", b"") for i in range(len(good))))
    small = zlib.compressobj(9, zlib.DEFLATED, 9)
    write("window-512.png", idats(small.compress(stream) + small.flush(), 100))
    # Adler-32 wrong (the last byte), every CRC right.
    write("bad-adler.png", idats(good[:-1] + bytes([good[-1] ^ 1])))
    # A distance past the declared window: compressed with 32 KiB, header says 512 bytes.
    cmf = 0x18  # deflate, CINFO 1 (512-byte window)
    flg = (31 - (cmf * 256) % 31) % 31
    far = zlib.compressobj(9, zlib.DEFLATED, -15)
    write("distance-past-window.png", idats(bytes([cmf, flg]) + far.compress(stream) + far.flush() + struct.pack(">I", zlib.adler32(stream))))
    # One more row than the image has; one row fewer.
    extra_row = stream + stream[-(1 + width * 3):]
    write("extra-row.png", idats(zlib.compress(extra_row, 9)))
    write("missing-row.png", idats(zlib.compress(stream[:-(1 + width * 3)], 9)))
    # Garbage after the stream, inside the last IDAT.
    write("garbage-after-stream.png", idats(good + b"\x00\x01\x02\x03"))
    # A filter type of 5.
    bad = bytearray(stream)
    bad[(1 + width * 3) * 7] = 5
    write("filter-5.png", idats(zlib.compress(bytes(bad), 9)))
    # A preset dictionary.
    dict_compress = zlib.compressobj(9, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, b"dictionary")
    write("preset-dictionary.png", idats(dict_compress.compress(stream) + dict_compress.flush()))
    # An ancillary chunk between IDATs (libpng: not enough image data).
    half = len(good) // 2
    write("chunk-between-idats.png", chunk(b"IDAT", good[:half]) + chunk(b"tEXt", b"a\x00b") + chunk(b"IDAT", good[half:]))
    # An IDAT CRC wrong.
    broken = bytearray(idats(good, 200))
    broken[8 + 200 + 2] ^= 0x40  # a CRC byte of the first IDAT
    write("idat-crc.png", bytes(broken))


if __name__ == "__main__":
    main()
