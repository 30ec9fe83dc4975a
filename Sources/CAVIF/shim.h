#ifndef THUMBNAIL_CAVIF_SHIM_H
#define THUMBNAIL_CAVIF_SHIM_H
// libavif reports errors through returned avifResult codes, so it needs no C shim.
#include <stddef.h>
#include <stdint.h>
#include <avif/avif.h>
#endif
