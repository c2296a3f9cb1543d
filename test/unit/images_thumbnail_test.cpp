#include "core/common/error.hpp"
#include "core/images/thumbnail.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace rolloy;
using namespace rolloy::images;

TEST(ImagesThumbnail, AlwaysExactlySquare) {
    struct Case {
        int width, height;
        const char *suffix;
    } cases[] = {{1024, 1024, ".jpg"},       {1600, 900, ".jpg"}, {333, 1000, ".png"}, {301, 299, ".webp"},
                 {4000, 3000, ".jpg[Q=80]"}, {100, 60, ".png"},   {7, 997, ".png"}};
    for (const Case &c : cases) {
        SCOPED_TRACE(std::to_string(c.width) + "x" + std::to_string(c.height) + c.suffix);
        const EncodedImage thumb = make_thumbnail(test_images::make_image(c.width, c.height, c.suffix));
        EXPECT_EQ(thumb.width, 300);
        EXPECT_EQ(thumb.height, 300);
        const auto size = test_images::image_size(thumb.bytes);
        EXPECT_EQ(size.width, 300);
        EXPECT_EQ(size.height, 300);
        EXPECT_FALSE(test_images::is_progressive_jpeg(thumb.bytes)); // baseline: it arrives in one piece
    }
}

TEST(ImagesThumbnail, CoverKeepsTheCentre) {
    // 900 x 300: the cover crop keeps the middle third, where the red ramp is around 127.
    const EncodedImage thumb = make_thumbnail(test_images::make_image(900, 300, ".png"));
    const auto left = test_images::pixel(thumb.bytes, 0, 150);
    const auto right = test_images::pixel(thumb.bytes, 299, 150);
    EXPECT_NEAR(left[0], 85, 12);
    EXPECT_NEAR(right[0], 170, 12);
}

TEST(ImagesThumbnail, OtherSizesAndQualities) {
    const std::string input = test_images::make_image(640, 480, ".jpg");
    const EncodedImage small = make_thumbnail(input, 64, 50);
    EXPECT_EQ(test_images::image_size(small.bytes).width, 64);
    const EncodedImage better = make_thumbnail(input, 64, 95);
    EXPECT_GT(better.bytes.size(), small.bytes.size());
    EXPECT_THROW(make_thumbnail(input, 8), Error);
    EXPECT_THROW(make_thumbnail(input, 5000), Error);
}

TEST(ImagesThumbnail, RotatesPortraitPhotos) {
    // Stored 1200 x 400 with the red ramp running left to right; orientation 8 makes it an
    // upright 400 x 1200 portrait, so in the thumbnail red runs vertically and the centre third
    // is kept.
    const EncodedImage thumb = make_thumbnail(test_images::make_image(1200, 400, ".jpg[strip=false]", 3, 8));
    const auto top = test_images::pixel(thumb.bytes, 150, 0);
    const auto bottom = test_images::pixel(thumb.bytes, 150, 299);
    const auto left = test_images::pixel(thumb.bytes, 0, 150);
    const auto right = test_images::pixel(thumb.bytes, 299, 150);
    EXPECT_GT(std::abs(top[0] - bottom[0]), 60);
    EXPECT_LT(std::abs(left[0] - right[0]), 15);
}
