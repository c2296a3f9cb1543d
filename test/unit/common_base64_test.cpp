#include "core/common/base64.hpp"

#include <gtest/gtest.h>

#include <random>

namespace rolloy {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesRfc4648Vectors) {
    EXPECT_EQ(base64_decode(""), std::string());
    EXPECT_EQ(base64_decode("Zg=="), "f");
    EXPECT_EQ(base64_decode("Zm8="), "fo");
    EXPECT_EQ(base64_decode("Zm9v"), "foo");
    EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
    EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
    EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
    std::mt19937 rng(7);
    for (std::size_t len = 0; len < 300; ++len) {
        std::string bytes(len, '\0');
        for (char &c : bytes)
            c = static_cast<char>(rng() & 0xff);
        const auto decoded = base64_decode(base64_encode(bytes));
        ASSERT_TRUE(decoded.has_value()) << len;
        EXPECT_EQ(*decoded, bytes) << len;
    }
}

TEST(Base64, ToleratesWhitespaceAndMissingPadding) {
    EXPECT_EQ(base64_decode("Zm9v\r\nYmE="), "fooba");
    EXPECT_EQ(base64_decode(" Zm9vYg "), "foob");
    EXPECT_EQ(base64_decode("Zm8"), "fo");
}

TEST(Base64, RejectsWhatIsNotBase64) {
    EXPECT_FALSE(base64_decode("Zm9v!").has_value());
    EXPECT_FALSE(base64_decode("Zm9v-_").has_value());   // base64url alphabet is not accepted
    EXPECT_FALSE(base64_decode("Zg==Zg==").has_value()); // data after padding
    EXPECT_FALSE(base64_decode("Z").has_value());        // a single dangling character
    EXPECT_FALSE(base64_decode("Zm9vY").has_value());
    EXPECT_FALSE(base64_decode(std::string("Zm\0v", 4)).has_value());
}

} // namespace
} // namespace rolloy
