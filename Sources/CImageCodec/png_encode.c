// PNG encoding for overlays and previews, written here rather than through libpng so that the
// zlib stream can be compressed in two halves at once: on a 512×512 CT overlay the compression
// is most of the request's time, and a request alone on the machine may use both cores.
//
// The halves are raw deflate streams; the first ends with a sync flush (a byte-aligned, non-final
// block), so the two concatenated are one valid stream, wrapped once in zlib's header and Adler-32
// (combined from the halves'). Each row is "up"-filtered against the row above it in the whole
// image, before the split, so the split changes nothing the decoder sees but the block layout.

#include "image_codec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

/// Images smaller than this are compressed in one piece: a thread costs more than it saves.
static const size_t parallel_threshold = 64 * 1024;

typedef struct {
  const uint8_t *input;
  size_t length;
  int last;
  uint8_t *output;
  size_t output_size;
  uLong adler;
  int failed;
} deflate_part;

static void *compress_part(void *argument) {
  deflate_part *part = argument;
  part->adler = adler32(1L, part->input, (uInt)part->length);
  z_stream stream;
  memset(&stream, 0, sizeof stream);
  // Level 1, raw deflate (no zlib header: the parts are joined under one).
  if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    part->failed = 1;
    return NULL;
  }
  size_t capacity = deflateBound(&stream, part->length) + 64;
  part->output = malloc(capacity);
  if (!part->output) {
    deflateEnd(&stream);
    part->failed = 1;
    return NULL;
  }
  stream.next_in = (Bytef *)part->input;
  stream.avail_in = (uInt)part->length;
  stream.next_out = part->output;
  stream.avail_out = (uInt)capacity;
  int status = deflate(&stream, part->last ? Z_FINISH : Z_SYNC_FLUSH);
  part->failed = part->last ? status != Z_STREAM_END : (status != Z_OK || stream.avail_in != 0);
  part->output_size = capacity - stream.avail_out;
  deflateEnd(&stream);
  return NULL;
}

static void put32(uint8_t *at, uint32_t value) {
  at[0] = (uint8_t)(value >> 24);
  at[1] = (uint8_t)(value >> 16);
  at[2] = (uint8_t)(value >> 8);
  at[3] = (uint8_t)value;
}

/// Writes a chunk (length, type, data, CRC over type and data) at `at`; returns the bytes written.
static size_t put_chunk(uint8_t *at, const char type[4], const uint8_t *data, size_t length) {
  put32(at, (uint32_t)length);
  memcpy(at + 4, type, 4);
  if (length) memcpy(at + 8, data, length);
  put32(at + 8 + length, (uint32_t)crc32(0L, at + 4, (uInt)(4 + length)));
  return 12 + length;
}

static void set_message(char *message, const char *text) { snprintf(message, KILN_IMAGE_MESSAGE_SIZE, "%s", text); }

int kiln_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, uint8_t **png, size_t *size, char *message) {
  size_t row_bytes = (size_t)width * (size_t)channels;
  size_t filtered_length = (row_bytes + 1) * (size_t)height;
  if (width <= 0 || height <= 0 || filtered_length > (size_t)1 << 31) {
    set_message(message, "the image is too large to encode");
    return -1;
  }
  uint8_t *filtered = malloc(filtered_length);
  if (!filtered) {
    set_message(message, "out of memory");
    return -1;
  }
  for (int32_t y = 0; y < height; y++) {
    uint8_t *out = filtered + (size_t)y * (row_bytes + 1);
    const uint8_t *row = pixels + (size_t)y * row_bytes;
    out[0] = 2;  // "up"
    if (y == 0) {
      memcpy(out + 1, row, row_bytes);
    } else {
      const uint8_t *above = row - row_bytes;
      for (size_t x = 0; x < row_bytes; x++) out[1 + x] = (uint8_t)(row[x] - above[x]);
    }
  }

  int two = filtered_length >= parallel_threshold && height >= 2 && sysconf(_SC_NPROCESSORS_ONLN) > 1;
  size_t split = two ? (size_t)(height / 2) * (row_bytes + 1) : filtered_length;
  deflate_part parts[2] = {
      {.input = filtered, .length = split, .last = !two},
      {.input = filtered + split, .length = filtered_length - split, .last = 1},
  };
  pthread_t helper;
  int helped = two && pthread_create(&helper, NULL, compress_part, &parts[0]) == 0;
  if (two && !helped) compress_part(&parts[0]);
  if (two) compress_part(&parts[1]); else compress_part(&parts[0]);
  if (helped) pthread_join(helper, NULL);
  int count = two ? 2 : 1;

  int failed = 0;
  size_t deflated = 0;
  uLong adler = parts[0].adler;
  for (int i = 0; i < count; i++) {
    failed |= parts[i].failed;
    deflated += parts[i].output_size;
  }
  if (two) adler = adler32_combine(parts[0].adler, parts[1].adler, (z_off_t)parts[1].length);
  // Signature, IHDR, one IDAT (zlib header + deflate + Adler-32), IEND.
  size_t total = 8 + (12 + 13) + (12 + 2 + deflated + 4) + 12;
  uint8_t *buffer = failed ? NULL : malloc(total);
  if (!buffer) {
    for (int i = 0; i < 2; i++) free(parts[i].output);
    free(filtered);
    set_message(message, failed ? "zlib could not compress the image" : "out of memory");
    return -1;
  }
  static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  memcpy(buffer, signature, 8);
  uint8_t header[13];
  put32(header, (uint32_t)width);
  put32(header + 4, (uint32_t)height);
  header[8] = 8;                          // bits per sample
  header[9] = channels == 3 ? 2 : 0;      // RGB or grey
  header[10] = header[11] = header[12] = 0;  // deflate, adaptive filtering, no interlace
  size_t at = 8 + put_chunk(buffer + 8, "IHDR", header, 13);
  // zlib header: deflate with a 32 KiB window, "fastest" level; (0x78 << 8 | 0x01) % 31 == 0.
  uint8_t zlib_header[2] = {0x78, 0x01}, trailer[4];
  put32(trailer, (uint32_t)adler);
  // The IDAT's data is the zlib header, the parts, the trailer: gathered into place, then CRC'd.
  size_t idat = at;
  put32(buffer + idat, (uint32_t)(2 + deflated + 4));
  memcpy(buffer + idat + 4, "IDAT", 4);
  size_t data = idat + 8;
  memcpy(buffer + data, zlib_header, 2);
  size_t offset = data + 2;
  for (int i = 0; i < count; i++) {
    memcpy(buffer + offset, parts[i].output, parts[i].output_size);
    offset += parts[i].output_size;
  }
  memcpy(buffer + offset, trailer, 4);
  offset += 4;
  put32(buffer + offset, (uint32_t)crc32(0L, buffer + idat + 4, (uInt)(offset - idat - 4)));
  at = offset + 4;
  at += put_chunk(buffer + at, "IEND", NULL, 0);

  for (int i = 0; i < 2; i++) free(parts[i].output);
  free(filtered);
  *png = buffer;
  *size = at;
  return 0;
}
