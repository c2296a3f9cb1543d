#include "core/images/validate.hpp"

#include "core/images/decoder.hpp"

namespace rolloy::images {

DecodedInfo validate(std::string_view bytes, const Limits &limits) {
    detail::VipsSession session;
    detail::OpenedImage opened = detail::open_image(bytes, limits);
    // One streaming pass over every pixel (memory stays a few scanlines): a truncated or
    // corrupt file is refused now rather than when it is first displayed.
    double mean = 0;
    detail::check(vips_avg(opened.image.get(), &mean, nullptr), ErrorKind::DataCorrupted,
                  "the image is damaged and cannot be read");
    return opened.info;
}

} // namespace rolloy::images
