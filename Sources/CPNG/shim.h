#ifndef THUMBNAIL_CPNG_SHIM_H
#define THUMBNAIL_CPNG_SHIM_H
#include <png.h>
#endif
