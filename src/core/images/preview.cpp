#include "core/images/preview.hpp"

#include "core/images/caption.hpp"
#include "core/images/colour_grade.hpp"
#include "core/images/decoder.hpp"
#include "core/images/jpeg_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace rolloy::images {
namespace {

using detail::check;
using detail::ImageRef;

constexpr int kQuality = 85;

// SplitMix64: a tiny, well-mixed generator; the same seed gives the same variant everywhere.
class SeededRandom {
  public:
    explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
    // Uniform in [0, 1).
    double next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return double(z >> 11) * 0x1.0p-53;
    }

  private:
    std::uint64_t state_;
};

// The seeded choices of one variant, drawn in a fixed order.
struct Variation {
    double zoom, anchor_x, anchor_y, grade_strength, warm_tilt, vignette;

    explicit Variation(std::uint64_t seed) {
        SeededRandom random(seed);
        zoom = 1.04 + 0.14 * random.next();
        anchor_x = 0.1 + 0.8 * random.next();
        anchor_y = 0.1 + 0.8 * random.next();
        grade_strength = 0.7 + 0.3 * random.next();
        warm_tilt = 12.0 * (random.next() - 0.5);
        vignette = 0.12 + 0.33 * random.next();
    }
};

ImageRef apply_grade(VipsImage *in, const ColourGrade &grade, const Variation &variation) {
    // Blend the grade with the identity by the seeded strength.
    const double s = variation.grade_strength;
    double matrix[9];
    for (int i = 0; i < 9; ++i)
        matrix[i] = (1.0 - s) * (i % 4 == 0 ? 1.0 : 0.0) + s * grade.matrix[i];
    ImageRef mix(vips_image_new_matrix_from_array(3, 3, matrix, 9));
    if (!mix.get()) detail::throw_vips_error(ErrorKind::Internal, "the colour grade could not be built");
    ImageRef mixed;
    check(vips_recomb(in, mixed.out(), mix.get(), nullptr), ErrorKind::Internal, "the colour grade failed");

    double gains[3] = {1, 1, 1};
    double offsets[3] = {s * grade.offset[0] + variation.warm_tilt, s * grade.offset[1],
                         s * grade.offset[2] - variation.warm_tilt};
    ImageRef shifted;
    check(vips_linear(mixed.get(), shifted.out(), gains, offsets, 3, nullptr), ErrorKind::Internal,
          "the colour grade failed");
    return shifted;
}

// Darkens towards the corners: mask = 1 - strength * (x^2 + y^2) / 2, x and y in [-1, 1].
ImageRef apply_vignette(VipsImage *in, double strength) {
    const int width = vips_image_get_width(in), height = vips_image_get_height(in);
    ImageRef coords, centred, squared, radius, mask, out;
    const ErrorKind internal = ErrorKind::Internal;
    check(vips_xyz(coords.out(), width, height, nullptr), internal, "the vignette failed");
    double scale[2] = {2.0 / width, 2.0 / height};
    double shift[2] = {1.0 / width - 1.0, 1.0 / height - 1.0};
    check(vips_linear(coords.get(), centred.out(), scale, shift, 2, nullptr), internal,
          "the vignette failed");
    check(vips_multiply(centred.get(), centred.get(), squared.out(), nullptr), internal,
          "the vignette failed");
    check(vips_bandmean(squared.get(), radius.out(), nullptr), internal, "the vignette failed");
    check(vips_linear1(radius.get(), mask.out(), -strength, 1.0, nullptr), internal, "the vignette failed");
    check(vips_multiply(in, mask.get(), out.out(), nullptr), internal, "the vignette failed");
    return out;
}

// Renders `markup` in white-on-black (a one-band mask) at `pixels` font size, wrapped at `width`.
ImageRef render_text_at(const std::string &markup, int width, int pixels) {
    const std::string font = "sans bold " + std::to_string(pixels);
    ImageRef text;
    // At 72 dpi a point is a pixel.
    if (vips_text(text.out(), markup.c_str(), "font", font.c_str(), "width", width, "dpi", 72, "align",
                  VIPS_ALIGN_CENTRE, nullptr) != 0) {
        detail::clear_vips_error();
        return ImageRef();
    }
    return text;
}

// The caption as a one-band mask fitting `width` x `height`, or an empty ref when text cannot be
// rendered here (e.g. nothing printable): the preview is still useful without it. libvips can
// search the best fitting size itself (width + height), but that renders ~10 times (~40 ms);
// sizing for two lines and shrinking once if needed costs one or two renders.
ImageRef render_text(const std::string &caption, int width, int height) {
    const std::string markup = escape_markup(caption);
    int pixels = std::max(8, int(height * 0.42));
    ImageRef text = render_text_at(markup, width, pixels);
    if (text.get() && text.height() > height) {
        pixels = std::max(6, int(pixels * 0.95 * height / text.height()));
        text = render_text_at(markup, width, pixels);
    }
    if (text.get() && (text.width() > width || text.height() > height)) {
        ImageRef cropped;
        if (vips_extract_area(text.get(), cropped.out(), 0, 0, std::min(width, text.width()),
                              std::min(height, text.height()), nullptr) != 0) {
            detail::clear_vips_error();
            return ImageRef();
        }
        text = std::move(cropped);
    }
    return text;
}

ImageRef draw_caption(VipsImage *in, const std::string &caption) {
    const int width = vips_image_get_width(in), height = vips_image_get_height(in);
    // Sized by the image's area, so wide formats do not get a thin band and tall ones a fat one.
    const int band_height = std::max(32, int(std::lround(std::sqrt(double(width) * height) * 0.11)));
    const ErrorKind internal = ErrorKind::Internal;

    ImageRef band, dark, white;
    check(vips_extract_area(in, band.out(), 0, height - band_height, width, band_height, nullptr), internal,
          "the caption band failed");
    check(vips_linear1(band.get(), dark.out(), 0.3, 8.0, nullptr), internal, "the caption band failed");
    ImageRef shaded = std::move(dark);

    const int pad = std::max(4, band_height / 6);
    ImageRef text = render_text(caption, width - 4 * pad, band_height - 2 * pad);
    if (text.get()) {
        ImageRef placed, blended;
        check(vips_gravity(text.get(), placed.out(), VIPS_COMPASS_DIRECTION_CENTRE, width, band_height,
                           "extend", VIPS_EXTEND_BLACK, nullptr),
              internal, "the caption failed");
        check(vips_linear1(shaded.get(), white.out(), 0.0, 255.0, nullptr), internal, "the caption failed");
        check(vips_ifthenelse(placed.get(), white.get(), shaded.get(), blended.out(), "blend", TRUE, nullptr),
              internal, "the caption failed");
        shaded = std::move(blended);
    }
    ImageRef shaded8, out;
    check(vips_cast_uchar(shaded.get(), shaded8.out(), nullptr), internal, "the caption failed");
    check(vips_insert(in, shaded8.get(), out.out(), 0, height - band_height, nullptr), internal,
          "the caption failed");
    return out;
}

bool parse_part(std::string_view text, int &value) {
    if (text.empty() || text.size() > 3) return false;
    value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    return value >= 1 && value <= 100;
}

} // namespace

AspectRatio parse_aspect_ratio(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    const std::size_t split = text.find_first_of(":x/");
    AspectRatio ratio{0, 0};
    if (split == std::string_view::npos || !parse_part(text.substr(0, split), ratio.width) ||
        !parse_part(text.substr(split + 1), ratio.height))
        throw Error(ErrorKind::InvalidInput, "invalid aspect ratio \"" + std::string(text) + "\"",
                    "expected W:H with whole numbers from 1 to 100", "use e.g. 1:1, 4:5, 9:16 or 16:9");
    if (ratio.width > 4 * ratio.height || ratio.height > 4 * ratio.width)
        throw Error(ErrorKind::InvalidInput, "aspect ratio " + std::string(text) + " is too extreme",
                    "ratios between 1:4 and 4:1 are supported");
    return ratio;
}

AspectRatio preview_size(AspectRatio ratio, int long_side) {
    if (ratio.width >= ratio.height)
        return {long_side, std::max(1, int(std::lround(double(long_side) * ratio.height / ratio.width)))};
    return {std::max(1, int(std::lround(double(long_side) * ratio.width / ratio.height))), long_side};
}

std::string render_preview(std::string_view reference_bytes, const PreviewSpec &spec, const Limits &limits) {
    if (spec.long_side < 64 || spec.long_side > 4096)
        throw Error(ErrorKind::InvalidInput, "preview size must be between 64 and 4096 pixels",
                    "got " + std::to_string(spec.long_side));
    const AspectRatio size = preview_size(parse_aspect_ratio(spec.aspect_ratio), spec.long_side);
    const Variation variation(spec.seed);

    detail::VipsSession session;
    detail::OpenedImage opened = detail::open_image(reference_bytes, limits);
    const int shrink = detail::jpeg_shrink_for(opened.info, int(size.width * variation.zoom) + 1,
                                               int(size.height * variation.zoom) + 1, true);
    if (shrink > 1) opened = detail::open_image(reference_bytes, limits, shrink);

    ImageRef upright = detail::to_upright_srgb(opened);
    ImageRef framed = detail::cover_crop(upright.get(), size.width, size.height, variation.zoom,
                                         variation.anchor_x, variation.anchor_y);
    ImageRef graded = apply_grade(framed.get(), grade_for_driver(spec.driver_code), variation);
    ImageRef vignetted = apply_vignette(graded.get(), variation.vignette);
    ImageRef pixels;
    check(vips_cast_uchar(vignetted.get(), pixels.out(), nullptr), ErrorKind::Internal, "the preview failed");
    if (!spec.caption.empty()) pixels = draw_caption(pixels.get(), spec.caption);
    return detail::encode_jpeg(pixels.get(), kQuality).bytes;
}

} // namespace rolloy::images
