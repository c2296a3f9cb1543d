#include "core/images/square_thumbnail.hpp"

#include "core/images/decoded_pixels.hpp"
#include "core/images/decoder.hpp"
#include "core/images/jpeg_encoder.hpp"
#include "core/images/resample.hpp"

namespace rolloy::images::detail {
namespace {

constexpr std::int64_t kInMemoryMaxPixels = 2048 * 2048;

} // namespace

EncodedImage square_thumbnail(const std::uint8_t *pixels, int width, int height, int size, int quality) {
    const Pixels square =
        resample(pixels, width, height, 3, cover_box(width, height, size, size), size, size);
    return encode_jpeg(square, quality, JpegScans::Baseline);
}

EncodedImage square_thumbnail(VipsImage *upright, int size, int quality) {
    const int width = vips_image_get_width(upright);
    const int height = vips_image_get_height(upright);
    if (std::int64_t(width) * height > kInMemoryMaxPixels) {
        ImageRef square = cover_crop(upright, size, size);
        return encode_jpeg(square.get(), quality, JpegScans::Baseline);
    }
    const DecodedPixels pixels(upright);
    return square_thumbnail(pixels.data(), width, height, size, quality);
}

} // namespace rolloy::images::detail
