#include "core/images/process_result.hpp"

#include "core/images/decoded_pixels.hpp"
#include "core/images/decoder.hpp"
#include "core/images/jpeg_encoder.hpp"
#include "core/images/square_thumbnail.hpp"
#include "core/images/thumbnail.hpp"

namespace rolloy::images {
namespace {

constexpr int kImageQuality = 85;
constexpr int kThumbnailSize = 300;
constexpr int kThumbnailQuality = 70;
// Up to this size (12 MB of decoded sRGB) the result is decoded once into memory and both
// encodings read from there; larger images stream twice instead of holding their pixels.
constexpr std::int64_t kDecodeOnceMaxPixels = 2048 * 2048;

} // namespace

ProcessedImage process_result(std::string_view bytes, const Limits &limits) {
    detail::VipsSession session;
    ProcessedImage processed;
    detail::OpenedImage opened = detail::open_image(bytes, limits);
    processed.source = opened.info;
    if (std::int64_t(opened.info.width) * opened.info.height <= kDecodeOnceMaxPixels) {
        // Provider results (about 1 megapixel) take this path: one decode instead of two, which
        // for PNG (no reduced-size decoding) is most of the work.
        detail::ImageRef upright = detail::to_upright_srgb(opened);
        const detail::DecodedPixels pixels(upright.get());
        processed.image = detail::encode_jpeg(pixels.data(), pixels.width(), pixels.height(), kImageQuality,
                                              detail::JpegScans::Progressive);
        processed.thumbnail = detail::square_thumbnail(pixels.data(), pixels.width(), pixels.height(),
                                                       kThumbnailSize, kThumbnailQuality);
        return processed;
    }
    {
        // Decoding streams straight into the encoder: a full-size decoded copy exists only when
        // an EXIF rotation needs one.
        detail::ImageRef upright = detail::to_upright_srgb(opened);
        processed.image = detail::encode_jpeg(upright.get(), kImageQuality);
    }
    // The thumbnail is made from the original bytes, not the re-encoded JPEG: no second
    // generation loss, and large JPEGs decode faster at reduced size (shrink-on-load).
    processed.thumbnail = make_thumbnail(bytes, kThumbnailSize, kThumbnailQuality, limits);
    return processed;
}

} // namespace rolloy::images
