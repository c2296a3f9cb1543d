#include "core/images/decoder.hpp"

#include "core/images/mime_sniff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace rolloy::images::detail {
namespace {

std::string format_name(const std::string &mime) {
    if (mime == "image/jpeg") return "JPEG";
    if (mime == "image/png") return "PNG";
    if (mime == "image/webp") return "WebP";
    if (mime == "image/gif") return "GIF";
    return mime;
}

std::string megabytes(std::size_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / (1024.0 * 1024.0));
    return text;
}

std::string megapixels(std::int64_t pixels) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f megapixels", double(pixels) / 1e6);
    return text;
}

// Opens with the loader of the sniffed format only: libvips' own format guessing would also
// consider every other loader it has.
ImageRef load(std::string_view bytes, const std::string &mime, int jpeg_shrink) {
    // libvips takes a non-const pointer but only reads the buffer.
    void *data = const_cast<char *>(bytes.data());
    const std::size_t size = bytes.size();
    const VipsAccess access = VIPS_ACCESS_SEQUENTIAL;
    const VipsFailOn fail_on = VIPS_FAIL_ON_ERROR; // truncation and decoder errors, not warnings
    ImageRef image;
    int rc = -1;
    if (mime == "image/jpeg")
        rc = vips_jpegload_buffer(data, size, image.out(), "access", access, "fail_on", fail_on, "shrink",
                                  jpeg_shrink, nullptr);
    else if (mime == "image/png")
        rc = vips_pngload_buffer(data, size, image.out(), "access", access, "fail_on", fail_on, nullptr);
    else if (mime == "image/webp")
        rc = vips_webpload_buffer(data, size, image.out(), "access", access, "fail_on", fail_on, nullptr);
    else if (mime == "image/gif")
        rc = vips_gifload_buffer(data, size, image.out(), "access", access, "fail_on", fail_on, nullptr);
    check(rc, ErrorKind::DataCorrupted,
          ("the " + format_name(mime) + " image is damaged and cannot be read").c_str());
    return image;
}

void check_dimensions(const DecodedInfo &info, const Limits &limits) {
    if (info.width < 1 || info.height < 1) throw Error(ErrorKind::DataCorrupted, "the image has no pixels");
    if (info.width > limits.max_width || info.height > limits.max_height)
        throw Error(ErrorKind::InvalidInput,
                    "the image is too large: " + std::to_string(info.width) + " x " +
                        std::to_string(info.height) + " pixels",
                    "the limit is " + std::to_string(limits.max_width) + " x " +
                        std::to_string(limits.max_height) + " pixels",
                    "scale the image down before uploading it");
    const std::int64_t pixels = std::int64_t(info.width) * info.height;
    if (pixels > limits.max_pixels)
        throw Error(ErrorKind::InvalidInput, "the image is too large: " + megapixels(pixels),
                    "the limit is " + megapixels(limits.max_pixels),
                    "scale the image down before uploading it");
}

ImageRef take(VipsImage *image) {
    return ImageRef(image);
}

ImageRef share(VipsImage *image) {
    g_object_ref(image);
    return ImageRef(image);
}

} // namespace

OpenedImage open_image(std::string_view bytes, const Limits &limits, int jpeg_shrink) {
    if (bytes.empty()) throw Error(ErrorKind::InvalidInput, "the image is empty");
    if (bytes.size() > limits.max_bytes)
        throw Error(ErrorKind::InvalidInput, "the image file is too large: " + megabytes(bytes.size()),
                    "the limit is " + megabytes(limits.max_bytes));
    OpenedImage opened;
    opened.info.mime = sniff_mime(bytes);
    if (opened.info.mime.empty())
        throw Error(ErrorKind::InvalidInput, "the data is not an image",
                    "its first bytes match no known image format", "send a JPEG, PNG, WebP or GIF file");
    if (!is_supported_mime(opened.info.mime))
        throw Error(ErrorKind::InvalidInput, "unsupported image format: " + opened.info.mime, "",
                    "convert the image to JPEG, PNG, WebP or GIF");

    // Only the header is read here: the dimension checks run before any pixel is decoded.
    opened.image = load(bytes, opened.info.mime, 1);
    DecodedInfo &info = opened.info;
    info.width = opened.image.width();
    info.height = opened.image.height();
    info.bands = opened.image.bands();
    info.has_alpha = vips_image_hasalpha(opened.image.get());
    info.orientation = std::clamp(vips_image_get_orientation(opened.image.get()), 1, 8);
    check_dimensions(info, limits);

    if (jpeg_shrink > 1 && info.mime == "image/jpeg") opened.image = load(bytes, info.mime, jpeg_shrink);
    return opened;
}

int jpeg_shrink_for(const DecodedInfo &info, int width, int height, bool fast) {
    if (info.mime != "image/jpeg") return 1;
    const double scale =
        std::max(double(width) / info.upright_width(), double(height) / info.upright_height());
    const double shrink = (fast ? 1.0 : 0.5) / scale;
    for (int factor : {8, 4, 2})
        if (shrink >= factor) return factor;
    return 1;
}

ImageRef to_upright_srgb(const OpenedImage &opened) {
    ImageRef current = share(opened.image.get());
    const ErrorKind corrupt = ErrorKind::DataCorrupted;

    if (vips_image_get_orientation(current.get()) != 1) {
        // Rotating reads the image out of order, which a streaming (sequential) image refuses;
        // decode into memory first (never to a temporary file). The size is bounded by Limits.
        ImageRef pixels = in_memory(current.get());
        ImageRef rotated;
        check(vips_autorot(pixels.get(), rotated.out(), nullptr), corrupt, "the image could not be rotated");
        current = std::move(rotated);
    }

    ImageRef srgb;
    bool converted = false;
    if (vips_image_get_typeof(current.get(), VIPS_META_ICC_NAME)) {
        converted = vips_icc_transform(current.get(), srgb.out(), "srgb", "embedded", TRUE, "intent",
                                       VIPS_INTENT_PERCEPTUAL, nullptr) == 0;
        // A broken embedded profile is common enough; fall back to the plain conversion.
        if (!converted) clear_vips_error();
    }
    if (!converted)
        check(vips_colourspace(current.get(), srgb.out(), VIPS_INTERPRETATION_sRGB, nullptr), corrupt,
              "the image's colours could not be converted to sRGB");
    current = std::move(srgb);

    if (vips_image_hasalpha(current.get())) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        ImageRef flat;
        const int rc = vips_flatten(current.get(), flat.out(), "background", white, nullptr);
        vips_area_unref(VIPS_AREA(white));
        check(rc, corrupt, "the image's transparency could not be flattened");
        current = std::move(flat);
    }
    if (current.bands() > 3) {
        ImageRef three;
        check(vips_extract_band(current.get(), three.out(), 0, "n", 3, nullptr), corrupt,
              "the image's colour channels could not be read");
        current = std::move(three);
    }
    if (vips_image_get_format(current.get()) != VIPS_FORMAT_UCHAR) {
        ImageRef bytes8;
        check(vips_cast_uchar(current.get(), bytes8.out(), nullptr), corrupt,
              "the image could not be converted to 8 bits");
        current = std::move(bytes8);
    }
    if (current.bands() != 3)
        throw Error(ErrorKind::DataCorrupted, "the image has an unsupported colour layout",
                    std::to_string(current.bands()) + " channels after conversion to sRGB");
    return current;
}

ImageRef in_memory(VipsImage *image) {
    ImageRef pixels = take(vips_image_copy_memory(image));
    if (!pixels.get()) throw_vips_error(ErrorKind::DataCorrupted, "the image is damaged and cannot be read");
    return pixels;
}

ImageRef cover_crop(VipsImage *in, int width, int height, double zoom, double anchor_x, double anchor_y) {
    const int in_width = vips_image_get_width(in);
    const int in_height = vips_image_get_height(in);
    const double scale = std::max(1.0, zoom) * std::max(double(width) / in_width, double(height) / in_height);
    // Scale each axis so the covering size is a whole number of pixels.
    const long scaled_width = std::max<long>(width, std::lround(in_width * scale));
    const long scaled_height = std::max<long>(height, std::lround(in_height * scale));
    ImageRef resized;
    check(vips_resize(in, resized.out(), double(scaled_width) / in_width, "vscale",
                      double(scaled_height) / in_height, nullptr),
          ErrorKind::DataCorrupted, "the image could not be resized");

    // Rounding inside libvips can leave the result a pixel short: extend the edge if so.
    if (resized.width() < width || resized.height() < height) {
        ImageRef padded;
        check(vips_gravity(resized.get(), padded.out(), VIPS_COMPASS_DIRECTION_CENTRE,
                           std::max(width, resized.width()), std::max(height, resized.height()), "extend",
                           VIPS_EXTEND_COPY, nullptr),
              ErrorKind::Internal, "the image could not be padded");
        resized = std::move(padded);
    }
    const int left = int(std::lround(std::clamp(anchor_x, 0.0, 1.0) * (resized.width() - width)));
    const int top = int(std::lround(std::clamp(anchor_y, 0.0, 1.0) * (resized.height() - height)));
    ImageRef cropped;
    check(vips_extract_area(resized.get(), cropped.out(), left, top, width, height, nullptr),
          ErrorKind::Internal, "the image could not be cropped");
    return cropped;
}

} // namespace rolloy::images::detail
