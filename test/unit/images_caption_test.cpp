#include "core/images/caption.hpp"
#include "core/common/utf8.hpp"

#include <gtest/gtest.h>

using namespace rolloy;
using namespace rolloy::images;

TEST(ImagesCaption, KeyTermsOfAPrompt) {
    EXPECT_EQ(
        caption_from_prompt("A photorealistic photo of a smiling senior woman walking with a lightweight "
                            "rollator in a sunny park, golden hour, 8k"),
        "smiling \xC2\xB7 senior \xC2\xB7 woman \xC2\xB7 walking \xC2\xB7 lightweight \xC2\xB7 rollator");
}

TEST(ImagesCaption, DeduplicatesAndLimits) {
    EXPECT_EQ(caption_from_prompt("Park, PARK, park bench; bench", 6), "park \xC2\xB7 bench");
    EXPECT_EQ(caption_from_prompt("alpha beta gamma delta", 2), "alpha \xC2\xB7 beta");
    // Whole terms only: "gamma" would pass 16 bytes.
    EXPECT_EQ(caption_from_prompt("alpha beta gamma delta", 6, 16), "alpha \xC2\xB7 beta");
    EXPECT_EQ(caption_from_prompt("a an of to 4k"), "");
}

TEST(ImagesCaption, KeepsNonAsciiWordsAndJoiners) {
    EXPECT_EQ(caption_from_prompt("Spaziergang im Grünen, well-being, Oma's Café"),
              "spaziergang \xC2\xB7 grünen \xC2\xB7 well-being \xC2\xB7 oma's \xC2\xB7 café");
    EXPECT_TRUE(is_valid_utf8(caption_from_prompt("bad \xFF\xFE bytes here")));
}

TEST(ImagesCaption, EscapesMarkup) {
    EXPECT_EQ(escape_markup("Tom & Jerry <b>\"x\" 'y'"),
              "Tom &amp; Jerry &lt;b&gt;&quot;x&quot; &apos;y&apos;");
    EXPECT_EQ(escape_markup("tab\there\x01"), "tab here ");
    EXPECT_EQ(escape_markup("\xC3"), "\xEF\xBF\xBD");
}

TEST(ImagesUtf8, Validation) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("Fahrrad_Grün_日本_😀"));
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE2\x82"));         // truncated
    EXPECT_EQ(sanitise_utf8("a\xFF"
                            "b"),
              "a\xEF\xBF\xBD"
              "b");
}
