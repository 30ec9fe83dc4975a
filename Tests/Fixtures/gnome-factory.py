# Thumbnails files through GNOME's own thumbnail factory (gnome-desktop, the code Nautilus uses),
# which finds thumbnailer entries in $XDG_DATA_DIRS/thumbnailers and runs them under bubblewrap.
# Prints, per file: its path, the thumbnail file the factory saved, and the largest difference
# between the factory's pixels and the reference PNG given after the file (a direct run of the tool).
# Usage: gnome-factory.py FILE MIMETYPE REFERENCE_PNG [FILE MIMETYPE REFERENCE_PNG...]
import hashlib
import os
import sys

import gi
gi.require_version('GnomeDesktop', '3.0')
from gi.repository import GnomeDesktop, Gio  # noqa: E402
import numpy  # noqa: E402
from PIL import Image  # noqa: E402

factory = GnomeDesktop.DesktopThumbnailFactory.new(GnomeDesktop.DesktopThumbnailSize.LARGE)
args = sys.argv[1:]
for path, mime, reference in zip(args[0::3], args[1::3], args[2::3]):
    uri = Gio.File.new_for_path(path).get_uri()
    mtime = int(os.stat(path).st_mtime)
    if not factory.can_thumbnail(uri, mime, mtime):
        print(path, 'cannot-thumbnail')
        continue
    pixbuf = factory.generate_thumbnail(uri, mime, None)
    factory.save_thumbnail(pixbuf, uri, mtime, None)
    # The standard's path (factory.lookup answers None through these bindings on bookworm).
    saved = os.path.join(os.environ['XDG_CACHE_HOME'], 'thumbnails', 'large', hashlib.md5(uri.encode()).hexdigest() + '.png')
    mode = 'RGBA' if pixbuf.get_has_alpha() else 'RGB'
    ours = numpy.asarray(Image.open(reference).convert(mode), dtype=numpy.int16)
    theirs = numpy.asarray(Image.open(saved).convert(mode), dtype=numpy.int16)
    diff = int(numpy.abs(ours - theirs).max()) if ours.shape == theirs.shape else -1
    print(path, saved, diff)
