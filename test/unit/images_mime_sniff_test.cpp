#include "core/images/mime_sniff.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

using namespace rolloy::images;
using namespace std::string_literals;

TEST(ImagesMimeSniff, RecognisesGeneratedImages) {
    EXPECT_EQ(sniff_mime(test_images::make_image(8, 8, ".jpg")), "image/jpeg");
    EXPECT_EQ(sniff_mime(test_images::make_image(8, 8, ".png")), "image/png");
    EXPECT_EQ(sniff_mime(test_images::make_image(8, 8, ".webp")), "image/webp");
    EXPECT_EQ(sniff_mime(test_images::make_image(8, 8, ".gif")), "image/gif");
    EXPECT_EQ(sniff_mime(test_images::make_image(8, 8, ".tif")), "image/tiff");
}

TEST(ImagesMimeSniff, RecognisesOtherSignatures) {
    EXPECT_EQ(sniff_mime("GIF87a...."), "image/gif");
    EXPECT_EQ(sniff_mime("MM\0*\0\0\0\x08"s), "image/tiff");
    EXPECT_EQ(sniff_mime("\0\0\0\x1C"
                         "ftypavif\0\0\0\0"s),
              "image/avif");
    EXPECT_EQ(sniff_mime("\0\0\0\x18"
                         "ftypheic\0\0\0\0"s),
              "image/heic");
    EXPECT_EQ(sniff_mime("\xFF\x0A\xFA"s), "image/jxl");
    EXPECT_EQ(sniff_mime("8BPS\0\x01"s), "image/vnd.adobe.photoshop");
    EXPECT_EQ(sniff_mime("BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"s), "image/bmp");
}

TEST(ImagesMimeSniff, RefusesNonImagesAndNamesAreIrrelevant) {
    EXPECT_EQ(sniff_mime(""), "");
    EXPECT_EQ(sniff_mime("\xFF\xD8"s), ""); // too short to be sure
    EXPECT_EQ(sniff_mime("photo.jpg"), "");
    EXPECT_EQ(sniff_mime("%PDF-1.7\n"), "");
    EXPECT_EQ(sniff_mime("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "");
    EXPECT_EQ(sniff_mime("BM is not enough"), "");
    EXPECT_EQ(sniff_mime("RIFF\0\0\0\0WAVEfmt "s), "");
    EXPECT_EQ(sniff_mime("\0\0\0\x18"
                         "ftypmp42"s),
              ""); // an MP4 video
}

TEST(ImagesMimeSniff, SupportedFormats) {
    for (const char *mime : {"image/jpeg", "image/png", "image/webp", "image/gif"})
        EXPECT_TRUE(is_supported_mime(mime));
    for (const char *mime : {"image/tiff", "image/heic", "image/avif", "image/bmp", "", "image/svg+xml"})
        EXPECT_FALSE(is_supported_mime(mime));
}
