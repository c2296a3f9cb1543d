#include "core/images/jpeg_encoder.hpp"

#include "core/common/sha256.hpp"
#include "core/images/jpeg_writer.hpp"
#include "core/images/vips_support.hpp"

#include <algorithm>

namespace rolloy::images::detail {

EncodedImage encode_jpeg(VipsImage *image, int quality, JpegScans scans) {
    void *buffer = nullptr;
    std::size_t length = 0;
    const int rc = vips_jpegsave_buffer(image, &buffer, &length, "Q", std::clamp(quality, 1, 100),
                                        "interlace", scans == JpegScans::Progressive ? TRUE : FALSE,
                                        "optimize_coding", TRUE, "strip", TRUE, nullptr);
    // The pixels are decoded while encoding, so a failure here is most often damaged input.
    check(rc, ErrorKind::DataCorrupted, "the image is damaged and could not be converted to JPEG");
    EncodedImage encoded;
    encoded.bytes.assign(static_cast<const char *>(buffer), length);
    g_free(buffer);
    encoded.mime = "image/jpeg";
    encoded.width = vips_image_get_width(image);
    encoded.height = vips_image_get_height(image);
    encoded.sha256 = sha256_hex(encoded.bytes);
    return encoded;
}

EncodedImage encode_jpeg(const std::uint8_t *pixels, int width, int height, int quality, JpegScans scans) {
    EncodedImage encoded;
    encoded.bytes = write_jpeg(pixels, width, height, 3, quality, scans == JpegScans::Progressive);
    encoded.mime = "image/jpeg";
    encoded.width = width;
    encoded.height = height;
    encoded.sha256 = sha256_hex(encoded.bytes);
    return encoded;
}

EncodedImage encode_jpeg(const Pixels &pixels, int quality, JpegScans scans) {
    if (pixels.bands != 3) throw Error(ErrorKind::Internal, "a thumbnail must have 3 bands");
    return encode_jpeg(pixels.data.data(), pixels.width, pixels.height, quality, scans);
}

} // namespace rolloy::images::detail
