#include "CPNGShim.h"
#include "tnpng_reader.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>


static void tnpng_copy_message(char *dst, size_t dstlen, const char *msg) {
    if (dstlen == 0) return;
    snprintf(dst, dstlen, "%s", msg ? msg : "unknown libpng error");
}

/* libpng calls this on a fatal error; it must not return, so jump back to the setjmp. */
static void tnpng_on_error(png_structp png, png_const_charp msg) {
    char *buffer = (char *)png_get_error_ptr(png);
    if (buffer) tnpng_copy_message(buffer, 256, msg);
    png_longjmp(png, 1);
}

/* Warnings (bad ancillary chunk CRCs, unknown chunks...) do not fail an image. */
static void tnpng_on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

/* libpng's default reader, plus the observer. "Read Error" is libpng's own word for a short read. */
static void tnpng_read_data(png_structp png, png_bytep data, size_t length) {
    tnpng_reader *r = (tnpng_reader *)png_get_io_ptr(png);
    size_t n = fread(data, 1, length, r->file);
    if (n > 0 && r->observer) r->observer(r->context, data, n);
    if (n != length) png_error(png, "Read Error");
}

int tnpng_read_rest(tnpng_reader *r) {
    uint8_t buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), r->file)) > 0) {
        if (r->observer) r->observer(r->context, buffer, n);
    }
    return ferror(r->file) ? -1 : 0;
}

tnpng_reader *tnpng_open(int fd, uint32_t max_dimension, int deinterlace, tnpng_observer observer,
                         void *context, tnpng_info *out, char *err, size_t errlen) {
    tnpng_reader *r = calloc(1, sizeof(*r));
    if (!r) {
        tnpng_copy_message(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    r->file = fdopen(fd, "rb");
    if (!r->file) {
        close(fd);
        /* The prefix tells the caller this is the system's reason, not libpng's. */
        snprintf(err, errlen, "open: %s", strerror(errno));
        free(r);
        return NULL;
    }
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r->message, tnpng_on_error, tnpng_on_warning);
    if (!r->png) {
        tnpng_copy_message(err, errlen, "cannot create libpng reader");
        fclose(r->file);
        free(r);
        return NULL;
    }
    r->info = png_create_info_struct(r->png);
    if (!r->info || setjmp(png_jmpbuf(r->png))) {
        tnpng_copy_message(err, errlen, r->info ? r->message : "cannot create libpng info");
        tnpng_close(r);
        return NULL;
    }
    r->observer = observer;
    r->context = context;
    png_set_read_fn(r->png, r, tnpng_read_data);
#ifdef PNG_SKIP_sRGB_CHECK_PROFILE
    png_set_option(r->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
#endif
    if (max_dimension > 0) png_set_user_limits(r->png, max_dimension, max_dimension);
    /* A chunk larger than this (other than IDAT) is refused rather than allocated. */
    png_set_chunk_malloc_max(r->png, 64u * 1024u * 1024u);
    /* Ancillary chunks thumbnails never use are skipped unread, so a crafted length in one of them
     * cannot make libpng allocate it (libpng's crashers/huge_*_chunk.png ask for 1 GiB). Kept:
     * IHDR, PLTE, tRNS, IDAT, IEND (critical or needed) and iCCP (the colour profile). gAMA, cHRM
     * and sRGB are not applied (see the README), so they are skipped too. */
    static const png_byte ignored[] =
        "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0sTER\0tEXt\0tIME\0zTXt\0iTXt\0";
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, ignored, (int)(sizeof(ignored) / 5));
    png_read_info(r->png, r->info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(r->png, r->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);

    png_charp name = NULL;
    int compression = 0;
    png_bytep profile = NULL;
    png_uint_32 profile_length = 0;
    if (png_get_iCCP(r->png, r->info, &name, &compression, &profile, &profile_length) && profile && profile_length > 0) {
        r->icc = malloc(profile_length);
        if (r->icc) {
            memcpy(r->icc, profile, profile_length);
            r->icc_length = profile_length;
        }
    }

    r->source_bit_depth = bit_depth;
    r->source_color_type = color_type;
    r->source_interlace = interlace;
    png_colorp palette = NULL;
    int num_palette = 0;
    if (png_get_PLTE(r->png, r->info, &palette, &num_palette) && palette && num_palette > 0) {
        if (num_palette > 256) num_palette = 256;
        memcpy(r->source_palette, palette, sizeof(png_color) * (size_t)num_palette);
        r->source_num_palette = num_palette;
    }
    png_bytep trans_alpha = NULL;
    int num_trans = 0;
    png_color_16p trans_color = NULL;
    if (png_get_tRNS(r->png, r->info, &trans_alpha, &num_trans, &trans_color)) {
        r->source_has_trns = 1;
        if (num_trans > 256) num_trans = 256;
        if (trans_alpha && num_trans > 0) memcpy(r->source_trans_alpha, trans_alpha, (size_t)num_trans);
        r->source_num_trans = num_trans;
        if (trans_color) r->source_trans_color = *trans_color;
    }

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(r->png);
    if (png_get_valid(r->png, r->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r->png);
    if (bit_depth == 16) png_set_scale_16(r->png);
    if (interlace != PNG_INTERLACE_NONE && deinterlace) png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);

    out->width = width;
    out->height = height;
    out->channels = png_get_channels(r->png, r->info);
    out->bit_depth = png_get_bit_depth(r->png, r->info);
    out->source_bit_depth = bit_depth;
    out->source_color_type = color_type;
    out->interlaced = interlace != PNG_INTERLACE_NONE;
    out->icc = r->icc;
    out->icc_length = r->icc_length;
    return r;
}

int tnpng_read_row(tnpng_reader *r, uint8_t *row) {
    if (setjmp(png_jmpbuf(r->png))) return -1;
    png_read_row(r->png, row, NULL);
    return 0;
}

int tnpng_read_pass_row(tnpng_reader *r, uint8_t *row, int *pass, uint32_t *row_in_pass) {
    if (setjmp(png_jmpbuf(r->png))) return -1;
    *pass = png_get_current_pass_number(r->png);
    *row_in_pass = png_get_current_row_number(r->png);
    png_read_row(r->png, row, NULL);
    return 0;
}

int tnpng_read_image(tnpng_reader *r, uint8_t *pixels, size_t stride) {
    png_uint_32 height = png_get_image_height(r->png, r->info);
    png_bytepp rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!rows) {
        tnpng_copy_message(r->message, sizeof(r->message), "out of memory");
        return -1;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * stride;
    if (setjmp(png_jmpbuf(r->png))) {
        free(rows);
        return -1;
    }
    png_read_image(r->png, rows);
    free(rows);
    return 0;
}

const char *tnpng_error(const tnpng_reader *r) { return r->message; }

void tnpng_close(tnpng_reader *r) {
    if (!r) return;
    if (r->png) png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    if (r->file) fclose(r->file);
    tnpng_fast_free(r->fast);
    free(r->icc);
    free(r);
}
