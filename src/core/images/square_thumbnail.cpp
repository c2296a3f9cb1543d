#include "core/images/square_thumbnail.hpp"

#include "core/images/decoder.hpp"
#include "core/images/jpeg_encoder.hpp"
#include "core/images/resample.hpp"

#include <cstdint>

namespace rolloy::images::detail {
namespace {

constexpr std::int64_t kInMemoryMaxPixels = 2048 * 2048;

} // namespace

EncodedImage square_thumbnail(VipsImage *upright, int size, int quality) {
    const int width = vips_image_get_width(upright);
    const int height = vips_image_get_height(upright);
    if (std::int64_t(width) * height > kInMemoryMaxPixels) {
        ImageRef square = cover_crop(upright, size, size);
        return encode_jpeg(square.get(), quality, JpegScans::Baseline);
    }
    // An image already in memory is shared, not copied.
    ImageRef pixels = in_memory(upright);
    const auto *data = static_cast<const std::uint8_t *>(VIPS_IMAGE_ADDR(pixels.get(), 0, 0));
    const Pixels square =
        resample(data, width, height, pixels.bands(), cover_box(width, height, size, size), size, size);
    return encode_jpeg(square, quality, JpegScans::Baseline);
}

} // namespace rolloy::images::detail
