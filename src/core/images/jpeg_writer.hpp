// Internal to src/core/images: JPEG encoding of pixels already in memory with libjpeg(-turbo)
// directly. libvips' saver runs the same library behind its tile pipeline and a worker thread,
// which cost 0.3-0.7 ms per image on top of the encoding - as much as encoding a thumbnail.
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <string>

namespace rolloy::images::detail {

// Interleaved 8-bit pixels, 1 (grey) or 3 (sRGB) bands, rows packed. Optimised Huffman tables,
// no metadata beyond the JFIF header. Throws rolloy::Error (Internal) when libjpeg fails.
std::string write_jpeg(const std::uint8_t *pixels, int width, int height, int bands, int quality,
                       bool progressive);

} // namespace rolloy::images::detail
