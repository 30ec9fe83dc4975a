#!/usr/bin/python3
"""Pillow's decode of images, for the decoder tests:

    pillow_decode.py OUT_DIR FILE...

For each FILE (the i-th), writes OUT_DIR/i.raw (the pixels as differential.py's reference sees
them: 8-bit RGB or RGBA, orientation applied as Pillow applies it) and prints one JSON line:
{"file", "width", "height", "channels", "frames", "icc"} ("icc": the profile's bytes as hex, or
null), or {"file", "error"} when Pillow cannot decode it.
"""
import json, os, sys
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential  # noqa: E402

Image.MAX_IMAGE_PIXELS = None

out_dir = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    try:
        im = Image.open(path)
        frames = getattr(im, "n_frames", 1)
        icc = im.info.get("icc_profile")
        im.load()
        im.filename = path
        rgb = differential.as_rgba_or_rgb(im)
    except Exception as e:
        print(json.dumps({"file": path, "error": str(e)}))
        continue
    a = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    with open(os.path.join(out_dir, "%d.raw" % i), "wb") as f:
        f.write(a.tobytes())
    print(json.dumps({"file": path, "width": rgb.size[0], "height": rgb.size[1], "channels": a.shape[2],
                      "frames": frames, "icc": icc.hex() if icc else None}))
