#include "core/common/sha256.hpp"
#include "core/images/process_result.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

using namespace rolloy;
using namespace rolloy::images;

namespace {

bool has_metadata(const std::string &jpeg, const char *field) {
    detail::SignalBlockScope no_signals;
    VipsImage *image = vips_image_new_from_buffer(jpeg.data(), jpeg.size(), "", nullptr);
    const bool found = image && vips_image_get_typeof(image, field) != 0;
    if (image) g_object_unref(image);
    return found;
}

} // namespace

TEST(ImagesProcessResult, ReencodesAndThumbnails) {
    const std::string input = test_images::make_image(1024, 768, ".png");
    const ProcessedImage result = process_result(input);
    EXPECT_EQ(result.source.mime, "image/png");
    EXPECT_EQ(result.source.width, 1024);

    EXPECT_EQ(result.image.mime, "image/jpeg");
    EXPECT_EQ(result.image.width, 1024);
    EXPECT_EQ(result.image.height, 768);
    EXPECT_TRUE(test_images::is_progressive_jpeg(result.image.bytes));
    const auto size = test_images::image_size(result.image.bytes);
    EXPECT_EQ(size.width, 1024);
    EXPECT_EQ(size.height, 768);
    EXPECT_EQ(result.image.sha256, sha256_hex(result.image.bytes));

    EXPECT_EQ(result.thumbnail.width, 300);
    EXPECT_EQ(result.thumbnail.height, 300);
    const auto thumb = test_images::image_size(result.thumbnail.bytes);
    EXPECT_EQ(thumb.width, 300);
    EXPECT_EQ(thumb.height, 300);
    EXPECT_FALSE(test_images::is_progressive_jpeg(result.thumbnail.bytes));
    EXPECT_EQ(result.thumbnail.sha256, sha256_hex(result.thumbnail.bytes));
    EXPECT_LT(result.thumbnail.bytes.size(), result.image.bytes.size());
}

TEST(ImagesProcessResult, IsDeterministic) {
    const std::string input = test_images::make_image(500, 400, ".jpg[Q=95]");
    const ProcessedImage a = process_result(input);
    const ProcessedImage b = process_result(input);
    EXPECT_EQ(a.image.sha256, b.image.sha256);
    EXPECT_EQ(a.thumbnail.sha256, b.thumbnail.sha256);
}

TEST(ImagesProcessResult, AppliesExifRotationAndStripsMetadata) {
    const std::string input = test_images::make_image(400, 200, ".jpg[Q=90,strip=false]", 3, 6);
    ASSERT_TRUE(has_metadata(input, "exif-data"));
    const ProcessedImage result = process_result(input);
    EXPECT_EQ(result.source.orientation, 6);
    EXPECT_EQ(result.image.width, 200); // rotated upright
    EXPECT_EQ(result.image.height, 400);
    const auto size = test_images::image_size(result.image.bytes);
    EXPECT_EQ(size.width, 200);
    EXPECT_EQ(size.height, 400);
    EXPECT_FALSE(has_metadata(result.image.bytes, "exif-data"));
    EXPECT_FALSE(has_metadata(result.image.bytes, "icc-profile-data"));
    EXPECT_FALSE(has_metadata(result.thumbnail.bytes, "exif-data"));

    // Orientation 6 means "rotate 90 degrees clockwise to view": the stored top-left corner
    // (red 0, green 0 in the test pattern) ends up top-right.
    const auto top_right = test_images::pixel(result.image.bytes, 199, 0);
    const auto top_left = test_images::pixel(result.image.bytes, 0, 0);
    EXPECT_LT(top_right[0] + top_right[1], top_left[0] + top_left[1]);
}

TEST(ImagesProcessResult, FlattensAlphaOntoWhite) {
    // The test image is transparent on its left half.
    for (const char *suffix : {".png", ".png[bitdepth=16]", ".webp[lossless]"}) {
        SCOPED_TRACE(suffix);
        const ProcessedImage result = process_result(test_images::make_image(200, 100, suffix, 4));
        EXPECT_TRUE(result.source.has_alpha);
        const auto left = test_images::pixel(result.image.bytes, 20, 50);
        ASSERT_EQ(left.size(), 3u);
        for (double v : left)
            EXPECT_GT(v, 245);
        const auto right = test_images::pixel(result.image.bytes, 180, 50);
        EXPECT_LT(right[1], 200); // the pattern, not white
    }
}

TEST(ImagesProcessResult, GreyAndPaletteInputsBecomeColourJpegs) {
    for (const char *suffix : {".jpg", ".gif", ".webp", ".png", ".png[bitdepth=16]"}) {
        SCOPED_TRACE(suffix);
        const ProcessedImage result = process_result(test_images::make_image(120, 90, suffix, 1));
        EXPECT_EQ(test_images::pixel(result.image.bytes, 5, 5).size(), 3u);
        EXPECT_EQ(result.image.width, 120);
    }
}

TEST(ImagesProcessResult, CmykJpegBecomesSrgb) {
    std::string cmyk;
    {
        detail::SignalBlockScope no_signals;
        const std::string rgb = test_images::make_image(200, 150, ".jpg[Q=95]");
        VipsImage *in = vips_image_new_from_buffer(rgb.data(), rgb.size(), "", nullptr);
        VipsImage *converted = nullptr;
        ASSERT_EQ(vips_colourspace(in, &converted, VIPS_INTERPRETATION_CMYK, nullptr), 0)
            << vips_error_buffer();
        void *buffer = nullptr;
        size_t length = 0;
        ASSERT_EQ(vips_jpegsave_buffer(converted, &buffer, &length, "Q", 95, nullptr), 0);
        cmyk.assign(static_cast<char *>(buffer), length);
        g_free(buffer);
        g_object_unref(converted);
        g_object_unref(in);
    }
    const ProcessedImage result = process_result(cmyk);
    EXPECT_EQ(result.source.bands, 4);
    EXPECT_FALSE(result.source.has_alpha);
    const auto centre = test_images::pixel(result.image.bytes, 100, 75);
    ASSERT_EQ(centre.size(), 3u);
    // The pattern at the centre is about (127, 127, noise): not the inverted or black mess a
    // CMYK file read as RGB would give.
    EXPECT_NEAR(centre[0], 127, 30);
    EXPECT_NEAR(centre[1], 127, 30);
}
