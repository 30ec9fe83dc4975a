/* Writes a HEIC whose colour is signalled by an nclx colr box: libheif 1.15's heif-enc ignores
 * its --colour_primaries/--transfer_characteristic/--matrix_coefficients for HEVC. Reads a binary
 * PPM (P6, 8-bit) and encodes it with x265, the nclx given written and used for the RGB->YCbCr
 * matrix. Usage: heif-nclx IN.ppm PRIMARIES TRANSFER MATRIX FULLRANGE QUALITY OUT.heic */
#include <libheif/heif.h>
#include <stdio.h>
#include <stdlib.h>

static void check(const char *what, struct heif_error e) {
  if (e.code == heif_error_Ok) return;
  fprintf(stderr, "heif-nclx: %s: %s\n", what, e.message);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 8) { fprintf(stderr, "usage: heif-nclx IN.ppm PRIMARIES TRANSFER MATRIX FULLRANGE QUALITY OUT.heic\n"); return 64; }
  FILE *in = fopen(argv[1], "rb");
  int width, height, max;
  if (!in || fscanf(in, "P6 %d %d %d", &width, &height, &max) != 3 || max != 255 || fgetc(in) == EOF) {
    fprintf(stderr, "heif-nclx: %s is not an 8-bit binary PPM\n", argv[1]);
    return 1;
  }
  struct heif_image *image;
  check("image", heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image));
  check("plane", heif_image_add_plane(image, heif_channel_interleaved, width, height, 8));
  int stride;
  uint8_t *plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < height; y++)
    if (fread(plane + (size_t)y * stride, 3, width, in) != (size_t)width) { fprintf(stderr, "heif-nclx: short PPM\n"); return 1; }
  fclose(in);
  struct heif_color_profile_nclx *nclx = heif_nclx_color_profile_alloc();
  check("primaries", heif_nclx_color_profile_set_color_primaries(nclx, atoi(argv[2])));
  check("transfer", heif_nclx_color_profile_set_transfer_characteristics(nclx, atoi(argv[3])));
  check("matrix", heif_nclx_color_profile_set_matrix_coefficients(nclx, atoi(argv[4])));
  nclx->full_range_flag = atoi(argv[5]) != 0;
  check("image nclx", heif_image_set_nclx_color_profile(image, nclx));
  struct heif_context *context = heif_context_alloc();
  struct heif_encoder *encoder;
  check("encoder", heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder));
  check("quality", heif_encoder_set_lossy_quality(encoder, atoi(argv[6])));
  struct heif_encoding_options *options = heif_encoding_options_alloc();
  options->output_nclx_profile = nclx;
  // On by default: libheif leaves the nclx box out of HEVC files for macOS's sake.
  options->macOS_compatibility_workaround_no_nclx_profile = 0;
  check("encode", heif_context_encode_image(context, image, encoder, options, NULL));
  check("write", heif_context_write_to_file(context, argv[7]));
  return 0;
}
