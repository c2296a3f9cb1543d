// Square thumbnails for galleries: generated images and uploaded reference images alike.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/encoded_image.hpp"
#include "core/images/validate.hpp"

#include <string_view>

namespace rolloy::images {

// A `size` x `size` JPEG (baseline, quality `quality`, no metadata) that
// covers the square - the image is scaled until it fills it and the centre is kept - after EXIF
// rotation, conversion to sRGB and flattening of transparency onto white. Small images are
// scaled up. The input is checked against `limits` first (see validate()); size is 16..4096.
EncodedImage make_thumbnail(std::string_view bytes, int size = 300, int quality = 70,
                            const Limits &limits = Limits{});

} // namespace rolloy::images
