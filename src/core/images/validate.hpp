// Accepting an image: is it an image, in a format we decode, of sane size, and intact?
#pragma once
#include "core/common/core_only.hpp"

#include "core/common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rolloy::images {

// What an image may be. The defaults fit provider results (~1-4 MP) and phone photos (12-48 MP).
struct Limits {
    std::size_t max_bytes = 32u << 20;    // encoded size
    int max_width = 16384;                // stored (not rotated) width
    int max_height = 16384;               // stored height
    std::int64_t max_pixels = 50'000'000; // width * height: the decompression-bomb guard
};

// What validate() learnt from the image.
struct DecodedInfo {
    std::string mime; // sniffed media type, e.g. "image/png"
    int width = 0;    // as stored, before EXIF rotation
    int height = 0;
    int bands = 0;       // channels incl. alpha: 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha
    int orientation = 1; // EXIF orientation 1-8 (1 = upright)
    bool has_alpha = false;

    // Size once EXIF rotation is applied (orientations 5-8 swap width and height).
    int upright_width() const { return orientation >= 5 ? height : width; }
    int upright_height() const { return orientation >= 5 ? width : height; }
};

// Checks, in order and before any pixel is decoded: byte size, format (by magic bytes; JPEG,
// PNG, WebP, GIF are accepted), header readable, width/height/pixel count within limits. Then
// decodes every pixel once, streaming, to prove the data is intact (truncated or corrupt files
// fail here). Throws rolloy::Error: InvalidInput for "not an image / not accepted / too big",
// DataCorrupted for a file of an accepted format that cannot be decoded.
DecodedInfo validate(std::string_view bytes, const Limits &limits = Limits{});

} // namespace rolloy::images
