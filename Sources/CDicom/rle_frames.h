#ifndef KILN_CDICOM_RLE_FRAMES_H
#define KILN_CDICOM_RLE_FRAMES_H
#include <string>

class DcmDataset;

namespace cdicom {

// Checks the RLE Lossless fragment headers (DICOM PS3.5 Annex G) before DCMTK decodes them:
// one fragment per frame, 1–15 segments, the first at byte 64, offsets increasing and inside
// the fragment. DCMTK 3.6.7's DcmRLEDecoder reads wherever a segment offset points, so a
// single corrupted offset in an upload crashed the server (found by fuzz-dicom). False, with
// the reason in `why`, for a malformed header.
bool rle_frames_well_formed(DcmDataset *dataset, std::string &why);

}  // namespace cdicom

#endif
