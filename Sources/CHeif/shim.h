#ifndef THUMBNAIL_CHEIF_SHIM_H
#define THUMBNAIL_CHEIF_SHIM_H
// libheif reports errors through returned heif_error structs, so it needs no C shim.
#include <stddef.h>
#include <stdint.h>
#include <libheif/heif.h>
#endif
