#!/usr/bin/python3
"""Writes a huge 8-bit gray TIFF, Deflate-compressed, for the memory tests:

    make_huge_tiff.py OUT SIDE (strips|tiles)

SIDE x SIDE pixels, black with a white middle square (SIDE/4 to 3*SIDE/4), in strips of 40 rows
or in 256x256 tiles. Identical strips and tiles are compressed once, so making a 20000x20000 file
(400 MB of pixels, about 1 MB on disk) takes a second.
"""
import struct, sys, zlib
import numpy as np


def main():
    out, side, layout = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lo, hi = side // 4, 3 * side // 4
    if layout == "strips":
        block_w, block_h = side, 40
    else:
        block_w, block_h = 256, 256
    cache = {}
    blobs, offsets, counts = [], [], []
    at = 8
    for y0 in range(0, side, block_h):
        for x0 in range(0, side, block_w):
            # Which rows and columns of this block fall in the square decides its content.
            key = (max(lo, y0) - y0, min(hi, y0 + block_h) - y0, max(lo, x0) - x0, min(hi, x0 + block_w) - x0)
            if key not in cache:
                block = np.zeros((block_h, block_w), np.uint8)
                r0, r1, c0, c1 = key
                if r1 > r0 and c1 > c0:
                    block[r0:r1, c0:c1] = 255
                if layout == "strips":
                    block = block[: min(block_h, side - y0)]
                cache[key] = zlib.compress(block.tobytes(), 6)
            data = cache[key]
            blobs.append(data)
            offsets.append(at)
            counts.append(len(data))
            at += len(data)
    n = len(offsets)
    offsets_at = at
    counts_at = offsets_at + 4 * n
    ifd_at = counts_at + 4 * n
    tags = [(256, 4, 1, side), (257, 4, 1, side), (258, 3, 1, 8), (259, 3, 1, 8), (262, 3, 1, 1)]
    if layout == "strips":
        tags += [(273, 4, n, offsets_at), (277, 3, 1, 1), (278, 4, 1, block_h), (279, 4, n, counts_at)]
    else:
        tags += [(277, 3, 1, 1), (322, 4, 1, block_w), (323, 4, 1, block_h), (324, 4, n, offsets_at), (325, 4, n, counts_at)]
    with open(out, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", ifd_at))
        for data in blobs:
            f.write(data)
        f.write(struct.pack("<%dI" % n, *offsets))
        f.write(struct.pack("<%dI" % n, *counts))
        f.write(struct.pack("<H", len(tags)))
        for tag, kind, count, value in tags:
            packed = struct.pack("<H", value) + b"\0\0" if kind == 3 and count == 1 else struct.pack("<I", value)
            f.write(struct.pack("<HHI", tag, kind, count) + packed)
        f.write(struct.pack("<I", 0))


if __name__ == "__main__":
    main()
