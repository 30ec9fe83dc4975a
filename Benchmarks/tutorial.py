#!/usr/bin/env python3
"""The tutorial program `thumbnail` replaces: blurred 50x50 thumbnails with Pillow and a process pool.

    python3 tutorial.py INPUT_FOLDER OUTPUT_FOLDER

Each JPEG/PNG directly in INPUT_FOLDER is opened, blurred (GaussianBlur(2), on the full-size image),
shrunk with Image.thumbnail((50, 50)) and saved under the same name in OUTPUT_FOLDER. The pool has
os.cpu_count() workers (ProcessPoolExecutor's default). Failures are printed; exit 1 if any.
"""
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from PIL import Image, ImageFilter

EXTENSIONS = (".jpg", ".jpeg", ".png")


def make_thumbnail(job):
    src, dst = job
    with Image.open(src) as im:
        im = im.filter(ImageFilter.GaussianBlur(2))
        im.thumbnail((50, 50))
        im.save(dst)
    return dst


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tutorial.py INPUT_FOLDER OUTPUT_FOLDER")
    src_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    jobs = [
        (os.path.join(src_dir, name), os.path.join(out_dir, name))
        for name in sorted(os.listdir(src_dir))
        if name.lower().endswith(EXTENSIONS) and not name.startswith(".")
    ]
    failed = 0
    with ProcessPoolExecutor() as pool:
        futures = [(src, pool.submit(make_thumbnail, (src, dst))) for src, dst in jobs]
        for src, future in futures:
            try:
                print(future.result())
            except Exception as error:  # a tutorial reports and goes on
                failed += 1
                print(f"{src}: {error}", file=sys.stderr)
    print(f"{len(jobs) - failed} thumbnails, {failed} failed", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
