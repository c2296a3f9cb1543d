// Ad IDs a spreadsheet turned into scientific notation: recognised, not keyed on, and still
// usable as a consistency check against the IDs stored by an earlier native import.
#include "core/import/ad_id_damage.hpp"
#include "core/import/export_parser.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

TEST(ImportAdIdDamage, RecognisesSpreadsheetScientificNotation) {
    EXPECT_TRUE(is_damaged_id("1.20210E+17"));
    EXPECT_TRUE(is_damaged_id("1,2021E+17")); // a decimal-comma locale
    EXPECT_TRUE(is_damaged_id("1E+17"));
    EXPECT_TRUE(is_damaged_id("1.2e17"));
    EXPECT_FALSE(is_damaged_id("120210000000000101"));
    EXPECT_FALSE(is_damaged_id("E+17"));
    EXPECT_FALSE(is_damaged_id("1.2E"));
    EXPECT_FALSE(is_damaged_id("1.2.3E+17"));
    EXPECT_FALSE(is_damaged_id("abcE+17"));
    EXPECT_FALSE(is_damaged_id("1.2E+17x"));
    EXPECT_FALSE(is_damaged_id("1.2E+1700")); // no ID has that many digits
    EXPECT_FALSE(is_damaged_id(""));
}

TEST(ImportAdIdDamage, StoredIdsFitWhenTheyRoundToTheDamagedValue) {
    EXPECT_TRUE(damaged_id_fits("1.20210E+17", "120210000000000101"));
    EXPECT_TRUE(damaged_id_fits("1.20210E+17", "120210499999999999"));
    EXPECT_TRUE(damaged_id_fits("1.20210E+17", "120209500000000000"));  // rounded up to ...210
    EXPECT_FALSE(damaged_id_fits("1.20210E+17", "120210500000000000")); // rounds to ...211
    EXPECT_FALSE(damaged_id_fits("1.20210E+17", "120211000000000000"));
    EXPECT_FALSE(damaged_id_fits("1.20210E+17", "12021000000000010")); // one digit short
    EXPECT_TRUE(damaged_id_fits("1.00000E+18", "999999600000000000")); // carried into a new digit
    EXPECT_TRUE(damaged_id_fits("1,2021E+17", "120210000000000101"));
    EXPECT_TRUE(damaged_id_fits("1.2E+3", "1234"));
    EXPECT_FALSE(damaged_id_fits("1.2E+3", "12a4"));
    EXPECT_FALSE(damaged_id_fits("120210000000000101", "120210000000000101")); // not damaged
    EXPECT_FALSE(damaged_id_fits("1.20210E+17", ""));
}

TEST(ImportAdIdDamage, AResavedMetaExportIsAcceptedAndKeyedByName) {
    std::string body = test::read_fixture("meta_export_resaved.csv");
    std::vector<std::string> seen;
    ParseResult r = parse_export(
        body, test::opts(),
        [&](const PerformanceRow &row) {
            EXPECT_TRUE(row.ad_id.empty());
            EXPECT_TRUE(damaged_id_fits(row.damaged_ad_id, "120210000000000101"));
            EXPECT_FALSE(row.covers_range()); // starts = ends: one day
            seen.push_back(row.date.iso() + " " + std::string(row.ad_name) + " " + row.spend->to_string() +
                           " " + std::to_string(*row.impressions) + " " + std::string(row.currency));
        },
        [](const RowProblem &p) { ADD_FAILURE() << p.line << ": " << p.reason; });
    EXPECT_EQ(r.info.platform->name, "meta");
    EXPECT_EQ(r.info.encoding, TextEncoding::Utf8Bom);
    EXPECT_EQ(r.stats.rows, 8u);
    EXPECT_EQ(r.stats.summary_rows, 1u);
    EXPECT_EQ(r.stats.damaged_ids, 8u);
    ASSERT_EQ(seen.size(), 8u);
    EXPECT_EQ(seen[0], "2026-12-01 20261127_OUT_PARK_WALK_JOY_UGC_V01 1234.56 21997 USD");
    EXPECT_EQ(seen[7], "2026-12-02 Winter carousel - Copy 14.2 2105 USD");
}

TEST(ImportAdIdDamage, TheNativeAndTheResavedExportCarryTheSameNumbers) {
    auto numbers = [](const std::string &fixture) {
        std::vector<std::string> out;
        parse_export(
            test::read_fixture(fixture), test::opts(),
            [&](const PerformanceRow &row) {
                out.push_back(row.date.iso() + std::string(row.ad_name) + row.spend->to_string() +
                              std::to_string(*row.clicks) +
                              (row.conversions ? row.conversions->to_string() : "-") +
                              (row.conversion_value ? row.conversion_value->to_string() : "-"));
            },
            [](const RowProblem &p) { ADD_FAILURE() << p.reason; });
        return out;
    };
    EXPECT_EQ(numbers("meta_export_native.csv"), numbers("meta_export_resaved.csv"));
    EXPECT_EQ(numbers("meta_export_native.csv"), numbers("meta_export_no_id.csv"));
}

TEST(ImportAdIdDamage, ADamagedIdWithoutAnAdNameIsARowProblem) {
    std::vector<RowProblem> problems;
    parse_export(
        "Day,Ad name,Ad ID,Impressions,Link clicks,Amount spent (USD)\n2026-12-01,,1.20210E+17,10,1,2\n",
        test::opts(), [](const PerformanceRow &) { ADD_FAILURE(); },
        [&](const RowProblem &p) { problems.push_back(p); });
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].reason,
              "Ad ID: \"1.20210E+17\" was turned into scientific notation by a spreadsheet and "
              "the row has no ad name to match it by");
    ASSERT_EQ(problems[0].causes.size(), 1u);
    EXPECT_EQ(problems[0].causes[0].remedy, Remedy::Spreadsheet);
}

} // namespace
} // namespace rolloy::import
