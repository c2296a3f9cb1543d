#include "core/import/csv_reader.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rolloy::import {
namespace {

using test::error_message;

struct Rec {
    std::size_t line, end_line;
    std::vector<std::string> fields;
};

std::vector<Rec> read_all(std::string_view text, char delimiter = ',', CsvLimits limits = {}) {
    CsvReader reader(text, delimiter, 1, limits);
    CsvRecord record;
    std::vector<Rec> out;
    while (reader.next(record))
        out.push_back({record.line, record.end_line, {record.fields.begin(), record.fields.end()}});
    return out;
}

using Fields = std::vector<std::string>;

TEST(ImportCsvReader, SplitsPlainRecords) {
    auto recs = read_all("a,b,c\n1,2,3\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].fields, (Fields{"a", "b", "c"}));
    EXPECT_EQ(recs[1].fields, (Fields{"1", "2", "3"}));
    EXPECT_EQ(recs[1].line, 2u);
}

TEST(ImportCsvReader, HandlesEveryLineEnding) {
    auto recs = read_all("a\r\nb\nc\rd");
    ASSERT_EQ(recs.size(), 4u);
    EXPECT_EQ(recs[2].fields, Fields{"c"});
    EXPECT_EQ(recs[3].fields, Fields{"d"}); // no final line break
    EXPECT_EQ(recs[3].line, 4u);
}

TEST(ImportCsvReader, EmptyFieldsAndBlankLines) {
    auto recs = read_all("a,,c,\n\n,,\n");
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].fields, (Fields{"a", "", "c", ""}));
    EXPECT_EQ(recs[1].fields, Fields{""});
    EXPECT_EQ(recs[2].fields, (Fields{"", "", ""}));
    CsvReader reader(",,\n", ',');
    CsvRecord r;
    ASSERT_TRUE(reader.next(r));
    EXPECT_TRUE(r.blank());
}

TEST(ImportCsvReader, QuotedFieldsKeepDelimitersQuotesAndLineBreaks) {
    auto recs = read_all("\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\nz\"\nnext,\"\"\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].fields, (Fields{"a,b", "say \"hi\"", "x\r\ny\nz"}));
    EXPECT_EQ(recs[0].line, 1u);
    EXPECT_EQ(recs[0].end_line, 3u);
    EXPECT_EQ(recs[1].line, 4u); // physical line numbers continue after the quoted breaks
    EXPECT_EQ(recs[1].fields, (Fields{"next", ""}));
}

TEST(ImportCsvReader, UnescapedFieldsSurviveLaterFieldsOfTheSameRecord) {
    // Several escaped fields share the scratch buffer; growing it must not invalidate earlier ones.
    std::string line;
    for (int i = 0; i < 50; ++i)
        line += "\"v\"\"" + std::string(100, char('a' + i % 26)) + "\",";
    line += "end\n";
    auto recs = read_all(line);
    ASSERT_EQ(recs.size(), 1u);
    ASSERT_EQ(recs[0].fields.size(), 51u);
    EXPECT_EQ(recs[0].fields[0], "v\"" + std::string(100, 'a'));
    EXPECT_EQ(recs[0].fields[49], "v\"" + std::string(100, char('a' + 49 % 26)));
}

TEST(ImportCsvReader, ToleratesStrayQuotesLikeExcel) {
    auto recs = read_all("ab\"c,\"q\"tail,x\n");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].fields, (Fields{"ab\"c", "qtail", "x"}));
}

TEST(ImportCsvReader, OtherDelimiters) {
    EXPECT_EQ(read_all("a;\"b;c\";d", ';')[0].fields, (Fields{"a", "b;c", "d"}));
    EXPECT_EQ(read_all("a\tb c\t", '\t')[0].fields, (Fields{"a", "b c", ""}));
}

TEST(ImportCsvReader, RawViewAndOffsets) {
    CsvReader reader("h1,h2\r\n\"x\ny\",2\n", ',');
    CsvRecord r;
    ASSERT_TRUE(reader.next(r));
    EXPECT_EQ(r.raw, "h1,h2");
    EXPECT_EQ(reader.offset(), 7u);
    EXPECT_EQ(reader.next_line(), 2u);
    ASSERT_TRUE(reader.next(r));
    EXPECT_EQ(r.raw, "\"x\ny\",2");
    EXPECT_EQ(reader.next_line(), 4u);
    EXPECT_FALSE(reader.next(r));
}

TEST(ImportCsvReader, UnterminatedQuoteNamesTheLine) {
    std::string text = "a,b\n1,2\n3,\"never\nclosed";
    std::string message = error_message([&] { read_all(text); }, ErrorKind::InvalidText);
    EXPECT_EQ(message, "line 3: a quoted field opened on line 3 is never closed; the file looks truncated");
}

TEST(ImportCsvReader, TruncatedFixtureFailsAtItsLastLine) {
    std::string text = test::read_fixture("truncated_quote.csv");
    CsvReader reader(text, ',');
    CsvRecord r;
    ASSERT_TRUE(reader.next(r));
    ASSERT_TRUE(reader.next(r));
    EXPECT_EQ(error_message([&] { reader.next(r); }, ErrorKind::InvalidText),
              "line 3: a quoted field opened on line 3 is never closed; the file looks truncated");
}

TEST(ImportCsvReader, TenMegabyteLineIsRefused) {
    // Refused at the 1 MiB limit with the line named (how fast: bench/import_parse_bench.cpp).
    std::string text = "a,b\n" + std::string(10u << 20, 'x') + "\nc,d\n";
    std::string message = error_message([&] { read_all(text); }, ErrorKind::InvalidText);
    EXPECT_EQ(message, "line 2 is longer than 1 MiB, the limit for one CSV row");
}

TEST(ImportCsvReader, RecordOfExactlyTheLimitIsAccepted) {
    CsvLimits limits{16};
    EXPECT_EQ(read_all(std::string(16, 'x') + "\n", ',', limits)[0].fields[0].size(), 16u);
    EXPECT_EQ(read_all(std::string(16, 'x'), ',', limits)[0].fields[0].size(), 16u);
    EXPECT_EQ(read_all("\"" + std::string(14, 'x') + "\"\n", ',', limits)[0].fields[0].size(), 14u);
    EXPECT_EQ(
        error_message([&] { read_all(std::string(17, 'x') + "\n", ',', limits); }, ErrorKind::InvalidText),
        "line 1 is longer than 16 bytes, the limit for one CSV row");
    // One byte over the limit at the very end of the text (found by the fuzzer).
    EXPECT_EQ(error_message([&] { read_all(std::string(17, 'x'), ',', limits); }, ErrorKind::InvalidText),
              "line 1 is longer than 16 bytes, the limit for one CSV row");
    EXPECT_EQ(error_message([&] { read_all("\"" + std::string(14, 'x') + "\"y", ',', limits); },
                            ErrorKind::InvalidText),
              "line 1 is longer than 16 bytes, the limit for one CSV row");
    EXPECT_EQ(error_message([&] { read_all("\"" + std::string(15, 'x') + "\"\n", ',', limits); },
                            ErrorKind::InvalidText),
              "line 1 is longer than 16 bytes, the limit for one CSV row");
}

TEST(ImportCsvReader, LongLineInsideAQuoteSaysSo) {
    CsvLimits limits{1024};
    std::string text = "a\n\"open" + std::string(5000, 'x') + "\nmore\n";
    EXPECT_EQ(error_message([&] { read_all(text, ',', limits); }, ErrorKind::InvalidText),
              "line 2 is longer than 1 KiB, the limit for one CSV row; a quote opened on line 2 may never be "
              "closed");
}

TEST(ImportCsvReader, DetectsTheDelimiterOutsideQuotes) {
    EXPECT_EQ(detect_delimiter("Day,Campaign,Cost"), ',');
    EXPECT_EQ(detect_delimiter("Day;Campaign;\"Cost, EUR\""), ';');
    EXPECT_EQ(detect_delimiter("Day\tCPM (cost per 1,000 impressions)\tCost"), '\t');
    EXPECT_EQ(detect_delimiter("\"a,b,c,d\";x;y"), ';');
    EXPECT_EQ(detect_delimiter("single column"), ',');
    EXPECT_EQ(detect_delimiter("a;b\nc,d,e,f"), ';'); // only the first line counts
    EXPECT_STREQ(delimiter_name('\t'), "tab");
    EXPECT_STREQ(delimiter_name(';'), "semicolon");
    EXPECT_STREQ(delimiter_name(','), "comma");
}

TEST(ImportCsvReader, SplitFirstLine) {
    std::string_view rest;
    EXPECT_EQ(split_first_line("a\r\nb", &rest), "a");
    EXPECT_EQ(rest, "b");
    EXPECT_EQ(split_first_line("only", &rest), "only");
    EXPECT_EQ(rest, "");
}

} // namespace
} // namespace rolloy::import
