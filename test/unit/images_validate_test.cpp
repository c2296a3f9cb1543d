#include "core/common/crc32.hpp"
#include "core/common/error.hpp"
#include "core/images/process_result.hpp"
#include "core/images/thumbnail.hpp"
#include "core/images/preview.hpp"
#include "core/images/validate.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace rolloy;
using namespace rolloy::images;

namespace {

// Runs `call`, expecting a rolloy::Error of `kind` whose message contains `words`.
void expect_error(const std::function<void()> &call, ErrorKind kind, const std::string &words) {
    try {
        call();
        ADD_FAILURE() << "no error; expected one containing \"" << words << "\"";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), kind) << error.what() << " / " << error.detail();
        EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    }
}

void put32be(std::string &out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(char((v >> shift) & 0xFF));
}

// A PNG with a valid signature, IHDR (with correct CRC) claiming width x height RGB pixels, one
// tiny IDAT and IEND: a decompression bomb as far as the header is concerned.
std::string png_claiming(std::uint32_t width, std::uint32_t height) {
    std::string png = "\x89PNG\r\n\x1A\n";
    auto chunk = [&](const std::string &type, const std::string &data) {
        put32be(png, std::uint32_t(data.size()));
        png += type + data;
        put32be(png, crc32(type + data));
    };
    std::string ihdr;
    put32be(ihdr, width);
    put32be(ihdr, height);
    ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8 bits, RGB, deflate, adaptive, no interlace
    chunk("IHDR", ihdr);
    chunk("IDAT", std::string("\x78\x9C\x03\x00\x00\x00\x00\x01", 8)); // zlib of nothing
    chunk("IEND", "");
    return png;
}

} // namespace

TEST(ImagesValidate, AcceptsGeneratedFormats) {
    for (const char *suffix : {".jpg[Q=90]", ".png", ".webp", ".gif"}) {
        SCOPED_TRACE(suffix);
        DecodedInfo info = validate(test_images::make_image(64, 48, suffix));
        EXPECT_EQ(info.width, 64);
        EXPECT_EQ(info.height, 48);
        EXPECT_EQ(info.orientation, 1);
    }
}

TEST(ImagesValidate, ReportsFormatBandsAlphaOrientation) {
    DecodedInfo png = validate(test_images::make_image(40, 30, ".png", 4));
    EXPECT_EQ(png.mime, "image/png");
    EXPECT_EQ(png.bands, 4);
    EXPECT_TRUE(png.has_alpha);
    DecodedInfo grey = validate(test_images::make_image(40, 30, ".jpg", 1));
    EXPECT_EQ(grey.mime, "image/jpeg");
    EXPECT_EQ(grey.bands, 1);
    EXPECT_FALSE(grey.has_alpha);
    DecodedInfo rotated = validate(test_images::make_image(40, 30, ".jpg[strip=false]", 3, 6));
    EXPECT_EQ(rotated.orientation, 6);
    EXPECT_EQ(rotated.upright_width(), 30);
    EXPECT_EQ(rotated.upright_height(), 40);
}

TEST(ImagesValidate, RefusesNonImages) {
    expect_error([] { validate(""); }, ErrorKind::InvalidInput, "empty");
    expect_error([] { validate("this is a text file, not a picture"); }, ErrorKind::InvalidInput,
                 "not an image");
    expect_error([] { validate("%PDF-1.4\n%...."); }, ErrorKind::InvalidInput, "not an image");
}

TEST(ImagesValidate, RefusesUnsupportedFormats) {
    expect_error([] { validate(test_images::make_image(16, 16, ".tif")); }, ErrorKind::InvalidInput,
                 "unsupported image format: image/tiff");
}

TEST(ImagesValidate, RefusesDamagedImages) {
    expect_error([] { validate(std::string("\xFF\xD8\xFF\xE0", 4)); }, ErrorKind::DataCorrupted, "damaged");
    const std::string jpeg = test_images::make_image(256, 256, ".jpg[Q=90]");
    const std::string truncated = jpeg.substr(0, jpeg.size() / 2);
    expect_error([&] { validate(truncated); }, ErrorKind::DataCorrupted, "damaged");
    expect_error([&] { process_result(truncated); }, ErrorKind::DataCorrupted, "damaged");
    const std::string png = test_images::make_image(256, 256, ".png");
    expect_error([&] { validate(png.substr(0, png.size() / 2)); }, ErrorKind::DataCorrupted, "damaged");
    std::string flipped = png; // a bit flip inside the pixel data breaks a chunk CRC
    flipped[flipped.size() / 2] ^= 0x10;
    expect_error([&] { validate(flipped); }, ErrorKind::DataCorrupted, "damaged");
}

TEST(ImagesValidate, RefusesDecompressionBombBeforeDecoding) {
    // 10 gigapixels claimed in 70 bytes whose image data is empty: a decoder that started on it
    // would fail on the missing rows (or on allocating 30 GB) with another error. "too large" is
    // only said from the header, so each function refused before decoding. (No timing here:
    // timed assertions fail on a loaded machine; bench/ measures speed.)
    const std::string bomb = png_claiming(100000, 100000);
    expect_error([&] { validate(bomb); }, ErrorKind::InvalidInput, "too large: 100000 x 100000");
    expect_error([&] { process_result(bomb); }, ErrorKind::InvalidInput, "too large");
    expect_error([&] { make_thumbnail(bomb); }, ErrorKind::InvalidInput, "too large");
    expect_error([&] { render_preview(bomb, PreviewSpec{}); }, ErrorKind::InvalidInput, "too large");
}

TEST(ImagesValidate, EnforcesPixelAndByteLimits) {
    // Within the width/height limits but 100 megapixels.
    expect_error([] { validate(png_claiming(10000, 10000)); }, ErrorKind::InvalidInput, "100.0 megapixels");
    Limits small;
    small.max_width = 100;
    expect_error([&] { validate(test_images::make_image(101, 10), small); }, ErrorKind::InvalidInput,
                 "101 x 10");
    small = Limits{};
    small.max_pixels = 999;
    expect_error([&] { validate(test_images::make_image(100, 10), small); }, ErrorKind::InvalidInput,
                 "megapixels");
    small = Limits{};
    small.max_bytes = 100;
    expect_error([&] { validate(test_images::make_image(64, 64, ".png"), small); }, ErrorKind::InvalidInput,
                 "file is too large");
}
