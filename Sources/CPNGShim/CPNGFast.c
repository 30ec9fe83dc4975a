/*
 * The fast PNG path: the image data of 8-bit images read without libpng (see CPNGShim.h).
 *
 * libpng reads the header (signature, IHDR, PLTE, tRNS, iCCP and every ancillary chunk before the
 * image data, with its own checks and limits) and stops after the first IDAT chunk's length and
 * type. From there this file reads the same FILE: IDAT after IDAT (each CRC checked), the zlib
 * stream through ISA-L (header checked as zlib does, window size honoured, Adler-32 checked),
 * rows unfiltered and expanded exactly as the libpng path's transforms do. It stops where libpng
 * stops: at the end of the IDAT chunk in which the compressed stream ends.
 *
 * It never tolerates what libpng merely warns about (extra compressed data, a stream that goes on
 * after the last row): those are failures here, and the caller asks libpng for its verdict.
 */
#include "tnpng_reader.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes of compressed data read from the file at a time. */
#define TNPNG_FAST_INPUT (64 * 1024)
/* Filtered rows inflated at a time: large enough that ISA-L writes straight into our buffer (a
 * small output buffer makes it decode into its own and copy) and that the 32 KiB of history it
 * copies after every call is a small share, small enough to stay a few rows of a huge image. */
#define TNPNG_FAST_BATCH (512 * 1024)
/* Slack after every row buffer: the SSE2 filters load 4 bytes for a 3-byte pixel. */
#define TNPNG_FAST_SLACK 16

struct tnpng_fast {
    struct inflate_state *z;
    uint32_t width, height;
    int color_type;
    int bpp;          /* bytes per pixel in the file: 1 to 4 */
    int channels_out; /* bytes per pixel delivered */
    int interlaced;
    int has_trns;
    uint8_t key[3];           /* tRNS colour key (gray or RGB), low byte as libpng compares it */
    uint8_t palette[256 * 4]; /* RGBA; entries past the palette black, past tRNS opaque */

    /* Input: the current IDAT chunk. */
    uint8_t *input;
    uint32_t chunk_left; /* data bytes of the current chunk not read yet */
    uint32_t crc;        /* CRC of the current chunk so far (type and data) */
    uint8_t zlib_header[2]; /* the stream's first two bytes, which may come in two chunks */
    int zlib_header_bytes;

    /* Rows. */
    int pass;                /* 0 for plain images, 0-6 for Adam7 */
    uint32_t pass_width, pass_height, row_in_pass;
    size_t stride;           /* filter byte + row bytes of the current pass */
    uint8_t *batch;          /* filtered rows inflated ahead, `batch_rows` of them at most */
    size_t batch_capacity_rows, batch_rows, batch_next;
    const uint8_t *prior;    /* the previous unfiltered row of this pass (its bytes after the filter byte) */
    uint8_t *prior_copy;     /* the last row of a batch, kept while the batch is refilled */
    uint8_t *zero_row;       /* the prior row of a pass's first row */
    uint8_t *expanded;       /* rows after palette / tRNS expansion */
    uint64_t rows_left;      /* rows of all passes not delivered yet */
};

static const int adam7[7][4] = {{0, 8, 0, 8}, {0, 8, 4, 8}, {4, 8, 0, 4}, {0, 4, 2, 4},
                                {2, 4, 0, 2}, {0, 2, 1, 2}, {1, 2, 0, 1}};

static int fail(tnpng_reader *r, const char *message) {
    snprintf(r->message, sizeof(r->message), "%s", message);
    return -1;
}

void tnpng_fast_free(tnpng_fast *f) {
    if (!f) return;
    free(f->z);
    free(f->input);
    free(f->batch);
    free(f->prior_copy);
    free(f->zero_row);
    free(f->expanded);
    free(f);
}

/* Reads exactly `length` bytes, shown to the observer as libpng's reads are. */
static int read_exact(tnpng_reader *r, uint8_t *buffer, size_t length) {
    size_t n = fread(buffer, 1, length, r->file);
    if (n > 0 && r->observer) r->observer(r->context, buffer, n);
    if (n != length) return fail(r, "Read Error");
    return 0;
}

static uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Ends the current chunk: reads its CRC and compares. */
static int finish_chunk(tnpng_reader *r) {
    tnpng_fast *f = r->fast;
    uint8_t stored[4];
    if (read_exact(r, stored, 4) != 0) return -1;
    if (load_be32(stored) != f->crc) return fail(r, "IDAT: CRC error");
    return 0;
}

/* Gives ISA-L the next piece of compressed data, moving on to the next IDAT chunk when the
 * current one is used up. */
static int feed(tnpng_reader *r) {
    tnpng_fast *f = r->fast;
    while (f->chunk_left == 0) {
        if (finish_chunk(r) != 0) return -1;
        uint8_t header[8];
        if (read_exact(r, header, 8) != 0) return -1;
        if (memcmp(header + 4, "IDAT", 4) != 0) return fail(r, "Not enough image data");
        uint32_t length = load_be32(header);
        if (length > 0x7fffffffu) return fail(r, "PNG unsigned integer out of range");
        f->chunk_left = length;
        f->crc = crc32_gzip_refl(0, header + 4, 4);
    }
    uint32_t n = f->chunk_left < TNPNG_FAST_INPUT ? f->chunk_left : TNPNG_FAST_INPUT;
    if (read_exact(r, f->input, n) != 0) return -1;
    f->crc = crc32_gzip_refl(f->crc, f->input, n);
    f->chunk_left -= n;
    for (uint32_t i = 0; i < n && f->zlib_header_bytes < 2; i++) {
        f->zlib_header[f->zlib_header_bytes++] = f->input[i];
        if (f->zlib_header_bytes < 2) continue;
        /* zlib's own checks, which ISA-L partly skips: deflate, a window of at most 32 KiB, the
         * header check value, no preset dictionary. The window is then enforced by ISA-L
         * (hist_bits, set before it decodes a block), so a distance reaching past it fails as in
         * zlib. */
        uint8_t cmf = f->zlib_header[0], flg = f->zlib_header[1];
        if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7) return fail(r, "invalid window size");
        if (((unsigned)cmf * 256u + flg) % 31u != 0) return fail(r, "incorrect header check");
        if (flg & 0x20) return fail(r, "missing LZ77 window");
        f->z->hist_bits = (uint32_t)(cmf >> 4) + 8;
    }
    f->z->next_in = f->input;
    f->z->avail_in = n;
    return 0;
}

static const char *isal_message(int status) {
    switch (status) {
    case ISAL_INVALID_BLOCK: return "invalid block type or code lengths";
    case ISAL_INVALID_SYMBOL: return "invalid literal/length or distance code";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
    case ISAL_NEED_DICT: return "missing LZ77 window";
    default: return "inflate error";
    }
}

/* Inflates exactly `length` bytes into `out`. ISA-L is asked first and fed only when it wants
 * input: it may hold decoded bytes of its own while every input byte is used. */
static int inflate_into(tnpng_reader *r, uint8_t *out, size_t length) {
    tnpng_fast *f = r->fast;
    struct inflate_state *z = f->z;
    z->next_out = out;
    z->avail_out = (uint32_t)length;
    while (z->avail_out > 0) {
        uint32_t in_before = z->avail_in, out_before = z->avail_out;
        int status = isal_inflate(z);
        if (status != ISAL_DECOMP_OK) return fail(r, isal_message(status));
        if (z->avail_out == 0) break;
        if (z->block_state == ISAL_BLOCK_FINISH) return fail(r, "Not enough image data");
        if (z->avail_in == 0) {
            if (feed(r) != 0) return -1;
        } else if (z->avail_in == in_before && z->avail_out == out_before) {
            return fail(r, "inflate made no progress");
        }
    }
    return 0;
}

/* After the last row: the stream must end (Adler-32 checked by ISA-L) without another byte of
 * output, and the chunk it ends in must hold nothing after it; then that chunk's CRC is checked. */
static int finish_stream(tnpng_reader *r) {
    tnpng_fast *f = r->fast;
    struct inflate_state *z = f->z;
    uint8_t spare[1];
    while (z->block_state != ISAL_BLOCK_FINISH) {
        uint32_t in_before = z->avail_in;
        z->next_out = spare;
        z->avail_out = sizeof(spare);
        int status = isal_inflate(z);
        if (status != ISAL_DECOMP_OK) return fail(r, isal_message(status));
        if (z->avail_out != sizeof(spare)) return fail(r, "Too much image data");
        if (z->block_state == ISAL_BLOCK_FINISH) break;
        if (z->avail_in == 0) {
            if (feed(r) != 0) return -1;
        } else if (z->avail_in == in_before) {
            return fail(r, "inflate made no progress");
        }
    }
    if (z->avail_in != 0 || f->chunk_left != 0) return fail(r, "Extra compressed data");
    return finish_chunk(r);
}

/* ---- Unfiltering. Filters 1-4 with SSE2 for 3- and 4-byte pixels, one pixel a step (each
 * pixel depends on the one before it); plain C for 1- and 2-byte pixels (and without SSE2). */

#if defined(__SSE2__)

static inline __m128i load4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm_cvtsi32_si128(v);
}

/* Always inlined with a constant `bpp`, so the copy is one or two moves, not a call. */
#define TNPNG_INLINE static inline __attribute__((always_inline))

TNPNG_INLINE void store_pixel(uint8_t *p, __m128i v, int bpp) {
    int32_t t = _mm_cvtsi128_si32(v);
    if (bpp == 4) {
        memcpy(p, &t, 4);
    } else {
        uint16_t low = (uint16_t)t;
        memcpy(p, &low, 2);
        p[2] = (uint8_t)(t >> 16);
    }
}

static inline __m128i select16(__m128i mask, __m128i yes, __m128i no) {
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

static inline __m128i abs16(__m128i x) { return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)); }

TNPNG_INLINE void unfilter_sub_simd(uint8_t *row, size_t n, int bpp) {
    __m128i a = _mm_setzero_si128();
    for (size_t i = 0; i < n; i += (size_t)bpp) {
        a = _mm_add_epi8(load4(row + i), a);
        store_pixel(row + i, a, bpp);
    }
}

TNPNG_INLINE void unfilter_avg_simd(uint8_t *row, const uint8_t *prior, size_t n, int bpp) {
    __m128i a = _mm_setzero_si128(), one = _mm_set1_epi8(1);
    for (size_t i = 0; i < n; i += (size_t)bpp) {
        __m128i b = load4(prior + i);
        /* floor((a + b) / 2): the rounded-up average minus the bit it rounded. */
        __m128i average = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), one));
        a = _mm_add_epi8(load4(row + i), average);
        store_pixel(row + i, a, bpp);
    }
}

TNPNG_INLINE void unfilter_paeth_simd(uint8_t *row, const uint8_t *prior, size_t n, int bpp) {
    const __m128i zero = _mm_setzero_si128(), low = _mm_set1_epi16(0xff);
    __m128i a = zero, c = zero; /* left and upper-left pixels, 16 bits a sample */
    for (size_t i = 0; i < n; i += (size_t)bpp) {
        __m128i b = _mm_unpacklo_epi8(load4(prior + i), zero);
        __m128i x = _mm_unpacklo_epi8(load4(row + i), zero);
        __m128i pa = _mm_sub_epi16(b, c); /* p - a */
        __m128i pb = _mm_sub_epi16(a, c); /* p - b */
        __m128i pc = abs16(_mm_add_epi16(pa, pb));
        pa = abs16(pa);
        pb = abs16(pb);
        /* a unless b is strictly nearer, then c unless strictly nearer than both: Paeth's ties
         * (a, then b, then c) with one comparison fewer on the chain through `a`. */
        __m128i predictor = select16(_mm_cmpgt_epi16(pa, pb), b, a);
        predictor = select16(_mm_cmpgt_epi16(_mm_min_epi16(pa, pb), pc), c, predictor);
        x = _mm_and_si128(_mm_add_epi16(x, predictor), low);
        store_pixel(row + i, _mm_packus_epi16(x, x), bpp);
        a = x;
        c = b;
    }
}

#endif

static void unfilter_scalar(int type, uint8_t *row, const uint8_t *prior, size_t n, int bpp) {
    size_t i;
    switch (type) {
    case 1:
        for (i = (size_t)bpp; i < n; i++) row[i] = (uint8_t)(row[i] + row[i - (size_t)bpp]);
        break;
    case 3:
        for (i = 0; i < (size_t)bpp && i < n; i++) row[i] = (uint8_t)(row[i] + (prior[i] >> 1));
        for (; i < n; i++) row[i] = (uint8_t)(row[i] + ((row[i - (size_t)bpp] + prior[i]) >> 1));
        break;
    case 4:
        for (i = 0; i < (size_t)bpp && i < n; i++) row[i] = (uint8_t)(row[i] + prior[i]);
        for (; i < n; i++) {
            int a = row[i - (size_t)bpp], b = prior[i], c = prior[i - (size_t)bpp];
            int pa = b - c, pb = a - c, pc = pa + pb;
            pa = pa < 0 ? -pa : pa;
            pb = pb < 0 ? -pb : pb;
            pc = pc < 0 ? -pc : pc;
            int predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
            row[i] = (uint8_t)(row[i] + predictor);
        }
        break;
    }
}

static int unfilter(tnpng_reader *r, uint8_t *filtered, const uint8_t *prior, size_t n, int bpp) {
    uint8_t type = filtered[0];
    uint8_t *row = filtered + 1;
    switch (type) {
    case 0: return 0;
    case 2:
        /* Plain enough for the compiler to vectorise. */
        for (size_t i = 0; i < n; i++) row[i] = (uint8_t)(row[i] + prior[i]);
        return 0;
    case 1: case 3: case 4:
#if defined(__SSE2__)
        if (bpp == 4) {
            if (type == 1) unfilter_sub_simd(row, n, 4);
            else if (type == 3) unfilter_avg_simd(row, prior, n, 4);
            else unfilter_paeth_simd(row, prior, n, 4);
        } else if (bpp == 3) {
            if (type == 1) unfilter_sub_simd(row, n, 3);
            else if (type == 3) unfilter_avg_simd(row, prior, n, 3);
            else unfilter_paeth_simd(row, prior, n, 3);
        } else {
            unfilter_scalar(type, row, prior, n, bpp);
        }
#else
        unfilter_scalar(type, row, prior, n, bpp);
#endif
        return 0;
    default:
        return fail(r, "bad adaptive filter value");
    }
}

/* ---- Rows and passes. */

/* Moves to the next pass that has pixels (all of the image for plain files). */
static void start_pass(tnpng_fast *f, int pass) {
    for (; pass < 7; pass++) {
        if (!f->interlaced) {
            f->pass_width = f->width;
            f->pass_height = f->height;
        } else {
            const int *p = adam7[pass];
            f->pass_width = f->width > (uint32_t)p[2] ? (f->width - (uint32_t)p[2] + (uint32_t)p[3] - 1) / (uint32_t)p[3] : 0;
            f->pass_height = f->height > (uint32_t)p[0] ? (f->height - (uint32_t)p[0] + (uint32_t)p[1] - 1) / (uint32_t)p[1] : 0;
        }
        if (f->pass_width > 0 && f->pass_height > 0) break;
    }
    f->pass = pass;
    f->row_in_pass = 0;
    f->stride = 1 + (size_t)f->pass_width * (size_t)f->bpp;
    f->batch_rows = 0;
    f->batch_next = 0;
    f->prior = f->zero_row;
}

int tnpng_fast_begin(tnpng_reader *r) {
    if (r->fast) return fail(r, "fast path already started");
    png_uint_32 width = png_get_image_width(r->png, r->info), height = png_get_image_height(r->png, r->info);
    int color_type = r->source_color_type;
    if (r->source_bit_depth != 8) return fail(r, "fast path: bit depth is not 8");
    int has_trns = r->source_has_trns;
    int num_trans = r->source_num_trans;
    int bpp, expected;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: bpp = 1; expected = has_trns ? 2 : 1; break;
    case PNG_COLOR_TYPE_RGB: bpp = 3; expected = has_trns ? 4 : 3; break;
    case PNG_COLOR_TYPE_PALETTE: bpp = 1; expected = has_trns && num_trans > 0 ? 4 : 3; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: bpp = 2; expected = 2; has_trns = 0; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: bpp = 4; expected = 4; has_trns = 0; break;
    default: return fail(r, "fast path: colour type");
    }
    /* The libpng path's transforms must deliver what this file's expansion delivers. */
    if (png_get_channels(r->png, r->info) != expected || png_get_bit_depth(r->png, r->info) != 8)
        return fail(r, "fast path: libpng's transforms differ");

    /* libpng stopped right after the first IDAT chunk's length and type: read them back. */
    long position = ftell(r->file);
    uint8_t header[8];
    if (position < 8 || pread(fileno(r->file), header, 8, position - 8) != 8 || memcmp(header + 4, "IDAT", 4) != 0)
        return fail(r, "fast path: not at the image data");
    uint32_t first_length = load_be32(header);
    if (first_length > 0x7fffffffu) return fail(r, "fast path: chunk length");

    tnpng_fast *f = calloc(1, sizeof(*f));
    if (!f) return fail(r, "out of memory");
    f->width = width;
    f->height = height;
    f->color_type = color_type;
    f->bpp = bpp;
    f->channels_out = expected;
    f->interlaced = r->source_interlace != PNG_INTERLACE_NONE;
    f->has_trns = has_trns;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        /* libpng's own palette table: 256 entries, black past the palette; opaque past tRNS. */
        for (int i = 0; i < 256; i++) {
            if (i < r->source_num_palette) {
                f->palette[i * 4] = r->source_palette[i].red;
                f->palette[i * 4 + 1] = r->source_palette[i].green;
                f->palette[i * 4 + 2] = r->source_palette[i].blue;
            }
            f->palette[i * 4 + 3] = (has_trns && i < num_trans) ? r->source_trans_alpha[i] : 255;
        }
    } else if (has_trns) {
        /* libpng compares an 8-bit sample with the key's low byte. */
        const png_color_16 *key = &r->source_trans_color;
        if (color_type == PNG_COLOR_TYPE_GRAY) {
            f->key[0] = (uint8_t)(key->gray & 0xff);
        } else {
            f->key[0] = (uint8_t)(key->red & 0xff);
            f->key[1] = (uint8_t)(key->green & 0xff);
            f->key[2] = (uint8_t)(key->blue & 0xff);
        }
    }

    size_t row_bytes = (size_t)width * (size_t)bpp;
    size_t stride = row_bytes + 1;
    f->batch_capacity_rows = TNPNG_FAST_BATCH / stride;
    if (f->batch_capacity_rows < 1) f->batch_capacity_rows = 1;
    f->z = malloc(sizeof(*f->z));
    f->input = malloc(TNPNG_FAST_INPUT);
    f->batch = malloc(f->batch_capacity_rows * stride + TNPNG_FAST_SLACK);
    f->prior_copy = malloc(row_bytes + TNPNG_FAST_SLACK);
    f->zero_row = calloc(1, row_bytes + TNPNG_FAST_SLACK);
    f->expanded = malloc((size_t)width * (size_t)expected + TNPNG_FAST_SLACK);
    if (!f->z || !f->input || !f->batch || !f->prior_copy || !f->zero_row || !f->expanded) {
        tnpng_fast_free(f);
        return fail(r, "out of memory");
    }
    isal_inflate_init(f->z);
    f->z->crc_flag = ISAL_ZLIB;
    f->chunk_left = first_length;
    f->crc = crc32_gzip_refl(0, (const uint8_t *)"IDAT", 4);

    uint64_t rows = 0;
    for (int pass = 0; pass < (f->interlaced ? 7 : 1); pass++) {
        const int *p = adam7[pass];
        uint64_t w = f->interlaced ? (width > (uint32_t)p[2] ? (width - (uint32_t)p[2] + (uint32_t)p[3] - 1) / (uint32_t)p[3] : 0) : width;
        uint64_t h = f->interlaced ? (height > (uint32_t)p[0] ? (height - (uint32_t)p[0] + (uint32_t)p[1] - 1) / (uint32_t)p[1] : 0) : height;
        if (w > 0) rows += h;
    }
    f->rows_left = rows;
    r->fast = f;
    start_pass(f, 0);
    return 0;
}

/* Expands an unfiltered row as the libpng path's transforms do (palette to RGB or RGBA, a tRNS
 * colour key to an alpha channel); other rows go out as they are. */
static const uint8_t *expand(tnpng_fast *f, const uint8_t *row, uint32_t count) {
    uint8_t *out = f->expanded;
    switch (f->color_type) {
    case PNG_COLOR_TYPE_PALETTE:
        if (f->channels_out == 4) {
            for (uint32_t i = 0; i < count; i++) memcpy(out + (size_t)i * 4, f->palette + (size_t)row[i] * 4, 4);
        } else {
            for (uint32_t i = 0; i < count; i++) memcpy(out + (size_t)i * 3, f->palette + (size_t)row[i] * 4, 3);
        }
        return out;
    case PNG_COLOR_TYPE_GRAY:
        if (!f->has_trns) return row;
        for (uint32_t i = 0; i < count; i++) {
            out[i * 2] = row[i];
            out[i * 2 + 1] = row[i] == f->key[0] ? 0 : 255;
        }
        return out;
    case PNG_COLOR_TYPE_RGB:
        if (!f->has_trns) return row;
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *s = row + (size_t)i * 3;
            uint8_t *d = out + (size_t)i * 4;
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
            d[3] = (s[0] == f->key[0] && s[1] == f->key[1] && s[2] == f->key[2]) ? 0 : 255;
        }
        return out;
    default:
        return row;
    }
}

const uint8_t *tnpng_fast_next_row(tnpng_reader *r, int *pass, uint32_t *row_in_pass) {
    tnpng_fast *f = r->fast;
    if (!f) {
        fail(r, "fast path not started");
        return NULL;
    }
    if (f->rows_left == 0) {
        fail(r, "no rows left");
        return NULL;
    }
    if (f->batch_next == f->batch_rows) {
        /* The previous row is about to be overwritten: keep it. */
        if (f->prior != f->zero_row) {
            memcpy(f->prior_copy, f->prior, f->stride - 1);
            f->prior = f->prior_copy;
        }
        uint64_t left_in_pass = f->pass_height - f->row_in_pass;
        size_t capacity = (f->batch_capacity_rows * (f->width * (size_t)f->bpp + 1)) / f->stride;
        size_t rows = left_in_pass < capacity ? (size_t)left_in_pass : capacity;
        if (inflate_into(r, f->batch, rows * f->stride) != 0) return NULL;
        f->batch_rows = rows;
        f->batch_next = 0;
    }
    uint8_t *filtered = f->batch + f->batch_next * f->stride;
    if (unfilter(r, filtered, f->prior, f->stride - 1, f->bpp) != 0) return NULL;
    const uint8_t *row = filtered + 1;
    *pass = f->pass;
    *row_in_pass = f->row_in_pass;
    uint32_t count = f->pass_width;
    f->batch_next++;
    f->prior = row;
    f->row_in_pass++;
    f->rows_left--;
    if (f->rows_left == 0) {
        if (finish_stream(r) != 0) return NULL;
    } else if (f->row_in_pass == f->pass_height) {
        start_pass(f, f->pass + 1);
    }
    return expand(f, row, count);
}
