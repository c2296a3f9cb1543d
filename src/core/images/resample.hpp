// Resizing of 8-bit pixels already in memory, for thumbnails. libvips' resize runs each image
// through its tile pipeline and a worker thread; for a 300 x 300 thumbnail that machinery cost
// more than the arithmetic (5-9 ms per image, against ~1 ms here).
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <vector>

namespace rolloy::images {

// Interleaved 8-bit pixels, rows packed (stride = width * bands).
struct Pixels {
    int width = 0;
    int height = 0;
    int bands = 0;
    std::vector<std::uint8_t> data;
};

// The part of a source image a resample reads, in source pixels (fractions allowed).
struct SourceBox {
    double left = 0;
    double top = 0;
    double width = 0;
    double height = 0;
};

// The centred box of a `width` x `height` image with the aspect ratio of `out_width` x
// `out_height`: what a cover crop keeps.
SourceBox cover_box(int width, int height, int out_width, int out_height);

// Which pass runs first. The horizontal pass is scalar, the vertical one vectorised: running the
// horizontal pass on the fewer rows wins, so enlarging goes horizontal-first (~4x less scalar
// work for a 64 px image made a 300 px thumbnail) and shrinking vertical-first. The orders differ
// only in the rounding of the intermediate rows (at most 1 level). Fixed orders are for tests.
enum class PassOrder { Auto, VerticalFirst, HorizontalFirst };

// Resamples `box` of the `width` x `height` image `in` (interleaved, `bands` of 1..4) to exactly
// `out_width` x `out_height`: bilinear, with the filter widened by the reduction factor when
// shrinking (so fine detail is averaged, not aliased). Two separable passes with fixed-point
// weights; results are rounded and clamped to 0..255. Throws std::invalid_argument on sizes
// out of range or a box outside the image.
Pixels resample(const std::uint8_t *in, int width, int height, int bands, const SourceBox &box, int out_width,
                int out_height, PassOrder order = PassOrder::Auto);

} // namespace rolloy::images
