#include "core/common/base64.hpp"
#include "core/providers/reference_base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rolloy::providers {
namespace {

TEST(ReferenceBase64, IsTheBase64OfWhateverItIsGiven) {
    // Same photo again, another photo, the first again, one of the same size with one byte
    // changed, an empty one, and one too large to remember: always the encoding of the input.
    std::string a(40000, 'a'), b(123, 'b'), a2 = a, big(3u << 20, 'z');
    a2[20000] = 'x';
    for (const std::string *bytes : {&a, &a, &b, &a, &a2, &a, &b})
        EXPECT_EQ(reference_base64(*bytes), base64_encode(*bytes));
    EXPECT_EQ(reference_base64(""), "");
    EXPECT_EQ(reference_base64(big), base64_encode(big));
    EXPECT_EQ(reference_base64(a), base64_encode(a));
}

} // namespace
} // namespace rolloy::providers
