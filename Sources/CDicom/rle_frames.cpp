#include "rle_frames.h"

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dctk.h"

namespace cdicom {

namespace {

uint32_t little_endian_u32(const Uint8 *bytes) {
  return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 | static_cast<uint32_t>(bytes[2]) << 16 |
         static_cast<uint32_t>(bytes[3]) << 24;
}

}  // namespace

bool rle_frames_well_formed(DcmDataset *dataset, std::string &why) {
  DcmElement *element = nullptr;
  if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    why = "the file has no pixel data";
    return false;
  }
  DcmPixelSequence *sequence = nullptr;
  auto *pixels = static_cast<DcmPixelData *>(element);
  if (pixels->getEncapsulatedRepresentation(EXS_RLELossless, nullptr, sequence).bad() || sequence == nullptr) {
    why = "the pixel data is not encapsulated";
    return false;
  }
  // Item 0 is the basic offset table; every later item is one frame's fragment.
  for (unsigned long index = 1; index < sequence->card(); ++index) {
    DcmPixelItem *item = nullptr;
    Uint8 *bytes = nullptr;
    if (sequence->getItem(item, index).bad() || item == nullptr || item->getUint8Array(bytes).bad()) {
      why = "fragment " + std::to_string(index) + " cannot be read";
      return false;
    }
    const uint32_t length = item->getLength();
    if (bytes == nullptr || length < 64) {
      why = "fragment " + std::to_string(index) + " is shorter than its 64-byte RLE header";
      return false;
    }
    const uint32_t segments = little_endian_u32(bytes);
    if (segments < 1 || segments > 15) {
      why = "fragment " + std::to_string(index) + " declares " + std::to_string(segments) + " segments (1 to 15 allowed)";
      return false;
    }
    uint32_t previous = 0;
    for (uint32_t segment = 0; segment < segments; ++segment) {
      const uint32_t offset = little_endian_u32(bytes + 4 + 4 * segment);
      const bool placed = segment == 0 ? offset == 64 : offset > previous;
      if (!placed || offset >= length) {
        why = "segment " + std::to_string(segment + 1) + " of fragment " + std::to_string(index) + " starts at byte " +
              std::to_string(offset) + ", outside its " + std::to_string(length) + "-byte fragment or out of order";
        return false;
      }
      previous = offset;
    }
  }
  return true;
}

}  // namespace cdicom
