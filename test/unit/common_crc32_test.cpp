// CRC-32 of src/core/common (ZIP entries, PNG chunks; computed by zlib).
#include "core/common/crc32.hpp"

#include <gtest/gtest.h>

#include <string>

using rolloy::crc32;

TEST(CommonCrc32, KnownValues) {
    EXPECT_EQ(crc32(""), 0u);
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u); // the standard check value
    EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
    EXPECT_EQ(crc32("IHDR"), 0xA8A1AE0Au);
}

TEST(CommonCrc32, Continues) {
    EXPECT_EQ(crc32("56789", crc32("1234")), 0xCBF43926u);
    // An empty view may have no buffer at all; it must still continue the CRC unchanged.
    EXPECT_EQ(crc32(std::string_view(), 0xCBF43926u), 0xCBF43926u);
    EXPECT_EQ(crc32("", 0xCBF43926u), 0xCBF43926u);
}

TEST(CommonCrc32, EveryLengthAndAlignmentMatchesTheBitwiseDefinition) {
    // The reference: one bit at a time, straight from the polynomial.
    auto bitwise = [](const std::string &data) {
        std::uint32_t c = 0xFFFFFFFFu;
        for (unsigned char byte : data) {
            c ^= byte;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    };
    std::string data;
    for (int i = 0; i < 100; ++i)
        data.push_back(char(i * 37 + 11));
    for (std::size_t start = 0; start < 9; ++start)
        for (std::size_t length = 0; start + length <= data.size(); ++length) {
            const std::string part = data.substr(start, length);
            ASSERT_EQ(crc32(std::string_view(data).substr(start, length)), bitwise(part))
                << start << "+" << length;
        }
}
