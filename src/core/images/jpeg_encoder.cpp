#include "core/images/jpeg_encoder.hpp"

#include "core/common/sha256.hpp"
#include "core/images/vips_support.hpp"

#include <algorithm>

namespace rolloy::images::detail {

EncodedImage encode_jpeg(VipsImage *image, int quality, JpegScans scans) {
    void *buffer = nullptr;
    std::size_t length = 0;
    const int rc = vips_jpegsave_buffer(image, &buffer, &length, "Q", std::clamp(quality, 1, 100),
                                        "interlace", scans == JpegScans::Progressive ? TRUE : FALSE, "optimize_coding", TRUE, "strip", TRUE, nullptr);
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

EncodedImage encode_jpeg(const Pixels &pixels, int quality, JpegScans scans) {
    // Wraps the caller's buffer without copying it; the encoder reads it before returning.
    ImageRef image(vips_image_new_from_memory(pixels.data.data(), pixels.data.size(), pixels.width,
                                              pixels.height, pixels.bands, VIPS_FORMAT_UCHAR));
    if (!image.get()) throw_vips_error(ErrorKind::Internal, "the thumbnail could not be prepared");
    return encode_jpeg(image.get(), quality, scans);
}

} // namespace rolloy::images::detail
