#ifndef THUMBNAIL_CTIFF_SHIM_H
#define THUMBNAIL_CTIFF_SHIM_H
#include <tiffio.h>
#endif
