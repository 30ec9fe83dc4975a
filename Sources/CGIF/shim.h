#ifndef THUMBNAIL_CGIF_SHIM_H
#define THUMBNAIL_CGIF_SHIM_H
#include <gif_lib.h>
#endif
