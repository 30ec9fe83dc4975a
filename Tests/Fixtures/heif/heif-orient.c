/* Writes a HEIC whose primary image carries irot/imir: libheif 1.15's heif-enc cannot, its
 * library can (heif_encoding_options.image_orientation). Reads a binary PPM (P6, 8-bit),
 * stores its pixels as they are, and adds the transformations that display them with the
 * given EXIF orientation. Usage: heif-orient IN.ppm ORIENTATION QUALITY OUT.heic */
#include <libheif/heif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, struct heif_error e) {
  if (e.code == heif_error_Ok) return 0;
  fprintf(stderr, "heif-orient: %s: %s\n", what, e.message);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: heif-orient IN.ppm ORIENTATION QUALITY OUT.heic\n"); return 64; }
  FILE *in = fopen(argv[1], "rb");
  int width, height, max;
  if (!in || fscanf(in, "P6 %d %d %d", &width, &height, &max) != 3 || max != 255 || fgetc(in) == EOF) {
    fprintf(stderr, "heif-orient: %s is not an 8-bit binary PPM\n", argv[1]);
    return 1;
  }
  struct heif_image *image;
  fail("image", heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image));
  fail("plane", heif_image_add_plane(image, heif_channel_interleaved, width, height, 8));
  int stride;
  uint8_t *plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < height; y++)
    if (fread(plane + (size_t)y * stride, 3, width, in) != (size_t)width) { fprintf(stderr, "heif-orient: short PPM\n"); return 1; }
  fclose(in);
  struct heif_context *context = heif_context_alloc();
  struct heif_encoder *encoder;
  fail("encoder", heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder));
  fail("quality", heif_encoder_set_lossy_quality(encoder, atoi(argv[3])));
  struct heif_encoding_options *options = heif_encoding_options_alloc();
  options->image_orientation = (enum heif_orientation)atoi(argv[2]);
  fail("encode", heif_context_encode_image(context, image, encoder, options, NULL));
  fail("write", heif_context_write_to_file(context, argv[4]));
  return 0;
}
