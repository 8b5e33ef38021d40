// PNG and JPEG for 8-bit images, in plain C so that libpng's and libjpeg's setjmp/longjmp error
// handling never crosses into Swift: decoding through libpng's simplified API and libjpeg-turbo,
// PNG encoding on zlib directly (png_encode.c: the stream compressed in two halves at once).
#ifndef KILN_IMAGE_CODEC_H
#define KILN_IMAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define KILN_IMAGE_MESSAGE_SIZE 256

// Decodes a PNG or JPEG (chosen by its signature) to 8-bit luminance, row-major. On success
// *pixels is malloc'ed (free with kiln_image_free) and 0 is returned; otherwise `message` says why.
int kiln_image_decode_gray(const uint8_t *bytes, size_t count, uint8_t **pixels, int32_t *width, int32_t *height,
                           char message[KILN_IMAGE_MESSAGE_SIZE]);

// Encodes 8-bit RGB (channels 3) or gray (channels 1) pixels as PNG into a malloc'ed buffer:
// zlib level 1, every row "up"-filtered, one IDAT.
int kiln_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, uint8_t **png, size_t *size,
                    char message[KILN_IMAGE_MESSAGE_SIZE]);

void kiln_image_free(void *pointer);

#endif
