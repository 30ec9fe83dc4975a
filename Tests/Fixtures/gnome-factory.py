# Thumbnails files through GNOME's own thumbnail factory (gnome-desktop, the code Nautilus uses),
# which finds thumbnailer entries in $XDG_DATA_DIRS/thumbnailers and runs them under bubblewrap,
# and saves each result in the cache. Prints, per file: its path and the thumbnail file saved
# (the standard's path: factory.lookup answers None through these bindings on bookworm).
# Usage: gnome-factory.py FILE MIMETYPE [FILE MIMETYPE...]
import hashlib
import os
import sys

import gi
gi.require_version('GnomeDesktop', '3.0')
from gi.repository import GnomeDesktop, Gio  # noqa: E402

factory = GnomeDesktop.DesktopThumbnailFactory.new(GnomeDesktop.DesktopThumbnailSize.LARGE)
args = sys.argv[1:]
for path, mime in zip(args[0::2], args[1::2]):
    uri = Gio.File.new_for_path(path).get_uri()
    mtime = int(os.stat(path).st_mtime)
    if not factory.can_thumbnail(uri, mime, mtime):
        print(path, 'cannot-thumbnail')
        continue
    pixbuf = factory.generate_thumbnail(uri, mime, None)
    factory.save_thumbnail(pixbuf, uri, mtime, None)
    print(path + '\t' + os.path.join(os.environ['XDG_CACHE_HOME'], 'thumbnails', 'large',
                                     hashlib.md5(uri.encode()).hexdigest() + '.png'))
