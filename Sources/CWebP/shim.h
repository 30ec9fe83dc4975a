#ifndef THUMBNAIL_CWEBP_SHIM_H
#define THUMBNAIL_CWEBP_SHIM_H
// libwebp reports errors through return codes, so it needs no C shim: decode (with scaling),
// demux (chunks, first frame of an animation), encode and mux (the ICCP chunk).
#include <stddef.h>
#include <stdint.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>
#endif
