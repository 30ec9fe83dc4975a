#ifndef THUMBNAIL_CPNGWRITER_H
#define THUMBNAIL_CPNGWRITER_H
/*
 * A PNG writer without libpng: filters the rows, compresses them with libdeflate (one zlib stream
 * in one IDAT chunk) and writes the chunks with libdeflate's CRC-32. Why not libpng: libpng drives
 * zlib itself, and libdeflate compresses the same rows faster and smaller at equal levels
 * (Benchmarks/png-encode.md has the measurements). Plain C for the per-byte filter loops; it
 * never longjmps: every failure is a return code. All symbols are prefixed `tnpw_`.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Row filters. 0-4 are PNG's filter types used for every row; `TNPW_FILTER_ADAPTIVE` picks, row
/// by row, the type whose output has the smallest sum of absolute (signed) bytes, as libpng does.
enum {
    TNPW_FILTER_NONE = 0,
    TNPW_FILTER_SUB = 1,
    TNPW_FILTER_UP = 2,
    TNPW_FILTER_AVERAGE = 3,
    TNPW_FILTER_PAETH = 4,
    TNPW_FILTER_ADAPTIVE = 5,
};

/// A reusable encoder: its libdeflate compressor (one per level) and its scratch buffers survive
/// from one image to the next, so a worker does not allocate (and the kernel zero) them per image.
/// Scratch larger than `keep_bytes` is freed after each image. Opaque; free with tnpw_encoder_free().
typedef struct tnpw_encoder tnpw_encoder;

/// A new encoder that keeps at most `keep_bytes` of scratch between images; NULL when out of memory.
tnpw_encoder *tnpw_encoder_new(size_t keep_bytes);

/// Frees the encoder and everything it holds.
void tnpw_encoder_free(tnpw_encoder *encoder);

/// An encoded PNG in memory, owned by the encoder: valid until its next encode or free.
typedef struct {
    const uint8_t *data;
    size_t length;
} tnpw_output;

/// Encodes 8-bit pixels (`channels` 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), rows `stride` bytes apart,
/// at libdeflate `level` (0-12) with `filter`. Writes IHDR, then iCCP when `icc` is given (named
/// "icc"), one uncompressed tEXt chunk per key/value pair (Latin-1, keys 1-79 bytes), one IDAT and
/// IEND: no time chunk, so the same input always gives the same bytes. Returns 0, or -1 with `err`.
int tnpw_encode(tnpw_encoder *encoder, const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                int channels, int level, int filter, const uint8_t *icc, size_t icc_length,
                const char *const *text_keys, const char *const *text_values, size_t text_count,
                tnpw_output *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
