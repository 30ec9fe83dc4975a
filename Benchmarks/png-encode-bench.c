/*
 * Times PNG encoders on raw thumbnails (made by png-encode.py inputs): libpng at the tool's former
 * settings and other zlib levels and filters, and the tool's libdeflate writer (Sources/CPNGWriter,
 * compiled in) at several levels and filters. Prints one TSV line per file and candidate:
 *   file width height channels kind candidate nanoseconds bytes
 * nanoseconds is the median CPU time (this thread's, so other load on the machine counts less) of
 * the runs of one encode: at least 3 runs and 10 ms of CPU per candidate.
 * Every encoding is decoded again (libpng) and checked against the input pixels.
 *
 * usage: png-encode-bench FILE.raw...
 */
#define _GNU_SOURCE
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "CPNGWriter.h"

typedef struct { uint8_t *data; size_t length, capacity; } sink;

static void sink_write(png_structp png, png_bytep data, size_t length) {
    sink *s = png_get_io_ptr(png);
    if (s->length + length > s->capacity) {
        s->capacity = (s->length + length) * 2;
        s->data = realloc(s->data, s->capacity);
    }
    memcpy(s->data + s->length, data, length);
    s->length += length;
}
static void sink_flush(png_structp png) { (void)png; }

/* The tool's libpng path (CPNGShim's tnpng_encode) with `filters` set explicitly. */
static size_t libpng_encode(const uint8_t *px, uint32_t w, uint32_t h, int c, int level, int filters, sink *s) {
    static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    s->length = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) { fprintf(stderr, "libpng failed\n"); exit(1); }
    png_set_write_fn(png, s, sink_write, sink_flush);
    png_set_compression_level(png, level);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, info, w, h, 8, types[c], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < h; y++) png_write_row(png, (png_bytep)px + (size_t)y * w * c);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return s->length;
}

static void check_decodes(const uint8_t *png, size_t length, const uint8_t *px, uint32_t w, uint32_t h, int c, const char *what) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png, length)) { fprintf(stderr, "%s: %s\n", what, image.message); exit(1); }
    static const int formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    image.format = formats[c];
    uint8_t *out = malloc(PNG_IMAGE_SIZE(image));
    if (image.width != w || image.height != h || !png_image_finish_read(&image, NULL, out, 0, NULL) ||
        memcmp(out, px, (size_t)w * h * c) != 0) {
        fprintf(stderr, "%s: decodes differently\n", what);
        exit(1);
    }
    free(out);
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct { const char *name; int libdeflate; int level; int filter; } candidate;

int main(int argc, char **argv) {
    static const struct { const char *name; int libpng; int tnpw; } filters[] = {
        {"none", PNG_FILTER_NONE, TNPW_FILTER_NONE},
        {"sub", PNG_FILTER_SUB, TNPW_FILTER_SUB},
        {"up", PNG_FILTER_UP, TNPW_FILTER_UP},
        {"paeth", PNG_FILTER_PAETH, TNPW_FILTER_PAETH},
        {"adaptive", PNG_ALL_FILTERS, TNPW_FILTER_ADAPTIVE},
    };
    /* libpng (zlib) at levels 1, 6 (the tool's former setting) and 9; libdeflate at 1-12. Filters:
     * none, sub, up, paeth, and adaptive (libpng's choice per row, and the writer's equivalent). */
    static const int zlib_levels[] = {1, 6, 9};
    static const int deflate_levels[] = {1, 2, 4, 6, 9, 12};
    candidate candidates[64];
    int count = 0;
    for (size_t l = 0; l < sizeof zlib_levels / sizeof *zlib_levels; l++)
        for (size_t f = 0; f < 5; f++) {
            if (f == 1 && zlib_levels[l] != 1) continue; /* sub only at level 1 */
            char *name;
            if (asprintf(&name, "libpng-zlib-%d-%s", zlib_levels[l], filters[f].name) < 0) return 1;
            candidates[count++] = (candidate){name, 0, zlib_levels[l], filters[f].libpng};
        }
    for (size_t l = 0; l < sizeof deflate_levels / sizeof *deflate_levels; l++)
        for (size_t f = 0; f < 5; f++) {
            if (f == 0 && deflate_levels[l] != 1 && deflate_levels[l] != 6) continue; /* none only at 1 and 6 */
            char *name;
            if (asprintf(&name, "libdeflate-%d-%s", deflate_levels[l], filters[f].name) < 0) return 1;
            candidates[count++] = (candidate){name, 1, deflate_levels[l], filters[f].tnpw};
        }
    tnpw_encoder *encoder = tnpw_encoder_new((size_t)64 << 20);
    sink s = {0};
    for (int a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        unsigned w, h;
        int c;
        char kind[32];
        if (!f || fscanf(f, "%u %u %d %31s", &w, &h, &c, kind) != 4 || fgetc(f) != '\n') { fprintf(stderr, "%s: bad input\n", argv[a]); return 1; }
        size_t size = (size_t)w * h * c;
        uint8_t *px = malloc(size);
        if (fread(px, 1, size, f) != size) { fprintf(stderr, "%s: short\n", argv[a]); return 1; }
        fclose(f);
        const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        for (int k = 0; k < count; k++) {
            double times[512];
            int runs = 0;
            size_t bytes = 0;
            const uint8_t *data = NULL;
            double start_all = now_ns();
            while (runs < 3 || (now_ns() - start_all < 10e6 && runs < 512)) {
                double t0 = now_ns();
                if (candidates[k].libdeflate) {
                    tnpw_output out;
                    char err[128];
                    if (tnpw_encode(encoder, px, w, h, (size_t)w * c, c, candidates[k].level, candidates[k].filter,
                                    NULL, 0, NULL, NULL, 0, &out, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 1; }
                    bytes = out.length;
                    data = out.data;
                } else {
                    bytes = libpng_encode(px, w, h, c, candidates[k].level, candidates[k].filter, &s);
                    data = s.data;
                }
                times[runs++] = now_ns() - t0;
            }
            check_decodes(data, bytes, px, w, h, c, candidates[k].name);
            qsort(times, runs, sizeof *times, compare_doubles);
            printf("%s\t%u\t%u\t%d\t%s\t%s\t%.0f\t%zu\n", base, w, h, c, kind, candidates[k].name, times[runs / 2], bytes);
        }
        fflush(stdout);
        free(px);
    }
    tnpw_encoder_free(encoder);
    free(s.data);
    return 0;
}
