#include "core/images/decoded_pixels.hpp"

#include <cstring>

namespace rolloy::images::detail {

DecodedPixels::DecodedPixels(VipsImage *image)
    : width_(vips_image_get_width(image)), height_(vips_image_get_height(image)),
      bands_(vips_image_get_bands(image)) {
    if (vips_image_get_format(image) != VIPS_FORMAT_UCHAR)
        throw Error(ErrorKind::Internal, "decoded pixels must be 8-bit");
    region_ = vips_region_new(image);
    if (!region_) throw_vips_error(ErrorKind::Internal, "the image could not be read");
    VipsRect whole = {0, 0, width_, height_};
    if (vips_region_prepare(region_, &whole) != 0) {
        g_object_unref(region_);
        region_ = nullptr;
        throw_vips_error(ErrorKind::DataCorrupted, "the image is damaged and cannot be read");
    }
    const std::size_t row = std::size_t(width_) * bands_;
    if (std::size_t(VIPS_REGION_LSKIP(region_)) == row) {
        data_ = reinterpret_cast<const std::uint8_t *>(VIPS_REGION_ADDR(region_, 0, 0));
        return;
    }
    packed_.resize(row * height_);
    for (int y = 0; y < height_; ++y)
        std::memcpy(packed_.data() + row * y, VIPS_REGION_ADDR(region_, 0, y), row);
    data_ = packed_.data();
}

DecodedPixels::~DecodedPixels() {
    if (region_) g_object_unref(region_);
}

} // namespace rolloy::images::detail
