// SHA-256 of src/core/common (fingerprints of stored images; computed by OpenSSL).
#include "core/common/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

using rolloy::sha256_hex;

// NIST FIPS 180-4 examples (csrc.nist.gov "SHA256.pdf", "SHA2_Additional.pdf").
TEST(CommonSha256, NistVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(
                  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
                  "nopqrsmnopqrstnopqrstu"),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    EXPECT_EQ(sha256_hex(std::string(1, '\xbd')),
              "68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b");
    EXPECT_EQ(sha256_hex(std::string(1000, '\0')),
              "541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53");
}

TEST(CommonSha256, PaddingBoundaries) {
    // 55, 56 and 64 bytes put the length field in the same, the next and a fresh block.
    EXPECT_EQ(sha256_hex(std::string(55, 'a')),
              "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    EXPECT_EQ(sha256_hex(std::string(56, 'a')),
              "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    EXPECT_EQ(sha256_hex(std::string(64, 'a')),
              "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(CommonSha256, EmptyViewWithoutABuffer) {
    EXPECT_EQ(sha256_hex(std::string_view()), sha256_hex(""));
}
