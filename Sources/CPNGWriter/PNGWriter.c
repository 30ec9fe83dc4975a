#include "CPNGWriter.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

struct tnpw_encoder {
    size_t keep_bytes;
    struct libdeflate_compressor *compressor;
    int compressor_level;
    uint8_t *filtered; /* the filtered rows, each led by its filter type byte */
    size_t filtered_capacity;
    uint8_t *output;   /* the PNG file */
    size_t output_capacity;
    uint8_t *trial;    /* adaptive filtering: one row per filter type 1-4 */
    size_t trial_capacity;
};

static void tnpw_copy_message(char *err, size_t errlen, const char *message) {
    if (!err || errlen == 0) return;
    size_t n = strlen(message);
    if (n >= errlen) n = errlen - 1;
    memcpy(err, message, n);
    err[n] = 0;
}

tnpw_encoder *tnpw_encoder_new(size_t keep_bytes) {
    tnpw_encoder *encoder = calloc(1, sizeof *encoder);
    if (encoder) {
        encoder->keep_bytes = keep_bytes;
        encoder->compressor_level = -1;
    }
    return encoder;
}

void tnpw_encoder_free(tnpw_encoder *encoder) {
    if (!encoder) return;
    if (encoder->compressor) libdeflate_free_compressor(encoder->compressor);
    free(encoder->filtered);
    free(encoder->output);
    free(encoder->trial);
    free(encoder);
}

/* Makes `*buffer` hold at least `needed` bytes. A buffer above the encoder's keep limit is not
 * carried into a smaller image: it is freed and a right-sized one allocated. */
static int tnpw_reserve(const tnpw_encoder *encoder, uint8_t **buffer, size_t *capacity, size_t needed) {
    if (*capacity >= needed && (*capacity <= encoder->keep_bytes || *capacity == needed)) return 0;
    free(*buffer);
    *capacity = 0;
    *buffer = malloc(needed ? needed : 1);
    if (!*buffer) return -1;
    *capacity = needed;
    return 0;
}

static void tnpw_release_if_large(const tnpw_encoder *encoder, uint8_t **buffer, size_t *capacity) {
    if (*capacity > encoder->keep_bytes) {
        free(*buffer);
        *buffer = NULL;
        *capacity = 0;
    }
}

static void tnpw_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes the length, type and CRC around `length` data bytes already at p + 8; returns the end. */
static uint8_t *tnpw_close_chunk(uint8_t *p, const char type[4], size_t length) {
    tnpw_put32(p, (uint32_t)length);
    memcpy(p + 4, type, 4);
    tnpw_put32(p + 8 + length, libdeflate_crc32(0, p + 4, length + 4));
    return p + 12 + length;
}

/* Paeth's predictor without branches, so the compiler can vectorise the loop: every input is an
 * original sample (encoding has no dependency from one output byte to the next). */
static inline uint8_t tnpw_paeth(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int b_or_c = pb <= pc ? b : c;
    return (uint8_t)(pa <= pb && pa <= pc ? a : b_or_c);
}

/* Filters one row of `n` bytes with `type` into `out`; `prev` is the row above (zeros for the first). */
static void tnpw_filter_row(int type, const uint8_t *row, const uint8_t *prev, size_t n, size_t bpp, uint8_t *out) {
    size_t i;
    switch (type) {
    case TNPW_FILTER_NONE:
        memcpy(out, row, n);
        break;
    case TNPW_FILTER_SUB:
        for (i = 0; i < bpp && i < n; i++) out[i] = row[i];
        for (; i < n; i++) out[i] = (uint8_t)(row[i] - row[i - bpp]);
        break;
    case TNPW_FILTER_UP:
        for (i = 0; i < n; i++) out[i] = (uint8_t)(row[i] - prev[i]);
        break;
    case TNPW_FILTER_AVERAGE:
        for (i = 0; i < bpp && i < n; i++) out[i] = (uint8_t)(row[i] - (prev[i] >> 1));
        for (; i < n; i++) out[i] = (uint8_t)(row[i] - ((row[i - bpp] + prev[i]) >> 1));
        break;
    default: /* PAETH */
        for (i = 0; i < bpp && i < n; i++) out[i] = (uint8_t)(row[i] - prev[i]);
        for (; i < n; i++) out[i] = (uint8_t)(row[i] - tnpw_paeth(row[i - bpp], prev[i], prev[i - bpp]));
        break;
    }
}

/* The sum of the bytes read as signed values' magnitudes: libpng's "minimum sum of absolute
 * differences" heuristic for choosing a row's filter. */
static size_t tnpw_cost(const uint8_t *bytes, size_t n) {
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += bytes[i] < 128 ? bytes[i] : 256 - bytes[i];
    return sum;
}

int tnpw_encode(tnpw_encoder *encoder, const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                int channels, int level, int filter, const uint8_t *icc, size_t icc_length,
                const char *const *text_keys, const char *const *text_values, size_t text_count,
                tnpw_output *out, char *err, size_t errlen) {
    static const uint8_t color_types[] = {0, 0, 4, 2, 6};
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    out->data = NULL;
    out->length = 0;
    if (channels < 1 || channels > 4) {
        tnpw_copy_message(err, errlen, "unsupported channel count");
        return -1;
    }
    if (level < 0 || level > 12) {
        tnpw_copy_message(err, errlen, "compression level outside 0-12");
        return -1;
    }
    if (filter < TNPW_FILTER_NONE || filter > TNPW_FILTER_ADAPTIVE) {
        tnpw_copy_message(err, errlen, "unknown filter");
        return -1;
    }
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
        tnpw_copy_message(err, errlen, "image size outside PNG's limits");
        return -1;
    }
    const size_t bpp = (size_t)channels;
    const size_t row_bytes = (size_t)width * bpp;
    /* The filtered data must fit one IDAT chunk (< 2^31 bytes) even when stored uncompressed. */
    if (row_bytes + 1 > ((size_t)1 << 30) / height) {
        tnpw_copy_message(err, errlen, "image too large for the PNG writer");
        return -1;
    }
    const size_t filtered_size = (row_bytes + 1) * height;

    if (encoder->compressor_level != level) {
        if (encoder->compressor) libdeflate_free_compressor(encoder->compressor);
        encoder->compressor = libdeflate_alloc_compressor(level);
        encoder->compressor_level = encoder->compressor ? level : -1;
        if (!encoder->compressor) {
            tnpw_copy_message(err, errlen, "out of memory (compressor)");
            return -1;
        }
    }
    struct libdeflate_compressor *compressor = encoder->compressor;

    /* Filter every row into one buffer: libdeflate compresses a whole buffer at once. */
    if (tnpw_reserve(encoder, &encoder->filtered, &encoder->filtered_capacity, filtered_size) != 0 ||
        (filter == TNPW_FILTER_ADAPTIVE &&
         tnpw_reserve(encoder, &encoder->trial, &encoder->trial_capacity, 4 * row_bytes) != 0)) {
        tnpw_copy_message(err, errlen, "out of memory (rows)");
        return -1;
    }
    /* PNG filters the first row against a row of zeros. */
    uint8_t *zeros = calloc(row_bytes, 1);
    if (!zeros) {
        tnpw_copy_message(err, errlen, "out of memory (rows)");
        return -1;
    }
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * stride;
        const uint8_t *prev = y ? row - stride : zeros;
        uint8_t *dest = encoder->filtered + (size_t)y * (row_bytes + 1);
        int type = filter;
        if (filter == TNPW_FILTER_ADAPTIVE) {
            size_t best = tnpw_cost(row, row_bytes);
            type = TNPW_FILTER_NONE;
            for (int t = TNPW_FILTER_SUB; t <= TNPW_FILTER_PAETH; t++) {
                uint8_t *trial = encoder->trial + (size_t)(t - 1) * row_bytes;
                tnpw_filter_row(t, row, prev, row_bytes, bpp, trial);
                size_t cost = tnpw_cost(trial, row_bytes);
                if (cost < best) {
                    best = cost;
                    type = t;
                }
            }
            if (type == TNPW_FILTER_NONE) memcpy(dest + 1, row, row_bytes);
            else memcpy(dest + 1, encoder->trial + (size_t)(type - 1) * row_bytes, row_bytes);
        } else {
            tnpw_filter_row(type, row, prev, row_bytes, bpp, dest + 1);
        }
        dest[0] = (uint8_t)type;
    }
    free(zeros);

    /* Room for: signature, IHDR, iCCP ("icc", 0, method, zlib profile), tEXt chunks, IDAT, IEND. */
    size_t text_bytes = 0;
    for (size_t i = 0; i < text_count; i++) {
        size_t key_length = strlen(text_keys[i]);
        if (key_length < 1 || key_length > 79) {
            tnpw_copy_message(err, errlen, "tEXt key must be 1-79 bytes");
            return -1;
        }
        text_bytes += 12 + key_length + 1 + strlen(text_values[i]);
    }
    size_t icc_bound = icc && icc_length ? 12 + 5 + libdeflate_zlib_compress_bound(compressor, icc_length) : 0;
    size_t idat_bound = libdeflate_zlib_compress_bound(compressor, filtered_size);
    size_t capacity = 8 + 25 + icc_bound + text_bytes + 12 + idat_bound + 12;
    if (tnpw_reserve(encoder, &encoder->output, &encoder->output_capacity, capacity) != 0) {
        tnpw_copy_message(err, errlen, "out of memory (output)");
        return -1;
    }
    uint8_t *p = encoder->output;
    memcpy(p, signature, 8);
    p += 8;
    tnpw_put32(p + 8, width);
    tnpw_put32(p + 12, height);
    p[16] = 8;                               /* bit depth */
    p[17] = color_types[channels];
    p[18] = p[19] = p[20] = 0;               /* deflate, adaptive filtering, no interlace */
    p = tnpw_close_chunk(p, "IHDR", 13);
    if (icc_bound) {
        memcpy(p + 8, "icc\0\0", 5);           /* profile name, its terminator, compression method 0 */
        size_t n = libdeflate_zlib_compress(compressor, icc, icc_length, p + 13, icc_bound - 17);
        if (n == 0) {
            tnpw_copy_message(err, errlen, "cannot compress the ICC profile");
            return -1;
        }
        p = tnpw_close_chunk(p, "iCCP", 5 + n);
    }
    for (size_t i = 0; i < text_count; i++) {
        size_t key_length = strlen(text_keys[i]), value_length = strlen(text_values[i]);
        memcpy(p + 8, text_keys[i], key_length + 1); /* key and its NUL separator */
        memcpy(p + 9 + key_length, text_values[i], value_length);
        p = tnpw_close_chunk(p, "tEXt", key_length + 1 + value_length);
    }
    size_t n = libdeflate_zlib_compress(compressor, encoder->filtered, filtered_size, p + 8, idat_bound);
    if (n == 0) {
        tnpw_copy_message(err, errlen, "cannot compress the image data");
        return -1;
    }
    p = tnpw_close_chunk(p, "IDAT", n);
    p = tnpw_close_chunk(p, "IEND", 0);
    tnpw_release_if_large(encoder, &encoder->filtered, &encoder->filtered_capacity);
    tnpw_release_if_large(encoder, &encoder->trial, &encoder->trial_capacity);
    out->data = encoder->output;
    out->length = (size_t)(p - encoder->output);
    return 0;
}
