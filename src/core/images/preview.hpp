// The offline `preview` provider's renderer: derives a stand-in for a generated image from the
// reference image with libvips, so the whole pipeline runs (and can be demonstrated and tested)
// with no API key. The preview shows what a real result would be: the ad format's shape, the
// mood of the emotional driver and the key terms of the prompt.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/validate.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace rolloy::images {

struct PreviewSpec {
    std::string aspect_ratio = "1:1"; // "W:H" of the ad format, e.g. "1:1", "4:5", "9:16", "16:9"
    std::string driver_code;          // emotional driver (C of ABCD): picks the colour grade
    std::string caption;              // text on a band at the bottom, typically caption_from_prompt(prompt)
    std::uint64_t seed = 0;           // the variant: moves the crop, zoom, grade strength, vignette
    int long_side = 1024;             // pixels of the longer output side (64..4096)
};

struct AspectRatio {
    int width;
    int height;
};

// Parses "W:H" (also "WxH" or "W/H"; whole numbers 1..100, ratio between 1:4 and 4:1).
// Throws rolloy::Error(InvalidInput) otherwise.
AspectRatio parse_aspect_ratio(std::string_view text);

// Output size for a ratio: the longer side is `long_side`, the other rounded to whole pixels.
AspectRatio preview_size(AspectRatio ratio, int long_side);

// Renders the preview as a progressive JPEG (quality 85, no metadata): the reference, upright
// and in sRGB, scaled to cover the format with a seeded zoom (4-18 %) and crop position, graded
// for the driver (see colour_grade.hpp) at a seeded strength (70-100 %) and warm/cool tilt,
// with a seeded vignette, and the caption (if not empty) in white on a dark band. The same bytes and spec
// give byte-identical output on the same machine (text rendering depends on the installed fonts; without
// fonts the caption shows placeholder boxes or nothing, but rendering still succeeds). The reference is
// checked against `limits` as validate() does.
std::string render_preview(std::string_view reference_bytes, const PreviewSpec &spec,
                           const Limits &limits = Limits{});

} // namespace rolloy::images
