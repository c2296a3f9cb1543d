// What the worker stores for each generated image: the re-encoded image and its thumbnail.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/encoded_image.hpp"
#include "core/images/validate.hpp"

#include <string_view>

namespace rolloy::images {

struct ProcessedImage {
    DecodedInfo source;     // what the provider sent
    EncodedImage image;     // full size, upright, progressive JPEG q85, sRGB, no metadata
    EncodedImage thumbnail; // 300 x 300 cover crop, baseline JPEG q70
};

// Validates a provider's result against `limits` (byte size, format, dimensions - before any
// pixel is decoded), applies EXIF rotation, converts to sRGB, flattens transparency onto white,
// strips metadata and re-encodes it as a progressive JPEG at quality 85; makes the 300 x 300
// thumbnail; fingerprints both with SHA-256. Throws rolloy::Error as validate() does.
ProcessedImage process_result(std::string_view bytes, const Limits &limits = Limits{});

} // namespace rolloy::images
