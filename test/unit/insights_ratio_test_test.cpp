// The effect test on hand-made sides: when it is made, which figures it reports, and that it
// reduces to the textbook Welch test when every unit has the same size.
#include "core/insights/ratio_test.hpp"

#include "core/common/error.hpp"
#include "core/insights/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rolloy::insights {
namespace {

// Units of equal size n with the given click counts.
std::vector<RatioUnit> equal_units(std::initializer_list<double> clicks, double n = 10000) {
    std::vector<RatioUnit> units;
    for (double k : clicks)
        units.push_back({k, n});
    return units;
}

TEST(InsightsRatioTest, EqualSizesGiveTheTextbookWelchTest) {
    const auto group = equal_units({180, 210, 260, 150, 230});
    const auto rest = equal_units({120, 160, 140, 175, 110});
    const RatioTestResult result = ratio_test(group, rest);
    ASSERT_EQ(result.status, RatioTestStatus::Tested);
    ASSERT_TRUE(result.test);
    // With equal n the ratio of sums is the mean CTR and the jackknife variance is s²/m, so
    // this is Welch's test on the creatives' CTRs: means 0.0206 and 0.0141, sample variances
    // 1.83e-5 and 7.3e-6 (Σ(k − k̄)² = 7320 and 2920 clicks², / 4 / 10000²), v = s²/5.
    EXPECT_NEAR(result.group.ratio, 0.0206, 1e-15);
    EXPECT_NEAR(result.rest.ratio, 0.0141, 1e-15);
    const double v1 = 7320.0 / 4 / 1e8 / 5, v2 = 2920.0 / 4 / 1e8 / 5;
    EXPECT_NEAR(result.group.variance, v1, 1e-18);
    EXPECT_NEAR(result.rest.variance, v2, 1e-18);
    const WelchTest &test = *result.test;
    EXPECT_NEAR(test.difference, 0.0065, 1e-15);
    EXPECT_NEAR(test.std_error, std::sqrt(v1 + v2), 1e-15);
    EXPECT_NEAR(test.t_statistic, 0.0065 / std::sqrt(v1 + v2), 1e-9);
    // Welch–Satterthwaite with m − 1 = 4 per side (equal sides: the size-based df is 8, larger).
    const double df = (v1 + v2) * (v1 + v2) / (v1 * v1 / 4 + v2 * v2 / 4);
    EXPECT_NEAR(test.degrees_of_freedom, df, 1e-9);
    EXPECT_NEAR(test.p_value, two_sided_p_value(test.t_statistic, df), 1e-12);
    EXPECT_NEAR(test.confidence, 1 - test.p_value, 1e-15);
    EXPECT_TRUE(result.few_units);
}

TEST(InsightsRatioTest, SwappingTheSidesMirrorsTheTest) {
    const std::vector<RatioUnit> a = {{30, 2000}, {55, 4100}, {12, 1500}, {80, 9000}};
    const std::vector<RatioUnit> b = {{20, 2500}, {45, 3100}, {9, 1200}, {60, 8800}, {33, 2900}, {70, 5000}};
    const RatioTestResult ab = ratio_test(a, b), ba = ratio_test(b, a);
    ASSERT_TRUE(ab.test && ba.test);
    EXPECT_DOUBLE_EQ(ab.test->t_statistic, -ba.test->t_statistic);
    EXPECT_DOUBLE_EQ(ab.test->degrees_of_freedom, ba.test->degrees_of_freedom);
    EXPECT_DOUBLE_EQ(ab.test->confidence, ba.test->confidence);
}

TEST(InsightsRatioTest, DfIsTheSmallerOfSeenAndPredicted) {
    // 4 equal creatives against 9: the sizes predict the group's variance dominates (df near 3),
    // while the group happens to vary little. Welch on the variances seen would give about 10.
    const auto group = equal_units({677, 675, 595, 607}, 20000);
    const auto rest = equal_units({441, 339, 418, 398, 235, 239, 240, 238, 350}, 20000);
    const RatioTestResult result = ratio_test(group, rest);
    ASSERT_TRUE(result.test);
    const double v1 = result.group.variance, v2 = result.rest.variance;
    const double seen = welch_satterthwaite_df(v1, 3, v2, 8);
    const double predicted = welch_satterthwaite_df(1.0 / 4, 3, 1.0 / 9, 8);
    EXPECT_GT(seen, 10);
    EXPECT_NEAR(result.test->degrees_of_freedom, predicted, 1e-9);
    EXPECT_LT(predicted, seen);
}

TEST(InsightsRatioTest, ClearDriverOnFourCreativesIsConfidentButFew) {
    // The demo's JOY driver: 4 creatives at CTR 3.0–3.4 % against 9 at 1.2–2.2 %, ~20 000
    // impressions each, a real +1 point effect built into the demo data. The confidence is
    // earned (t ≈ 8.7) but rests on 4 creatives, so the finding is labelled few_units.
    const std::vector<RatioUnit> joy = {{677, 19650}, {675, 20110}, {595, 19420}, {607, 20380}};
    const std::vector<RatioUnit> rest = {{441, 19870}, {339, 19230}, {418, 20560}, {398, 19990}, {235, 19510},
                                         {239, 20240}, {240, 19760}, {238, 20050}, {350, 19340}};
    const RatioTestResult result = ratio_test(joy, rest);
    ASSERT_TRUE(result.test);
    EXPECT_GT(result.test->t_statistic, 8);
    EXPECT_GT(result.test->confidence, 0.999);
    EXPECT_TRUE(result.few_units);
}

TEST(InsightsRatioTest, OneDominantCreativeIsLittleEvidence) {
    // Each side: one creative with 100 000 impressions (3.0 % against 2.0 %) and nine of 1 000
    // that agree with it. It is in effect one creative against one: the classic test (m − 1 =
    // 9 per side) is certain, ratio_test counts about one unit a side and is not.
    std::vector<RatioUnit> group = {{3000, 100000}}, rest = {{2000, 100000}};
    for (int i = 0; i < 9; ++i) {
        group.push_back({(i % 2 ? 22.0 : 38.0), 1000});
        rest.push_back({(i % 2 ? 15.0 : 25.0), 1000});
    }
    const RatioTestResult result = ratio_test(group, rest);
    ASSERT_TRUE(result.test);
    EXPECT_LT(result.group.effective_df, 1.01);
    EXPECT_LT(result.rest.effective_df, 1.01);
    EXPECT_LT(result.test->degrees_of_freedom, 2);
    EXPECT_LT(result.test->confidence, 0.99);
    const double classic_df = welch_satterthwaite_df(result.group.variance, 9, result.rest.variance, 9);
    EXPECT_GT(two_sided_confidence(result.test->t_statistic, classic_df), 0.99999);
    EXPECT_FALSE(result.few_units); // ten creatives a side: the label counts creatives
}

TEST(InsightsRatioTest, TooFewUnits) {
    const RatioTestResult result = ratio_test({{5, 1000}}, equal_units({10, 12, 14}));
    EXPECT_EQ(result.status, RatioTestStatus::TooFewUnits);
    EXPECT_FALSE(result.test);
    EXPECT_TRUE(result.few_units);
    EXPECT_DOUBLE_EQ(result.group.ratio, 0.005); // still reported
    EXPECT_DOUBLE_EQ(result.rest.ratio, 0.0012);
}

TEST(InsightsRatioTest, NoSpreadIsNeverCertain) {
    // No conversions at all on 3 creatives against a rest that has some: the group's zero
    // variance says nothing about chance. The old rule gave confidence 1 here.
    const RatioTestResult zero = ratio_test(equal_units({0, 0, 0}, 40), equal_units({3, 5, 2, 4}, 40));
    EXPECT_EQ(zero.status, RatioTestStatus::NoSpread);
    EXPECT_FALSE(zero.test);
    // Neither side varies but the ratios differ (v_group + v_rest = 0).
    const RatioTestResult flat = ratio_test(equal_units({1, 1, 1}), equal_units({2, 2, 2, 2}));
    EXPECT_EQ(flat.status, RatioTestStatus::NoSpread);
    EXPECT_FALSE(flat.test);
}

TEST(InsightsRatioTest, ManyUnitsAreNotFew) {
    std::vector<RatioUnit> a, b;
    for (int i = 0; i < 10; ++i) {
        a.push_back({100.0 + 7 * i, 8000.0 + 100 * i});
        b.push_back({90.0 + 5 * (i % 4), 8000.0 + 300 * i});
    }
    EXPECT_FALSE(ratio_test(a, b).few_units);
    b.pop_back();
    EXPECT_TRUE(ratio_test(a, b).few_units);
}

TEST(InsightsRatioTest, WelchSatterthwaiteDf) {
    EXPECT_NEAR(welch_satterthwaite_df(2, 4, 2, 4), 8, 1e-12);  // equal: the sum
    EXPECT_NEAR(welch_satterthwaite_df(1, 3, 0, 50), 3, 1e-12); // one side carries it all
    EXPECT_NEAR(welch_satterthwaite_df(1e-300, 5, 3e-300, 7), 16.0 / (1.0 / 5 + 9.0 / 7), 1e-12);
    EXPECT_THROW(welch_satterthwaite_df(0, 4, 0, 4), Error);
    EXPECT_THROW(welch_satterthwaite_df(-1, 4, 1, 4), Error);
    EXPECT_THROW(welch_satterthwaite_df(1, 0, 1, 4), Error);
    EXPECT_THROW(welch_satterthwaite_df(1, 4, std::nan(""), 4), Error);
}

TEST(InsightsRatioTest, BadUnitsThrow) {
    EXPECT_THROW(ratio_test(std::vector<RatioUnit>{}, equal_units({1, 2})), Error);
    EXPECT_THROW(ratio_test(equal_units({1, 2}), {{1, 0}, {2, 10}}), Error);
}

} // namespace
} // namespace rolloy::insights
