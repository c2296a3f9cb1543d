#include "core/images/resample.hpp"
#include "core/images/thumbnail.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

using namespace rolloy::images;

namespace {

Pixels make_pixels(int width, int height, int bands, int (*value)(int x, int y, int band)) {
    Pixels p;
    p.width = width;
    p.height = height;
    p.bands = bands;
    p.data.resize(std::size_t(width) * height * bands);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int b = 0; b < bands; ++b)
                p.data[(std::size_t(y) * width + x) * bands + b] = std::uint8_t(value(x, y, b));
    return p;
}

int at(const Pixels &p, int x, int y, int band = 0) {
    return p.data[(std::size_t(y) * p.width + x) * p.bands + band];
}

Pixels resize(const Pixels &in, int out_width, int out_height) {
    return resample(in.data.data(), in.width, in.height, in.bands,
                    SourceBox{0, 0, double(in.width), double(in.height)}, out_width, out_height);
}

} // namespace

TEST(ImagesResample, ConstantImagesStayConstantAtEveryScaleAndBandCount) {
    // The weights of every output sample sum to exactly 1.0, edges included.
    for (int bands = 1; bands <= 4; ++bands) {
        const Pixels grey = make_pixels(97, 61, bands, [](int, int, int b) { return 40 + 50 * b; });
        for (auto [w, h] : {std::pair{300, 300}, {31, 7}, {1, 1}, {97, 61}, {500, 20}}) {
            SCOPED_TRACE(std::to_string(bands) + " bands -> " + std::to_string(w) + "x" + std::to_string(h));
            const Pixels out = resize(grey, w, h);
            ASSERT_EQ(out.data.size(), std::size_t(w) * h * bands);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x)
                    for (int b = 0; b < bands; ++b)
                        ASSERT_EQ(at(out, x, y, b), 40 + 50 * b);
        }
    }
}

TEST(ImagesResample, SameSizeIsTheIdentity) {
    const Pixels noise =
        make_pixels(40, 30, 3, [](int x, int y, int b) { return (x * 37 + y * 91 + b * 53) % 256; });
    const Pixels out = resize(noise, 40, 30);
    EXPECT_EQ(out.data, noise.data);
}

TEST(ImagesResample, EnlargingKeepsARampARamp) {
    // Bilinear reproduces straight lines away from the edges: no offset of half a pixel.
    const Pixels ramp = make_pixels(100, 4, 1, [](int x, int, int) { return 2 * x + 20; });
    const Pixels out = resize(ramp, 300, 4);
    for (int x = 6; x < 294; ++x) {
        const double source_x = (x + 0.5) / 3.0 - 0.5;
        EXPECT_NEAR(at(out, x, 2), 2 * source_x + 20, 1.0) << "x " << x;
    }
}

TEST(ImagesResample, ShrinkingAveragesFineDetailInsteadOfAliasing) {
    // A one-pixel checkerboard shrunk 4x is mid-grey everywhere; sampling would give 0 or 255.
    const Pixels checks = make_pixels(400, 400, 1, [](int x, int y, int) { return ((x + y) % 2) * 255; });
    const Pixels out = resize(checks, 100, 100);
    for (int y = 0; y < 100; ++y)
        for (int x = 0; x < 100; ++x)
            ASSERT_NEAR(at(out, x, y), 127.5, 2.0) << x << "," << y;
}

TEST(ImagesResample, TheSourceBoxSelectsTheRegion) {
    // Left part 0, right part 200. A box inside the right part gives 200 everywhere: the filter
    // may read a few pixels beyond the box (as a crop of the resized image would), not more.
    const Pixels halves = make_pixels(200, 50, 1, [](int x, int, int) { return x < 100 ? 0 : 200; });
    const Pixels right = resample(halves.data.data(), 200, 50, 1, SourceBox{110, 0, 90, 50}, 30, 15);
    for (int y = 0; y < 15; ++y)
        for (int x = 0; x < 30; ++x)
            ASSERT_EQ(at(right, x, y), 200);
}

TEST(ImagesResample, CoverBoxIsTheCentredCrop) {
    const SourceBox wide = cover_box(900, 300, 300, 300);
    EXPECT_DOUBLE_EQ(wide.left, 300);
    EXPECT_DOUBLE_EQ(wide.top, 0);
    EXPECT_DOUBLE_EQ(wide.width, 300);
    EXPECT_DOUBLE_EQ(wide.height, 300);
    const SourceBox tall = cover_box(7, 997, 300, 300);
    EXPECT_DOUBLE_EQ(tall.left, 0);
    EXPECT_DOUBLE_EQ(tall.width, 7);
    EXPECT_DOUBLE_EQ(tall.height, 7);
    EXPECT_DOUBLE_EQ(tall.top, 495);
    const SourceBox landscape = cover_box(1600, 900, 160, 90);
    EXPECT_DOUBLE_EQ(landscape.width, 1600);
    EXPECT_DOUBLE_EQ(landscape.height, 900);
}

TEST(ImagesResample, RefusesImpossibleRequests) {
    const Pixels p = make_pixels(10, 10, 3, [](int, int, int) { return 1; });
    const std::uint8_t *d = p.data.data();
    const SourceBox all{0, 0, 10, 10};
    EXPECT_THROW(resample(d, 10, 10, 0, all, 5, 5), std::invalid_argument);
    EXPECT_THROW(resample(d, 10, 10, 5, all, 5, 5), std::invalid_argument);
    EXPECT_THROW(resample(d, 10, 10, 3, all, 0, 5), std::invalid_argument);
    EXPECT_THROW(resample(d, 10, 10, 3, all, 5, 40000), std::invalid_argument);
    EXPECT_THROW(resample(d, 0, 10, 3, all, 5, 5), std::invalid_argument);
    EXPECT_THROW(resample(d, 10, 10, 3, SourceBox{5, 0, 6, 10}, 5, 5), std::invalid_argument);
    EXPECT_THROW(resample(d, 10, 10, 3, SourceBox{0, 0, 0, 10}, 5, 5), std::invalid_argument);
}

TEST(ImagesResample, ThumbnailsMatchLibvipsOwnThumbnailer) {
    // Same picture through make_thumbnail (resample) and libvips' vips_thumbnail (centre crop):
    // shrinking, enlarging and an off-square crop agree to a few levels per pixel.
    using namespace rolloy::images;
    for (auto [w, h] : {std::pair{1024, 768}, {256, 256}, {700, 1400}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        const std::string input = test_images::make_image(w, h, ".png");
        const EncodedImage ours = make_thumbnail(input);
        detail::SignalBlockScope no_signals;
        VipsImage *theirs = nullptr;
        ASSERT_EQ(vips_thumbnail_buffer(const_cast<char *>(input.data()), input.size(), &theirs, 300,
                                        "height", 300, "crop", VIPS_INTERESTING_CENTRE, nullptr),
                  0)
            << vips_error_buffer();
        void *buffer = nullptr;
        std::size_t length = 0;
        ASSERT_EQ(vips_jpegsave_buffer(theirs, &buffer, &length, "Q", 95, nullptr), 0);
        g_object_unref(theirs);
        const std::string reference(static_cast<char *>(buffer), length);
        g_free(buffer);
        EXPECT_LT(test_images::mean_abs_difference(ours.bytes, reference), 4.0);
    }
}

TEST(ImagesResample, BothPassOrdersAgreeAndAutoPicksTheCheaperOne) {
    // Texture with detail in both directions; a box off the origin, so the horizontal-first
    // order has to start at a later source row.
    for (int bands = 1; bands <= 4; ++bands) {
        const Pixels in =
            make_pixels(97, 61, bands, [](int x, int y, int b) { return (x * 37 + y * 11 + b * 50) % 256; });
        const SourceBox box{3.5, 7.25, 80.0, 45.0};
        struct Size {
            int width, height;
            PassOrder expected;
        } sizes[] = {{300, 169, PassOrder::HorizontalFirst}, // enlarging
                     {40, 22, PassOrder::VerticalFirst},     // shrinking
                     {80, 45, PassOrder::VerticalFirst}};    // same size: as many rows either way
        for (const Size &size : sizes) {
            const Pixels v = resample(in.data.data(), in.width, in.height, bands, box, size.width,
                                      size.height, PassOrder::VerticalFirst);
            const Pixels h = resample(in.data.data(), in.width, in.height, bands, box, size.width,
                                      size.height, PassOrder::HorizontalFirst);
            const Pixels a =
                resample(in.data.data(), in.width, in.height, bands, box, size.width, size.height);
            ASSERT_EQ(v.data.size(), h.data.size());
            int worst = 0;
            for (std::size_t i = 0; i < v.data.size(); ++i)
                worst = std::max(worst, std::abs(int(v.data[i]) - int(h.data[i])));
            EXPECT_LE(worst, 1) << size.width << "x" << size.height << ", " << bands << " bands";
            EXPECT_EQ(a.data, size.expected == PassOrder::VerticalFirst ? v.data : h.data)
                << size.width << "x" << size.height << ", " << bands << " bands";
        }
    }
}
