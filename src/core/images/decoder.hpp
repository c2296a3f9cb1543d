// Internal to src/core/images: opening accepted images with libvips and bringing them to the
// one shape every encoder here expects (upright, 8-bit sRGB, 3 bands, no alpha).
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/validate.hpp"
#include "core/images/vips_support.hpp"

#include <string_view>

namespace rolloy::images::detail {

struct OpenedImage {
    ImageRef image;   // lazy: only the header has been read
    DecodedInfo info; // always of the full-size image, whatever the shrink
};

// Runs every check of validate() except the full decode, then opens the image for one
// top-to-bottom pass with its format's own loader (never libvips' format guessing), failing on
// truncation and decoder errors. `jpeg_shrink` (1, 2, 4, 8) lets libjpeg decode at a fraction
// of the size, which is much faster when the result is a thumbnail. The image reads `bytes`
// directly: they must outlive it.
OpenedImage open_image(std::string_view bytes, const Limits &limits, int jpeg_shrink = 1);

// The JPEG shrink-on-load factor (1, 2, 4, 8) for an image that will be resized to cover
// `width` x `height` upright pixels. By default it leaves at least a factor of two for the final
// resize, as vipsthumbnail does, so libjpeg's block shrink cannot alias; `fast` only keeps the
// decoded image at least as large as the target (for previews). 1 for formats other than JPEG.
int jpeg_shrink_for(const DecodedInfo &info, int width, int height, bool fast = false);

// Upright (EXIF orientation applied and removed), sRGB (via the embedded ICC profile when there
// is one), alpha flattened onto white, 8 bits, 3 bands.
ImageRef to_upright_srgb(const OpenedImage &opened);

// The decoded pixels of `image` in memory (never a temporary file): read by several pipelines
// without decoding again. The caller bounds the size.
ImageRef in_memory(VipsImage *image);

// Resizes to cover `width` x `height` times `zoom` (>= 1), then crops exactly `width` x
// `height`; `anchor_x`/`anchor_y` in [0, 1] place the crop in the slack (0.5 = centred).
ImageRef cover_crop(VipsImage *in, int width, int height, double zoom = 1.0, double anchor_x = 0.5,
                    double anchor_y = 0.5);

} // namespace rolloy::images::detail
