#ifndef THUMBNAIL_CPNGSHIM_H
#define THUMBNAIL_CPNGSHIM_H
/*
 * Why this shim exists: libpng reports every error by longjmp() back to a setjmp() made by its
 * caller. Swift cannot call setjmp, and a longjmp across Swift frames is undefined behaviour. So
 * every libpng call that can fail lives here, in C, behind a function that owns the setjmp and
 * returns a status code and a message instead. All symbols are prefixed `tnpng_`.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An open PNG being decoded row by row. Opaque; free with tnpng_close().
typedef struct tnpng_reader tnpng_reader;

/// What tnpng_open() learned from the header, after the reader's transforms are set up.
typedef struct {
    uint32_t width;
    uint32_t height;
    /// Channels per pixel delivered by tnpng_read_row: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    int channels;
    /// Always 8: 16-bit samples are scaled (rounded) to 8 bits; 1, 2 and 4-bit ones expanded.
    int bit_depth;
    /// Bit depth and colour type as stored in the file (IHDR).
    int source_bit_depth;
    int source_color_type;
    /// Non-zero for Adam7-interlaced images. Opened with `deinterlace`, they must be read whole
    /// with tnpng_read_image(); without, their rows come pass by pass (tnpng_read_pass_row).
    int interlaced;
    /// The embedded ICC profile (iCCP), owned by the reader; NULL when there is none.
    const uint8_t *icc;
    size_t icc_length;
} tnpng_info;

/// Called with every run of bytes read from the file, in file order: lets the caller fingerprint
/// the file from the very bytes the decoder reads.
typedef void (*tnpng_observer)(void *context, const uint8_t *bytes, size_t length);

/// Opens `path`, reads the header and sets up the transforms. On failure returns NULL and writes a
/// message into `err`. Images wider or taller than `max_dimension` are refused before any pixel.
/// With `deinterlace`, libpng assembles interlaced images (whole-image reads only). `observer`
/// (may be NULL) sees every byte read, with `context`.
/// Takes ownership of `fd` (an open regular file), closed by tnpng_close() or on failure.
tnpng_reader *tnpng_open(int fd, uint32_t max_dimension, int deinterlace, tnpng_observer observer,
                         void *context, tnpng_info *info, char *err, size_t errlen);

/// Reads the rest of the file (what follows the image data) through the observer, so it has seen
/// every byte. Returns 0, or -1 on a read error.
int tnpng_read_rest(tnpng_reader *reader);

/// Reads the next row into `row` (width * channels bytes). Returns 0, or -1 with tnpng_error() set.
int tnpng_read_row(tnpng_reader *reader, uint8_t *row);

/// Reads the next row of an interlaced image opened without `deinterlace`: the row of Adam7 pass
/// `*pass` (0-6) numbered `*row_in_pass` within that pass's sub-image, its pixels packed (the pass's
/// columns only). Returns 0, or -1 with tnpng_error() set.
int tnpng_read_pass_row(tnpng_reader *reader, uint8_t *row, int *pass, uint32_t *row_in_pass);

/// Reads a whole (interlaced) image into `pixels`, `stride` bytes a row. Returns 0 or -1.
int tnpng_read_image(tnpng_reader *reader, uint8_t *pixels, size_t stride);

/// The message of the last failure of this reader.
const char *tnpng_error(const tnpng_reader *reader);

/// Closes the file and frees the reader.
void tnpng_close(tnpng_reader *reader);

/*
 * The fast path (CPNGFast.c): for 8-bit gray, gray+alpha, RGB, RGBA and palette images, plain or
 * Adam7, the image data is read without libpng once libpng has read the header: ISA-L inflates
 * (checking Adler-32), every IDAT CRC is checked, rows are unfiltered with SSE2 and expanded as
 * the libpng path's transforms do (palette to RGB(A), tRNS to alpha). Any doubt is a failure:
 * the caller then decodes the file again through libpng, the reference.
 */

/// Takes over a reader just opened by tnpng_open() (no row read yet) for the fast path. Returns
/// 0, or -1 with tnpng_error() set when the image is not one it reads (nothing has been read then:
/// the reader goes on with libpng).
int tnpng_fast_begin(tnpng_reader *reader);

/// The next row of a reader on the fast path, in the order tnpng_read_row (plain) or
/// tnpng_read_pass_row (interlaced) delivers it, in the same layout: `width * channels` bytes, or
/// the pass's columns only. Valid until the next call. `*pass` and `*row_in_pass` say where it
/// lies (pass 0 for plain images). The call that returns the last row has also read the rest of
/// the compressed stream and checked its Adler-32 and the last IDAT's CRC. Returns NULL, with
/// tnpng_error() set, on any failure.
const uint8_t *tnpng_fast_next_row(tnpng_reader *reader, int *pass, uint32_t *row_in_pass);

#ifdef __cplusplus
}
#endif
#endif
