#ifndef THUMBNAIL_TNPNG_READER_H
#define THUMBNAIL_TNPNG_READER_H
/* The reader's fields, shared by the libpng path (CPNGShim.c) and the fast path (CPNGFast.c),
 * which takes over the same open file where libpng stopped: after the first IDAT chunk's header. */
#include "CPNGShim.h"
#include <png.h>
#include <stdio.h>

typedef struct tnpng_fast tnpng_fast;

struct tnpng_reader {
    FILE *file;
    tnpng_observer observer;
    void *context;
    png_structp png;
    png_infop info;
    uint8_t *icc;
    size_t icc_length;
    char message[256];
    /* The file's own IHDR, palette and tRNS, kept before png_read_update_info() rewrites the info
     * to describe the transformed rows (it turns 16-bit gray+tRNS into 8-bit gray+alpha, and
     * forgets tRNS). */
    int source_bit_depth, source_color_type, source_interlace;
    int source_num_palette, source_num_trans, source_has_trns;
    png_color source_palette[256];
    png_byte source_trans_alpha[256];
    png_color_16 source_trans_color;
    /* The fast path's state once tnpng_fast_begin() succeeded; NULL on the libpng path. */
    tnpng_fast *fast;
};

void tnpng_fast_free(tnpng_fast *fast);

#endif
