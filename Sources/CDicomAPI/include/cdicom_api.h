// The C interface of Kiln's DCMTK plugin (libKilnDicom.so).
//
// DCMTK is a C++ library, so a thin C++ shim (CDicom) sits behind this table, built as a plugin
// like the libtorch one: loaded with dlopen the first time a DICOM file arrives, so a server that
// never sees one pays nothing. No C++ exception crosses it, and DCMTK's own logging is switched
// off (its warnings can quote attribute values, i.e. patient data).
#ifndef CDICOM_API_H
#define CDICOM_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CDICOM_MESSAGE_SIZE 512

typedef enum {
  CDICOM_OK = 0,
  CDICOM_NOT_DICOM = 1,                   // no DICOM structure could be parsed
  CDICOM_TRUNCATED = 2,                   // the data ends before the attributes it declares
  CDICOM_UNSUPPORTED_TRANSFER_SYNTAX = 3, // encoded in a syntax no registered codec decodes
  CDICOM_NO_IMAGE = 4,                    // no pixel data, or image attributes missing/invalid
  CDICOM_DECODE_FAILED = 5,               // the codec failed on the pixel data
  CDICOM_INVALID_ARGUMENT = 6,            // frame out of range, buffer too small
  CDICOM_WRITE_FAILED = 7
} cdicom_status;

typedef struct {
  int32_t code;  // a cdicom_status
  char message[CDICOM_MESSAGE_SIZE];
} cdicom_error;

typedef struct {
  int32_t rows;
  int32_t columns;
  int32_t frames;
  int32_t samples_per_pixel;
  int32_t bits_stored;
  int32_t is_signed;
  int32_t decodable;  // a codec for the transfer syntax is registered (or none is needed)
  char photometric[32];
  char transfer_syntax_uid[68];
  char transfer_syntax_name[96];
} cdicom_image_info;

typedef struct cdicom_file cdicom_file;

typedef struct {
  const char *(*version)(void);
  // Parses a whole DICOM file (with or without the 128-byte preamble) held in memory; the
  // bytes are copied, so the caller may free them afterwards.
  cdicom_file *(*read)(const void *bytes, int64_t count, cdicom_error *error);
  void (*free_file)(cdicom_file *file);
  // A top-level attribute as text (several values joined by '\'). Returns the full length and
  // copies at most capacity-1 bytes plus NUL; -1 when the attribute is absent.
  int32_t (*get_string)(cdicom_file *file, uint16_t group, uint16_t element, char *out, int32_t capacity);
  int32_t (*image_info)(cdicom_file *file, cdicom_image_info *info, cdicom_error *error);
  // Decodes frame `frame` (0-based) into rows*columns floats: modality values (rescale slope and
  // intercept applied, e.g. Hounsfield units for CT); colour frames become luminance. The
  // dataset's stored representation is left as it was, so `save` writes the original encoding.
  int32_t (*decode_frame)(cdicom_file *file, int32_t frame, float *out, int64_t count, cdicom_error *error);
  // De-identification primitives; the policy (which attributes) lives in Swift.
  // Removes every occurrence of the attribute, including inside sequences. Returns how many.
  int32_t (*remove_attribute)(cdicom_file *file, uint16_t group, uint16_t element);
  // Sets a top-level attribute to `value` (creating it); 0 on success.
  int32_t (*put_string)(cdicom_file *file, uint16_t group, uint16_t element, const char *value, cdicom_error *error);
  // Removes all private (odd-group) attributes at every nesting level. Returns how many.
  int32_t (*remove_private_attributes)(cdicom_file *file);
  // Writes the file (meta header + dataset) in its original transfer syntax.
  int32_t (*save)(cdicom_file *file, const char *path, cdicom_error *error);
} cdicom_api;

typedef const cdicom_api *(*cdicom_get_api_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
