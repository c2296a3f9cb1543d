#include "core/images/process_result.hpp"

#include "core/images/decoder.hpp"
#include "core/images/jpeg_encoder.hpp"
#include "core/images/thumbnail.hpp"

namespace rolloy::images {
namespace {

constexpr int kImageQuality = 85;
constexpr int kThumbnailSize = 300;
constexpr int kThumbnailQuality = 70;

} // namespace

ProcessedImage process_result(std::string_view bytes, const Limits &limits) {
    detail::VipsSession session;
    ProcessedImage processed;
    {
        // Decoding streams straight into the encoder: a full-size decoded copy exists only when
        // an EXIF rotation needs one.
        detail::OpenedImage opened = detail::open_image(bytes, limits);
        processed.source = opened.info;
        detail::ImageRef upright = detail::to_upright_srgb(opened);
        processed.image = detail::encode_jpeg(upright.get(), kImageQuality);
    }
    // The thumbnail is made from the original bytes, not the re-encoded JPEG: no second
    // generation loss, and large JPEGs decode faster at reduced size (shrink-on-load).
    processed.thumbnail = make_thumbnail(bytes, kThumbnailSize, kThumbnailQuality, limits);
    return processed;
}

} // namespace rolloy::images
