#include "image_codec.h"

#include <png.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_message(char *message, const char *text) { snprintf(message, KILN_IMAGE_MESSAGE_SIZE, "%s", text); }

static int decode_png(const uint8_t *bytes, size_t count, uint8_t **pixels, int32_t *width, int32_t *height, char *message) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes, count)) {
    set_message(message, image.message);
    return -1;
  }
  image.format = PNG_FORMAT_GRAY;
  if ((size_t)image.width * image.height > (size_t)64 * 1024 * 1024) {
    png_image_free(&image);
    set_message(message, "image larger than 64 megapixels");
    return -1;
  }
  uint8_t *buffer = malloc(PNG_IMAGE_SIZE(image));
  if (!buffer) {
    png_image_free(&image);
    set_message(message, "out of memory");
    return -1;
  }
  if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
    set_message(message, image.message);
    free(buffer);
    return -1;
  }
  *pixels = buffer;
  *width = (int32_t)image.width;
  *height = (int32_t)image.height;
  return 0;
}

struct jpeg_failure {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char *message;
};

static void jpeg_fail(j_common_ptr info) {
  struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
  char text[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, text);
  set_message(failure->message, text);
  longjmp(failure->jump, 1);
}

static void jpeg_quiet(j_common_ptr info, int level) { (void)info; (void)level; }

static int decode_jpeg(const uint8_t *bytes, size_t count, uint8_t **pixels, int32_t *width, int32_t *height, char *message) {
  struct jpeg_decompress_struct info;
  struct jpeg_failure failure;
  uint8_t *volatile buffer = NULL;
  info.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = jpeg_fail;
  failure.manager.emit_message = jpeg_quiet;
  failure.message = message;
  if (setjmp(failure.jump)) {
    jpeg_destroy_decompress(&info);
    free(buffer);
    return -1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes, (unsigned long)count);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&info);
  if ((size_t)info.output_width * info.output_height > (size_t)64 * 1024 * 1024) {
    set_message(message, "image larger than 64 megapixels");
    jpeg_destroy_decompress(&info);
    return -1;
  }
  buffer = malloc((size_t)info.output_width * info.output_height);
  if (!buffer) {
    set_message(message, "out of memory");
    jpeg_destroy_decompress(&info);
    return -1;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = buffer + (size_t)info.output_scanline * info.output_width;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  *width = (int32_t)info.output_width;
  *height = (int32_t)info.output_height;
  jpeg_destroy_decompress(&info);
  *pixels = buffer;
  return 0;
}

int kiln_image_decode_gray(const uint8_t *bytes, size_t count, uint8_t **pixels, int32_t *width, int32_t *height, char *message) {
  static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (count >= 8 && memcmp(bytes, png_signature, 8) == 0) return decode_png(bytes, count, pixels, width, height, message);
  if (count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return decode_jpeg(bytes, count, pixels, width, height, message);
  set_message(message, "not a PNG or JPEG image");
  return -1;
}

void kiln_image_free(void *pointer) { free(pointer); }
