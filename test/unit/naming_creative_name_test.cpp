#include "core/naming/creative_name.hpp"

#include "core/common/error.hpp"

#include <gtest/gtest.h>

using namespace rolloy;
using namespace rolloy::naming;

namespace {
AbcdCodes sample_codes() { return {"OUT", "PARK", "WALK", "JOY", "UGC"}; }
}  // namespace

TEST(CodeValidation, AcceptsShortUpperCaseTokens) {
    EXPECT_TRUE(is_valid_code("UGC"));
    EXPECT_TRUE(is_valid_code("A1"));
    EXPECT_TRUE(is_valid_code("ABCDEFGH"));
}

TEST(CodeValidation, RefusesLowerCaseOverlongAndSeparators) {
    EXPECT_FALSE(is_valid_code("ugc"));
    EXPECT_FALSE(is_valid_code("A"));
    EXPECT_FALSE(is_valid_code("ABCDEFGHI"));
    EXPECT_FALSE(is_valid_code("1ABC"));
    EXPECT_FALSE(is_valid_code("AB_C"));
    EXPECT_FALSE(is_valid_code("AB-C"));
    EXPECT_FALSE(is_valid_code(""));
    EXPECT_FALSE(is_valid_code("ÄBC"));
}

TEST(CodeValidation, ErrorNamesTheFieldAndTheRule) {
    try {
        validate_code("scene code (A2)", "park");
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        EXPECT_EQ(std::string(e.what()), "invalid scene code (A2) \"park\"");
        EXPECT_NE(e.detail().find("2 to 8 characters"), std::string::npos);
    }
}

TEST(ComposeProjectName, FollowsTheDesignExample) {
    EXPECT_EQ(compose_project_name("20261127", sample_codes(), 1), "20261127_OUT_PARK_WALK_JOY_UGC");
    EXPECT_EQ(compose_project_name("20261127", sample_codes(), 2), "20261127_OUT_PARK_WALK_JOY_UGC_2");
    EXPECT_EQ(compose_project_name("20261127", sample_codes(), 12), "20261127_OUT_PARK_WALK_JOY_UGC_12");
}

TEST(ComposeProjectName, RefusesBadDatesAndCodes) {
    EXPECT_THROW(compose_project_name("20260230", sample_codes(), 1), Error);
    EXPECT_THROW(compose_project_name("2026112", sample_codes(), 1), Error);
    AbcdCodes bad = sample_codes();
    bad.driver = "joy";
    EXPECT_THROW(compose_project_name("20261127", bad, 1), Error);
    EXPECT_THROW(compose_project_name("20261127", sample_codes(), 0), Error);
}

TEST(ComposeImageName, AppendsTwoDigitVariant) {
    EXPECT_EQ(compose_image_name("20261127_OUT_PARK_WALK_JOY_UGC", 1), "20261127_OUT_PARK_WALK_JOY_UGC_V01");
    EXPECT_EQ(compose_image_name("20261127_OUT_PARK_WALK_JOY_UGC_2", 123),
              "20261127_OUT_PARK_WALK_JOY_UGC_2_V123");
    EXPECT_THROW(compose_image_name("20261127_OUT_PARK_WALK_JOY_UGC", 0), Error);
    EXPECT_THROW(compose_image_name("not a name", 1), Error);
    EXPECT_THROW(compose_image_name("20261127_OUT_PARK_WALK_JOY_UGC_V01", 2), Error);
}

TEST(ParseCreativeName, RoundTripsComposedNames) {
    auto p = parse_creative_name("20261127_OUT_PARK_WALK_JOY_UGC_3_V07");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->year, 2026);
    EXPECT_EQ(p->month, 11);
    EXPECT_EQ(p->day, 27);
    EXPECT_EQ(p->codes.scene_category, "OUT");
    EXPECT_EQ(p->codes.scene, "PARK");
    EXPECT_EQ(p->codes.action, "WALK");
    EXPECT_EQ(p->codes.driver, "JOY");
    EXPECT_EQ(p->codes.format, "UGC");
    EXPECT_EQ(p->sequence, 3);
    EXPECT_EQ(p->variant, 7);
    EXPECT_EQ(p->project_name, "20261127_OUT_PARK_WALK_JOY_UGC_3");
    EXPECT_EQ(p->image_name, "20261127_OUT_PARK_WALK_JOY_UGC_3_V07");
}

TEST(ParseCreativeName, ToleratesWhatPlatformsAndPeopleDo) {
    const char *variants[] = {
        "  20261127_OUT_PARK_WALK_JOY_UGC_V01  ",
        "20261127_out_park_walk_joy_ugc_v01",
        "20261127-OUT-PARK-WALK-JOY-UGC-V01",
        "20261127 OUT PARK WALK JOY UGC V01",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01 - Copy",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01 \xE2\x80\x93 Copy 2",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01 (1)",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01 copy",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01 - Copy (2)",
        "2026-11-27_OUT_PARK_WALK_JOY_UGC_V01",
        "20261127__OUT__PARK_WALK_JOY_UGC_V1",
    };
    for (const char *text : variants) {
        auto p = parse_creative_name(text);
        ASSERT_TRUE(p) << text;
        EXPECT_EQ(p->image_name, "20261127_OUT_PARK_WALK_JOY_UGC_V01") << text;
        EXPECT_EQ(p->project_name, "20261127_OUT_PARK_WALK_JOY_UGC") << text;
    }
}

TEST(ParseCreativeName, ReturnsNothingForOtherText) {
    const char *others[] = {
        "",
        "   ",
        "Spring sale - carousel",
        "20261127_OUT_PARK_WALK_JOY",            // a code missing
        "20261127_OUT_PARK_WALK_JOY_UGC_EXTRA",  // a code too many
        "20261327_OUT_PARK_WALK_JOY_UGC",        // month 13
        "20260229_OUT_PARK_WALK_JOY_UGC",        // not a leap year
        "2026112_OUT_PARK_WALK_JOY_UGC",
        "20261127_OUT_PARK_WALK_JOY_UGC_1",      // sequence 1 is never written
        "20261127_OUT_PARK_WALK_JOY_UGC_V00",
        "20261127_OUT_PARK_WALK_JOY_UGC_V01_2",  // sequence after variant
        "20261127_OUT_PARK_WALK_JOY_TOOLONGCODE",
        "20261127_OUT_PARK_WALK_JOY_UGC'; DROP TABLE x; --",
    };
    for (const char *text : others) EXPECT_FALSE(parse_creative_name(text)) << text;
    EXPECT_FALSE(parse_creative_name(std::string(10000, 'A')));
}

TEST(ParseCreativeName, LeapDayIsAValidDate) {
    EXPECT_TRUE(parse_creative_name("20280229_OUT_PARK_WALK_JOY_UGC"));
}
