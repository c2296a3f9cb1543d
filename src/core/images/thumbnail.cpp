#include "core/images/thumbnail.hpp"

#include "core/images/decoder.hpp"
#include "core/images/square_thumbnail.hpp"

#include <string>

namespace rolloy::images {

EncodedImage make_thumbnail(std::string_view bytes, int size, int quality, const Limits &limits) {
    if (size < 16 || size > 4096)
        throw Error(ErrorKind::InvalidInput, "thumbnail size must be between 16 and 4096 pixels",
                    "got " + std::to_string(size));
    detail::VipsSession session;
    detail::OpenedImage opened = detail::open_image(bytes, limits);
    const int shrink = detail::jpeg_shrink_for(opened.info, size, size);
    if (shrink > 1) opened = detail::open_image(bytes, limits, shrink);
    detail::ImageRef upright = detail::to_upright_srgb(opened);
    return detail::square_thumbnail(upright.get(), size, quality);
}

} // namespace rolloy::images
