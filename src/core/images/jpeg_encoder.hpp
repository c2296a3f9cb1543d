// Internal to src/core/images: the one JPEG encoder of the module.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/encoded_image.hpp"
#include "core/images/resample.hpp"

#include <vips/vips.h>

namespace rolloy::images::detail {

// Progressive for full-size images (they appear while loading); baseline for thumbnails, which
// arrive in one piece anyway and encode in half the time.
enum class JpegScans { Progressive, Baseline };

// Encodes an 8-bit sRGB image (see to_upright_srgb) as a JPEG with optimised Huffman tables and
// no metadata (no EXIF, XMP or ICC: sRGB is what untagged JPEG means), and hashes it.
// Pixel decoding of a lazily opened image happens here, so decoder errors surface here too.
EncodedImage encode_jpeg(VipsImage *image, int quality, JpegScans scans = JpegScans::Progressive);

// The same for 8-bit sRGB pixels in memory (3 bands, rows packed), encoded by libjpeg directly.
EncodedImage encode_jpeg(const std::uint8_t *pixels, int width, int height, int quality, JpegScans scans);
EncodedImage encode_jpeg(const Pixels &pixels, int quality, JpegScans scans);

} // namespace rolloy::images::detail
