// Kiln's DCMTK plugin: the C table declared in cdicom_api.h over dcmdata/dcmimgle. Built as the
// dynamic library product KilnDicom. Every entry point catches what DCMTK might throw.
#include <cmath>
#include "cdicom_api.h"
#include "rle_frames.h"

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmimage/diregist.h"  // colour images (RGB, YBR) for DicomImage
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

struct cdicom_file {
  DcmFileFormat format;
};

namespace {

void set_error(cdicom_error *error, int32_t code, const std::string &message) {
  if (!error) return;
  error->code = code;
  std::snprintf(error->message, CDICOM_MESSAGE_SIZE, "%s", message.c_str());
}

void clear_error(cdicom_error *error) {
  if (error) {
    error->code = CDICOM_OK;
    error->message[0] = '\0';
  }
}

void copy_text(char *out, size_t capacity, const char *text) {
  std::snprintf(out, capacity, "%s", text ? text : "");
}

const char *version() { return OFFIS_DCMTK_VERSION_STRING; }

// A DICOM file has "DICM" after a 128-byte preamble; files written without the preamble start
// with a group 0002 (meta) or 0008 (identifying) attribute. Anything else is not DICOM, even if
// DCMTK's lenient parser manages to read something out of it.
bool looks_like_dicom(const unsigned char *bytes, int64_t count) {
  if (count >= 132 && std::memcmp(bytes + 128, "DICM", 4) == 0) return true;
  if (count < 8) return false;
  const unsigned group = bytes[0] | (bytes[1] << 8);
  return group == 0x0002 || group == 0x0008;
}

cdicom_file *read(const void *bytes, int64_t count, cdicom_error *error) {
  clear_error(error);
  try {
    if (!bytes || !looks_like_dicom(static_cast<const unsigned char *>(bytes), count)) {
      set_error(error, CDICOM_NOT_DICOM, "not a DICOM file (no DICM marker after the 128-byte preamble and no DICOM attribute at the start)");
      return nullptr;
    }
    auto file = std::make_unique<cdicom_file>();
    DcmInputBufferStream stream;
    stream.setBuffer(bytes, static_cast<offile_off_t>(count));
    stream.setEos();
    file->format.transferInit();
    OFCondition status = file->format.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    file->format.transferEnd();
    if (status.bad()) {
      // Truncated: the parser used up every byte and still wanted more (DCMTK reports this as
      // "invalid stream" or "stream notify client" depending on where the data stops).
      const bool truncated = status == EC_StreamNotifyClient || stream.eos() || stream.tell() >= static_cast<offile_off_t>(count);
      set_error(error, truncated ? CDICOM_TRUNCATED : CDICOM_NOT_DICOM,
                std::string(truncated ? "the DICOM file is truncated: " : "the DICOM file cannot be parsed: ") + status.text());
      return nullptr;
    }
    return file.release();
  } catch (...) {
    set_error(error, CDICOM_NOT_DICOM, "the DICOM parser failed on this file");
  }
  return nullptr;
}

void free_file(cdicom_file *file) { delete file; }

DcmItem *item_for(cdicom_file *file, uint16_t group) {
  if (group == 0x0002) return file->format.getMetaInfo();
  return file->format.getDataset();
}

int32_t get_string(cdicom_file *file, uint16_t group, uint16_t element, char *out, int32_t capacity) {
  try {
    OFString value;
    DcmItem *item = item_for(file, group);
    if (!item || item->findAndGetOFStringArray(DcmTagKey(group, element), value).bad()) return -1;
    if (out && capacity > 0) copy_text(out, static_cast<size_t>(capacity), value.c_str());
    return static_cast<int32_t>(value.length());
  } catch (...) {
    return -1;
  }
}

int32_t image_info(cdicom_file *file, cdicom_image_info *info, cdicom_error *error) {
  clear_error(error);
  try {
    std::memset(info, 0, sizeof(*info));
    DcmDataset *dataset = file->format.getDataset();
    Uint16 rows = 0, columns = 0, samples = 1, bits = 0, representation = 0;
    if (!dataset->tagExists(DCM_PixelData) || dataset->findAndGetUint16(DCM_Rows, rows).bad() ||
        dataset->findAndGetUint16(DCM_Columns, columns).bad() || rows == 0 || columns == 0) {
      set_error(error, CDICOM_NO_IMAGE, "the DICOM file holds no image (pixel data, rows or columns missing)");
      return -1;
    }
    dataset->findAndGetUint16(DCM_SamplesPerPixel, samples);
    dataset->findAndGetUint16(DCM_BitsStored, bits);
    dataset->findAndGetUint16(DCM_PixelRepresentation, representation);
    Sint32 frames = 1;
    if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
    OFString photometric;
    dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);

    const E_TransferSyntax syntax = dataset->getOriginalXfer();
    DcmXfer xfer(syntax);
    info->rows = rows;
    info->columns = columns;
    info->frames = frames;
    info->samples_per_pixel = samples;
    info->bits_stored = bits;
    info->is_signed = representation == 1;
    info->decodable = !xfer.isEncapsulated() || DcmCodecList::canChangeCoding(syntax, EXS_LittleEndianExplicit);
    copy_text(info->photometric, sizeof(info->photometric), photometric.c_str());
    copy_text(info->transfer_syntax_uid, sizeof(info->transfer_syntax_uid), xfer.getXferID());
    copy_text(info->transfer_syntax_name, sizeof(info->transfer_syntax_name), xfer.getXferName());
    return 0;
  } catch (...) {
    set_error(error, CDICOM_NO_IMAGE, "cannot read the image attributes");
    return -1;
  }
}

template <typename T>
void widen(const void *data, float *out, unsigned long count) {
  const T *values = static_cast<const T *>(data);
  for (unsigned long i = 0; i < count; ++i) out[i] = static_cast<float>(values[i]);
}

int32_t decode_frame(cdicom_file *file, int32_t frame, float *out, int64_t count, cdicom_error *error) {
  clear_error(error);
  try {
    cdicom_image_info info;
    if (image_info(file, &info, error) != 0) return -1;
    if (!info.decodable) {
      set_error(error, CDICOM_UNSUPPORTED_TRANSFER_SYNTAX,
                std::string("no decoder for transfer syntax ") + info.transfer_syntax_name + " (" + info.transfer_syntax_uid + ")");
      return -1;
    }
    if (frame < 0 || frame >= info.frames) {
      set_error(error, CDICOM_INVALID_ARGUMENT, "frame " + std::to_string(frame) + " is out of range (the file has " + std::to_string(info.frames) + ")");
      return -1;
    }
    const int64_t pixels = static_cast<int64_t>(info.rows) * info.columns;
    if (count < pixels) {
      set_error(error, CDICOM_INVALID_ARGUMENT, "output buffer too small");
      return -1;
    }
    DcmDataset *dataset = file->format.getDataset();
    std::string malformed;
    if (dataset->getOriginalXfer() == EXS_RLELossless && !cdicom::rle_frames_well_formed(dataset, malformed)) {
      set_error(error, CDICOM_DECODE_FAILED, "malformed RLE pixel data: " + malformed);
      return -1;
    }
    // Partial access decodes just this frame and leaves the stored (compressed) representation
    // untouched, so the file can still be saved as it came. The rescale is applied below in
    // floating point: DCMTK's own modality transform keeps an integer representation, which
    // rounds a fractional slope away (an MR slope of 0.001 turned every value into 0 or 1).
    DicomImage image(dataset, dataset->getOriginalXfer(), CIF_UsePartialAccessToPixelData | CIF_IgnoreModalityTransformation,
                     static_cast<unsigned long>(frame), 1);
    if (image.getStatus() != EIS_Normal) {
      set_error(error, CDICOM_DECODE_FAILED, std::string("cannot decode the pixel data: ") + DicomImage::getString(image.getStatus()));
      return -1;
    }
    std::unique_ptr<DicomImage> luminance;
    const DicomImage *monochrome = &image;
    if (!image.isMonochrome()) {
      luminance.reset(image.createMonochromeImage());
      if (!luminance || luminance->getStatus() != EIS_Normal) {
        set_error(error, CDICOM_DECODE_FAILED, "cannot convert the colour image to luminance");
        return -1;
      }
      monochrome = luminance.get();
    }
    const DiPixel *data = monochrome->getInterData();
    if (!data || data->getData() == nullptr || static_cast<int64_t>(data->getCount()) < pixels) {
      set_error(error, CDICOM_DECODE_FAILED, "the decoder returned no pixel values");
      return -1;
    }
    const void *values = data->getData();
    switch (data->getRepresentation()) {
      case EPR_Uint8: widen<Uint8>(values, out, pixels); break;
      case EPR_Sint8: widen<Sint8>(values, out, pixels); break;
      case EPR_Uint16: widen<Uint16>(values, out, pixels); break;
      case EPR_Sint16: widen<Sint16>(values, out, pixels); break;
      case EPR_Uint32: widen<Uint32>(values, out, pixels); break;
      case EPR_Sint32: widen<Sint32>(values, out, pixels); break;
      default:
        set_error(error, CDICOM_DECODE_FAILED, "unsupported pixel representation");
        return -1;
    }
    Float64 slope = 1, intercept = 0;
    if (image.isMonochrome()) {
      if (dataset->findAndGetFloat64(DCM_RescaleSlope, slope).bad() || slope == 0 || !std::isfinite(slope)) slope = 1;
      if (dataset->findAndGetFloat64(DCM_RescaleIntercept, intercept).bad() || !std::isfinite(intercept)) intercept = 0;
    }
    if (slope != 1 || intercept != 0) {
      for (int64_t index = 0; index < pixels; ++index) out[index] = static_cast<float>(out[index] * slope + intercept);
    }
    return 0;
  } catch (...) {
    set_error(error, CDICOM_DECODE_FAILED, "the DICOM decoder failed on this file");
  }
  return -1;
}

int32_t remove_attribute(cdicom_file *file, uint16_t group, uint16_t element) {
  try {
    DcmItem *item = item_for(file, group);
    return item && item->findAndDeleteElement(DcmTagKey(group, element), OFTrue, OFTrue).good() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int32_t put_string(cdicom_file *file, uint16_t group, uint16_t element, const char *value, cdicom_error *error) {
  clear_error(error);
  try {
    OFCondition status = file->format.getDataset()->putAndInsertString(DcmTagKey(group, element), value);
    if (status.good()) return 0;
    set_error(error, CDICOM_INVALID_ARGUMENT, status.text());
  } catch (...) {
    set_error(error, CDICOM_INVALID_ARGUMENT, "cannot set the attribute");
  }
  return -1;
}

int32_t strip_private(DcmItem *item) {
  int32_t removed = 0;
  for (unsigned long index = item->card(); index-- > 0;) {
    DcmElement *element = item->getElement(index);
    if (!element) continue;
    if (element->getTag().isPrivate()) {
      delete item->remove(index);
      ++removed;
    } else if (element->ident() == EVR_SQ) {
      auto *sequence = OFstatic_cast(DcmSequenceOfItems *, element);
      for (unsigned long entry = 0; entry < sequence->card(); ++entry) removed += strip_private(sequence->getItem(entry));
    }
  }
  return removed;
}

int32_t remove_private_attributes(cdicom_file *file) {
  try {
    return strip_private(file->format.getDataset());
  } catch (...) {
    return 0;
  }
}

int32_t save(cdicom_file *file, const char *path, cdicom_error *error) {
  clear_error(error);
  try {
    DcmDataset *dataset = file->format.getDataset();
    OFCondition status = file->format.saveFile(path, dataset->getOriginalXfer());
    if (status.good()) return 0;
    set_error(error, CDICOM_WRITE_FAILED, status.text());
  } catch (...) {
    set_error(error, CDICOM_WRITE_FAILED, "cannot write the DICOM file");
  }
  return -1;
}

const cdicom_api api_table = {
    version, read, free_file, get_string, image_info, decode_frame,
    remove_attribute, put_string, remove_private_attributes, save,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const cdicom_api *cdicom_get_api(void) {
  // Once per process: the decoders DicomImage may need, and DCMTK's logger silenced (its
  // messages can contain attribute values).
  static const bool configured = [] {
    OFLog::configure(OFLogger::OFF_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    return true;
  }();
  (void)configured;
  return &api_table;
}
