// Row problems grouped by cause for the message that rejects a file.
#include "core/import/problem_groups.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

TEST(ImportProblemGroups, OneSentencePerCauseWithCountAndFirstLines) {
    ProblemGroups g;
    for (std::size_t line = 2; line <= 61; ++line)
        g.add(line, {{"Amount spent (USD) is not a number", Remedy::Spreadsheet}});
    g.add(70, {{"Link clicks exceed Impressions", Remedy::FixRows}});
    g.add(71, {{"Link clicks exceed Impressions", Remedy::FixRows}, {"reach is negative", Remedy::FixRows}});
    EXPECT_EQ(g.detail(900), "Amount spent (USD) is not a number on 60 lines: 2, 3, 4, 5, 6 and 55 more.\n"
                             "Link clicks exceed Impressions on 2 lines: 70 and 71.\n"
                             "Reach is negative on line 71.");
    EXPECT_EQ(g.remedies(),
              "If the file was opened and saved again in a spreadsheet, format these columns as text "
              "before saving, or import the file exactly as the ad platform exported it.");
}

TEST(ImportProblemGroups, CausesThatDoNotFitAreCounted) {
    ProblemGroups g;
    for (int i = 0; i < 30; ++i)
        g.add(static_cast<std::size_t>(i + 2),
              {{"Column " + std::to_string(i) + " is not a number", Remedy::Reexport}});
    std::string detail = g.detail(300);
    EXPECT_LE(detail.size(), 300u);
    EXPECT_NE(detail.find("Column 0 is not a number on line 2"), std::string::npos) << detail;
    EXPECT_NE(detail.find("more kinds of problem on"), std::string::npos) << detail;
    EXPECT_EQ(g.remedies(), "Lines look cut or edited: export the report from the ad platform again.");
}

TEST(ImportProblemGroups, OneLongCauseIsCutOnACharacterBoundary) {
    ProblemGroups g;
    g.add(5, {{std::string(50, 'x') + "\xC3\xA9" + std::string(50, 'y'), Remedy::FixRows}});
    std::string detail = g.detail(51);
    EXPECT_EQ(detail, "X" + std::string(49, 'x')); // the two-byte character does not fit: cut before it
    EXPECT_EQ(g.remedies(), "");
}

} // namespace
} // namespace rolloy::import
