// Internal to src/core/images: the square cover thumbnail of a decoded image, shared by
// make_thumbnail (uploads) and process_result (provider results).
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/encoded_image.hpp"

#include <vips/vips.h>

#include <cstdint>

namespace rolloy::images::detail {

// A `size` x `size` baseline JPEG covering the square (scaled until it fills it, the centre
// kept; small images are scaled up) of an 8-bit, 3-band sRGB image (see to_upright_srgb).
// Images up to 2048 x 2048 are resized in memory by resample(); larger ones stream through
// libvips instead of holding their pixels.
EncodedImage square_thumbnail(VipsImage *upright, int size, int quality);

// The same from decoded upright sRGB pixels (3 bands, rows packed).
EncodedImage square_thumbnail(const std::uint8_t *pixels, int width, int height, int size, int quality);

} // namespace rolloy::images::detail
