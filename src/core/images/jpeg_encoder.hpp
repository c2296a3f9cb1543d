// Internal to src/core/images: the one JPEG encoder of the module.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/encoded_image.hpp"

#include <vips/vips.h>

namespace rolloy::images::detail {

// Encodes an 8-bit sRGB image (see to_upright_srgb) as a progressive JPEG with optimised Huffman
// tables and no metadata (no EXIF, XMP or ICC: sRGB is what untagged JPEG means), and hashes it.
// Pixel decoding of a lazily opened image happens here, so decoder errors surface here too.
EncodedImage encode_jpeg(VipsImage *image, int quality);

} // namespace rolloy::images::detail
