#include "core/import/export_parser.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rolloy::import {
namespace {

using test::error_message;
using test::opts;
using test::platform;
using test::read_fixture;

// A row with owned strings and every number as text ("null" when absent), easy to compare.
struct Row {
    std::size_t line;
    std::string date, ad_name, ad_id, campaign, ad_group, currency;
    std::string impressions, reach, clicks, spend, conversions, value;
    std::string start, end;
    bool from_roas, range;
};

std::string text(const std::optional<std::int64_t> &v) {
    return v ? std::to_string(*v) : "null";
}
std::string text(const std::optional<Decimal> &v) {
    return v ? v->to_string() : "null";
}
std::string text(const std::optional<Date> &v) {
    return v ? v->iso() : "null";
}

struct Parsed {
    ParseResult result;
    std::vector<Row> rows;
    std::vector<std::pair<std::size_t, std::string>> problems;
};

Parsed parse(const std::string &body, ParseOptions options = opts()) {
    Parsed p;
    p.result = parse_export(
        body, options,
        [&](const PerformanceRow &r) {
            p.rows.push_back({r.line, r.date.iso(), std::string(r.ad_name), std::string(r.ad_id),
                              std::string(r.campaign), std::string(r.ad_group), std::string(r.currency),
                              text(r.impressions), text(r.reach), text(r.clicks), text(r.spend),
                              text(r.conversions), text(r.conversion_value), text(r.reporting_start),
                              text(r.reporting_end), r.conversion_value_from_roas, r.covers_range()});
        },
        [&](const RowProblem &pr) { p.problems.emplace_back(pr.line, pr.reason); });
    return p;
}

const char *kMetaHeader = "Day,Ad name,Ad ID,Impressions,Link clicks,Amount spent (USD),Purchases,"
                          "Purchases conversion value\n";

// ---- fixtures in the platforms' real formats ----

TEST(ImportExportParser, MetaDaily) {
    Parsed p = parse(read_fixture("meta_daily.csv"));
    const ExportInfo &info = p.result.info;
    EXPECT_EQ(info.platform->name, "meta");
    EXPECT_EQ(info.encoding, TextEncoding::Utf8Bom);
    EXPECT_EQ(info.delimiter, ',');
    EXPECT_EQ(info.header_line, 1u);
    EXPECT_EQ(info.header_currency, "USD");
    EXPECT_EQ(info.conventions.decimal_mark, DecimalMark::Dot);
    EXPECT_FALSE(info.conventions.decimal_mark_guessed);
    EXPECT_EQ(p.result.stats.summary_rows, 1u); // the account totals line with blank names
    EXPECT_EQ(p.result.stats.records, 4u);
    EXPECT_EQ(p.result.stats.currency, "USD");
    EXPECT_TRUE(p.problems.empty());
    ASSERT_EQ(p.rows.size(), 3u);

    const Row &r = p.rows[0];
    EXPECT_EQ(r.line, 3u);
    EXPECT_EQ(r.date, "2026-11-27");
    EXPECT_EQ(r.ad_name, "20261127_OUT_PARK_WALK_JOY_UGC_v1");
    EXPECT_EQ(r.ad_id, "120210000000000001");
    EXPECT_EQ(r.campaign, "BF26_Rollator_Prospecting");
    EXPECT_EQ(r.ad_group, "Seniors 65+ US");
    EXPECT_EQ(r.currency, "USD");
    EXPECT_EQ(r.impressions, "21997");
    EXPECT_EQ(r.reach, "14210");
    EXPECT_EQ(r.clicks, "340"); // Link clicks, not Clicks (all) = 512
    EXPECT_EQ(r.spend, "159.51");
    EXPECT_EQ(r.conversions, "12");
    EXPECT_EQ(r.value, "1043.88"); // the value column, not ROAS x spend
    EXPECT_FALSE(r.from_roas);
    EXPECT_EQ(r.start, "2026-11-01");
    EXPECT_EQ(r.end, "2026-11-30");

    EXPECT_EQ(p.rows[1].conversions, "null"); // blank count cell = unknown, not zero
    EXPECT_EQ(p.rows[1].value, "null");
    EXPECT_EQ(p.rows[2].date, "2026-11-28");

    bool clicks_from_link_clicks = false;
    for (const auto &[field, header] : info.columns)
        if (field == Field::Clicks) clicks_from_link_clicks = header == "Link clicks";
    EXPECT_TRUE(clicks_from_link_clicks);
}

TEST(ImportExportParser, MetaWithoutDayColumnUsesTheReportingRange) {
    Parsed p = parse(read_fixture("meta_no_day_column.csv"));
    EXPECT_EQ(p.result.info.platform->name, "meta");
    EXPECT_EQ(p.result.info.header_currency, "EUR");
    ASSERT_EQ(p.rows.size(), 3u);
    EXPECT_EQ(p.rows[0].date, "2026-11-27");
    EXPECT_FALSE(p.rows[0].range);
    EXPECT_EQ(p.rows[0].clicks, "80"); // Clicks (all): there is no Link clicks column
    EXPECT_EQ(p.rows[0].currency, "EUR");
    EXPECT_EQ(p.rows[0].value, "87.5"); // ROAS 3.5 x 25.00
    EXPECT_TRUE(p.rows[0].from_roas);
    EXPECT_EQ(p.rows[1].date, "2026-11-01"); // a week: date = first day, range exposed
    EXPECT_TRUE(p.rows[1].range);
    EXPECT_EQ(p.rows[1].start, "2026-11-01");
    EXPECT_EQ(p.rows[1].end, "2026-11-07");
    EXPECT_EQ(p.rows[1].value, "149.3852"); // 2.123456789 -> 2.123457 x 70.35, exact to the micro
    EXPECT_EQ(p.rows[2].value, "null");     // no ROAS: no value
    EXPECT_FALSE(p.rows[2].from_roas);
}

TEST(ImportExportParser, GoogleAdsReportWithPreambleAndTotals) {
    Parsed p = parse(read_fixture("google_ads_report.csv"));
    const ExportInfo &info = p.result.info;
    EXPECT_EQ(info.platform->name, "google_ads");
    EXPECT_EQ(info.header_line, 3u); // after "Ad report" and the date range
    EXPECT_EQ(info.header_currency, "");
    EXPECT_EQ(p.result.stats.summary_rows, 3u); // Total: Account / Search / Display
    EXPECT_EQ(p.result.stats.currency, "USD");
    EXPECT_TRUE(p.problems.empty());
    ASSERT_EQ(p.rows.size(), 3u);
    const Row &r = p.rows[0];
    EXPECT_EQ(r.line, 4u);
    EXPECT_EQ(r.campaign, "BF26 Search Rollators");
    EXPECT_EQ(r.ad_group, "Rollator - lightweight");
    EXPECT_EQ(r.currency, "USD"); // from the Currency code column
    EXPECT_EQ(r.impressions, "1234");
    EXPECT_EQ(r.clicks, "37");
    EXPECT_EQ(r.spend, "31.45");
    EXPECT_EQ(r.conversions, "2.5");
    EXPECT_EQ(r.value, "1099.9");
    EXPECT_EQ(r.start, "null");
    EXPECT_EQ(p.rows[1].impressions, "11774");
    EXPECT_EQ(p.rows[1].conversions, "null"); // "--"
    EXPECT_EQ(p.rows[1].value, "null");
}

TEST(ImportExportParser, GoogleAdsExcelCsvInUtf16WithTabs) {
    Parsed p = parse(read_fixture("google_ads_excel_utf16.csv"));
    const ExportInfo &info = p.result.info;
    EXPECT_EQ(info.platform->name, "google_ads");
    EXPECT_EQ(info.encoding, TextEncoding::Utf16Le);
    EXPECT_EQ(info.delimiter, '\t');
    EXPECT_EQ(info.header_line, 3u);
    // A German account: "0,85" proves decimal commas although the file is tab-separated.
    EXPECT_EQ(info.conventions.decimal_mark, DecimalMark::Comma);
    EXPECT_FALSE(info.conventions.decimal_mark_guessed);
    EXPECT_EQ(p.result.stats.summary_rows, 1u);
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].ad_name, "20261127_OUT_PARK_WALK_JOY_UGC_v1 🚶"); // "Ad" column, emoji intact
    EXPECT_EQ(p.rows[0].campaign, "Frühjahr Rollatoren");
    EXPECT_EQ(p.rows[0].ad_group, "Rollator – leicht");
    EXPECT_EQ(p.rows[0].impressions, "1234"); // "1.234"
    EXPECT_EQ(p.rows[0].spend, "31.45");      // "31,45"
    EXPECT_EQ(p.rows[0].value, "1099.9");     // "1.099,90"
    EXPECT_EQ(p.rows[0].currency, "EUR");
    EXPECT_EQ(p.rows[1].line, 5u);
}

TEST(ImportExportParser, TikTokWithFullWidthParentheses) {
    Parsed p = parse(read_fixture("tiktok_fullwidth.csv"));
    EXPECT_EQ(p.result.info.platform->name, "tiktok");
    EXPECT_EQ(p.result.stats.summary_rows, 1u); // totals line: no ad name, no ad ID
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].date, "2026-11-27");
    EXPECT_EQ(p.rows[0].ad_group, "Seniors 60+");
    EXPECT_EQ(p.rows[0].clicks, "188"); // Clicks（destination）
    EXPECT_EQ(p.rows[0].spend, "45.2");
    EXPECT_EQ(p.rows[0].conversions, "4");
    EXPECT_EQ(p.rows[0].value, "119.78"); // the value column wins over ROAS
    EXPECT_FALSE(p.rows[0].from_roas);
    EXPECT_EQ(p.rows[0].currency, "USD");
    EXPECT_EQ(p.rows[1].clicks, "null"); // "-"
    EXPECT_EQ(p.rows[1].conversions, "null");
}

TEST(ImportExportParser, SemicolonEuropean) {
    Parsed p = parse(read_fixture("semicolon_european.csv"));
    const ExportInfo &info = p.result.info;
    EXPECT_EQ(info.delimiter, ';');
    EXPECT_EQ(info.conventions.decimal_mark, DecimalMark::Comma);
    EXPECT_EQ(info.conventions.date_order, DateOrder::DayFirst); // 27/11/2026 decides
    EXPECT_FALSE(info.conventions.date_order_guessed);
    EXPECT_TRUE(p.problems.empty());
    ASSERT_EQ(p.rows.size(), 3u);
    EXPECT_EQ(p.rows[0].spend, "1234.56");
    EXPECT_EQ(p.rows[0].impressions, "12345");
    EXPECT_EQ(p.rows[0].reach, "9870");
    EXPECT_EQ(p.rows[0].value, "2345.67");
    EXPECT_EQ(p.rows[1].date, "2026-11-03");  // 03/11/2026 read day-first like the rest
    EXPECT_EQ(p.rows[1].spend, "12.5");       // "€ 12,50"
    EXPECT_EQ(p.rows[1].impressions, "1200"); // "1 200"
    EXPECT_EQ(p.rows[1].conversions, "0");
    EXPECT_EQ(p.rows[2].spend, "7.5"); // "7,5 €"
    EXPECT_EQ(p.rows[2].date, "2026-11-04");
}

TEST(ImportExportParser, QuotedNewlinesKeepPhysicalLineNumbers) {
    Parsed p = parse(read_fixture("quoted_newlines.csv"));
    ASSERT_EQ(p.rows.size(), 3u);
    EXPECT_EQ(p.rows[0].line, 2u);
    EXPECT_EQ(p.rows[0].campaign, "BF26, \"Black Friday\" rollators");
    EXPECT_EQ(p.rows[0].ad_group, "Seniors 65+\r\nUS, lookalike 1%");
    EXPECT_EQ(p.rows[1].line, 4u);
    EXPECT_EQ(p.rows[1].ad_group, "multi\nline\nad set");
    EXPECT_EQ(p.rows[1].spend, "1005.5");
    EXPECT_EQ(p.rows[1].impressions, "2000");
    EXPECT_EQ(p.rows[2].line, 7u);
    EXPECT_EQ(p.rows[2].ad_name, "20261128_IND_HOME_FOLD_CALM_STATIC_v1");
}

// ---- malformed files ----

TEST(ImportExportParser, TruncatedQuoteYieldsEarlierRowsThenFails) {
    std::string body = read_fixture("truncated_quote.csv");
    ExportParser parser(body, opts());
    PerformanceRow row;
    RowProblem problem;
    ASSERT_EQ(parser.next(row, problem), ExportParser::Event::Row);
    EXPECT_EQ(row.line, 2u);
    EXPECT_EQ(error_message([&] { parser.next(row, problem); }, ErrorKind::InvalidText),
              "line 3: a quoted field opened on line 3 is never closed; the file looks truncated");
}

TEST(ImportExportParser, RaggedRowsAreRowProblems) {
    Parsed p = parse(read_fixture("ragged.csv"));
    ASSERT_EQ(p.problems.size(), 2u);
    EXPECT_EQ(p.problems[0],
              std::make_pair(std::size_t(3), std::string("the line has 6 fields but the header has 8")));
    EXPECT_EQ(p.problems[1],
              std::make_pair(std::size_t(4), std::string("the line has 9 fields but the header has 8")));
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[1].line, 5u); // two empty trailing cells are tolerated
    EXPECT_EQ(p.result.stats.problems, 2u);
    EXPECT_EQ(p.result.stats.rows, 2u);
    EXPECT_EQ(p.result.stats.records, 4u);
}

TEST(ImportExportParser, BinaryXlsxIsRefused) {
    std::string body = read_fixture("binary_xlsx.csv");
    EXPECT_EQ(error_message([&] { ExportParser parser(body, opts()); }, ErrorKind::DataCorrupted),
              "the file is an Excel .xlsx workbook (a ZIP archive), not CSV");
}

TEST(ImportExportParser, EmptyFilesAreRefused) {
    std::string body = read_fixture("empty.csv");
    EXPECT_EQ(error_message([&] { ExportParser parser(body, opts()); }, ErrorKind::InvalidInput),
              "the CSV file is empty (0 bytes)");
    EXPECT_EQ(error_message([] { ExportParser parser("\xEF\xBB\xBF\r\n \n\t\n", opts()); },
                            ErrorKind::InvalidInput),
              "the CSV file is empty: it has no header row");
}

TEST(ImportExportParser, HeaderOnlyIsValidAndEmpty) {
    std::string body = read_fixture("header_only.csv");
    ExportParser parser(body, opts());
    PerformanceRow row;
    RowProblem problem;
    EXPECT_EQ(parser.next(row, problem), ExportParser::Event::End);
    EXPECT_EQ(parser.info().platform->name, "meta");
    EXPECT_EQ(parser.stats().records, 0u);
    EXPECT_EQ(parser.stats().rows, 0u);
    EXPECT_TRUE(parser.info().conventions.decimal_mark_guessed);
    EXPECT_EQ(parser.next(row, problem), ExportParser::Event::End); // End stays End
}

TEST(ImportExportParser, TenMegabyteLineIsRefused) {
    std::string body =
        std::string(kMetaHeader) + "2026-11-27,a,1,1,1,1,1,1\n" + std::string(10u << 20, 'x') + "\n";
    ExportParser parser(body, opts());
    PerformanceRow row;
    RowProblem problem;
    EXPECT_EQ(parser.next(row, problem), ExportParser::Event::Row);
    EXPECT_EQ(error_message([&] { parser.next(row, problem); }, ErrorKind::InvalidText),
              "line 3 is longer than 1 MiB, the limit for one CSV row");

    std::string header_line = std::string(10u << 20, 'y') + "\n" + kMetaHeader;
    EXPECT_EQ(error_message([&] { ExportParser p(header_line, opts()); }, ErrorKind::InvalidText),
              "line 1 is longer than 1 MiB, the limit for one CSV row");
}

// ---- header and platform errors ----

TEST(ImportExportParser, WrongExplicitPlatformNamesMissingColumnsAndTheRightPlatform) {
    std::string body = read_fixture("meta_daily.csv");
    ParseOptions options = opts();
    options.platform = platform("google_ads");
    std::string hint;
    EXPECT_EQ(error_message([&] { ExportParser parser(body, options); }, ErrorKind::InvalidInput, &hint),
              "the file is not a Google Ads export: its header (line 1) lacks the required columns: Impr., "
              "Clicks, Cost");
    EXPECT_EQ(hint, "It looks like a Meta export: import it with platform 'meta' or 'auto'.");

    options.platform = platform("tiktok");
    EXPECT_EQ(error_message([&] { ExportParser parser(read_fixture("google_ads_report.csv"), options); },
                            ErrorKind::InvalidInput, &hint),
              "the file is not a TikTok export: its header (line 3) lacks the required columns: By Day (or "
              "Date), Impressions, Clicks (destination) (or Clicks (all))");
    EXPECT_EQ(hint, "It looks like a Google Ads export: import it with platform 'google_ads' or 'auto'.");
}

TEST(ImportExportParser, RightExplicitPlatformWorks) {
    ParseOptions options = opts();
    options.platform = platform("google_ads");
    Parsed p = parse(read_fixture("google_ads_report.csv"), options);
    EXPECT_EQ(p.rows.size(), 3u);
}

TEST(ImportExportParser, IncompleteHeaderNamesTheClosestPlatformAndMissingColumns) {
    std::string detail;
    try {
        ExportParser parser("Day,Ad name,Impressions,Amount spent (USD)\n2026-11-27,x,1,1\n", opts());
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(std::string(e.what()),
                  "the header row is not one of a supported export: line 1 looks closest to "
                  "a Meta export but lacks the required columns: Link clicks (or Clicks "
                  "(all))");
        EXPECT_EQ(e.detail(), "Header found: \"Day\", \"Ad name\", \"Impressions\", \"Amount spent (USD)\".");
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    }
}

TEST(ImportExportParser, UnrecognisableHeader) {
    std::string message =
        error_message([] { ExportParser parser("foo,bar,baz\n1,2,3\n", opts()); }, ErrorKind::InvalidInput);
    EXPECT_EQ(message, "no header row of a Google Ads, Meta or TikTok export found in the first 30 lines");
    try {
        ExportParser parser("foo,bar,baz\n1,2,3\n", opts());
    } catch (const Error &e) {
        EXPECT_EQ(e.detail(), "The first line reads: \"foo\", \"bar\", \"baz\".");
    }
}

TEST(ImportExportParser, HeaderMustBeWithinTheScannedLines) {
    std::string body;
    for (int i = 0; i < 5; ++i)
        body += "preamble line " + std::to_string(i) + "\n";
    body += kMetaHeader;
    body += "2026-11-27,a,1,10,1,1.00,,\n";
    ParseOptions options = opts();
    options.header_scan_lines = 5;
    EXPECT_THROW(ExportParser(body, options), Error);
    options.header_scan_lines = 6;
    ExportParser parser(body, options);
    EXPECT_EQ(parser.info().header_line, 6u);
}

TEST(ImportExportParser, TitleLineWithAStrayQuoteIsSkipped) {
    std::string body = "Report \"Black Friday\n" + std::string(kMetaHeader) + "2026-11-27,a,1,10,1,1.00,,\n";
    Parsed p = parse(body);
    EXPECT_EQ(p.result.info.header_line, 2u);
    EXPECT_EQ(p.rows.size(), 1u);
}

// ---- row problems ----

TEST(ImportExportParser, RowProblemsCarryLineAndEveryReason) {
    std::string body = std::string(kMetaHeader) +
                       "2026-11-27,a,1,12abc,1,1.00,,\n"       // 2: garbage count
                       "2026-11-27,b,2,10,11,1.00,,\n"         // 3: clicks > impressions
                       "2026-11-27,c,3,10,1,(5.00),,\n"        // 4: negative spend
                       "2026-02-30,d,4,10,1,1.00,,\n"          // 5: impossible date
                       ",e,5,10,1,1.00,,\n"                    // 6: no date
                       "2026-11-27,f,6,12.5,1,1.00,2.5,-3\n"   // 7: two reasons
                       "2026-11-27,,1.20253E+17,10,1,1.00,,\n" // 8: ID mangled by Excel, no name
                       "2026-11-27,h,8,10,1,EUR 1.00,,\n"      // 9: other currency
                       "2026-11-27,i,9,10,1,1.00,1%,\n"        // 10: percent conversions
                       "2026-11-27,j,10,10,1,USD 1.00,,\n";    // 11: fine
    Parsed p = parse(body);
    std::vector<std::pair<std::size_t, std::string>> expected = {
        {2, "Impressions: \"12abc\" is not a number"},
        {3, "Link clicks (11) exceed Impressions (10)"},
        {4, "Amount spent (USD): \"(5.00)\" is negative"},
        {5, "Day: \"2026-02-30\" is not a real calendar date"},
        {6, "Day is empty: every row needs a date"},
        {7, "Impressions: \"12.5\" is not a whole number; Purchases conversion value: \"-3\" is negative"},
        {8,
         "Ad ID: \"1.20253E+17\" was turned into scientific notation by a spreadsheet and the row has no ad "
         "name to match it by"},
        {9, "Amount spent (USD): \"EUR 1.00\" is in another currency than the row (EUR, the row's is USD)"},
        {10, "Purchases: \"1%\" is a percentage, not a number of conversions"},
    };
    EXPECT_EQ(p.problems, expected);
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].line, 11u);
    EXPECT_EQ(p.rows[0].spend, "1");
    EXPECT_EQ(p.result.stats.problems, 9u);
}

TEST(ImportExportParser, ProblemExposesTheRawLineAndClipsLongCells) {
    std::string cell(100, '9');
    std::string line = "2026-11-27,a,1," + cell + "x,1,1.00,,";
    std::string body = std::string(kMetaHeader) + line + "\r\n";
    ExportParser parser(body, opts());
    PerformanceRow row;
    RowProblem problem;
    ASSERT_EQ(parser.next(row, problem), ExportParser::Event::Problem);
    EXPECT_EQ(problem.raw, line);
    EXPECT_EQ(problem.reason, "Impressions: \"" + std::string(40, '9') + "...\" is too long to be a number");
}

TEST(ImportExportParser, ReportingEndBeforeStart) {
    Parsed p = parse("Reporting starts,Reporting ends,Ad name,Impressions,Link clicks,Amount spent (USD)\n"
                     "2026-11-07,2026-11-01,a,10,1,1\n");
    ASSERT_EQ(p.problems.size(), 1u);
    EXPECT_EQ(p.problems[0].second, "Reporting ends (2026-11-01) is before Reporting starts (2026-11-07)");
}

TEST(ImportExportParser, RoasProblems) {
    Parsed p =
        parse("Day,Ad name,Impressions,Link clicks,Amount spent (USD),Purchase ROAS (return on ad spend)\n"
              "2026-11-27,a,10,1,9000000000000,9000000000000\n"
              "2026-11-27,b,10,1,5,$2\n"
              "2026-11-27,c,10,1,,2\n");
    ASSERT_EQ(p.problems.size(), 2u);
    EXPECT_EQ(p.problems[0].second,
              "Purchase ROAS (return on ad spend): \"9000000000000\" times the spend is too large");
    EXPECT_EQ(p.problems[1].second,
              "Purchase ROAS (return on ad spend): \"$2\" is a money amount, not a ratio");
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].value, "null"); // no spend: no value from ROAS
    EXPECT_FALSE(p.rows[0].from_roas);
}

TEST(ImportExportParser, CurrencyColumnMustHoldACode) {
    Parsed p = parse(
        "Day,Ad,Currency code,Impr.,Clicks,Cost\n2026-11-27,a,dollars,10,1,1\n2026-11-27,b,--,10,1,1\n");
    ASSERT_EQ(p.problems.size(), 1u);
    EXPECT_EQ(p.problems[0].second, "Currency code: \"dollars\" is not a three-letter currency code");
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].currency, ""); // "--": unknown
}

TEST(ImportExportParser, CurrencyWrittenInTheValueIsUsedWhenNothingElseNamesOne) {
    Parsed p = parse("Day,Ad,Impr.,Clicks,Cost\n2026-11-27,a,10,1,€5\n2026-11-27,b,10,1,GBP 5\n");
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].currency, "EUR");
    EXPECT_EQ(p.rows[1].currency, "GBP");
    EXPECT_TRUE(p.result.stats.mixed_currencies);
    EXPECT_EQ(p.result.stats.currency, "EUR");
}

TEST(ImportExportParser, TotalsLabelsInOtherLanguagesAreSummaries) {
    Parsed p = parse("Day,Ad,Impr.,Clicks,Cost\n2026-11-27,a,10,1,1\nTotal: Account,--,10,1,1\n"
                     "Gesamt: Konto,--,10,1,1\nTotal : compte,--,10,1,1\nTotal,x,10,1,1\n");
    EXPECT_EQ(p.result.stats.summary_rows, 3u);
    ASSERT_EQ(p.problems.size(), 1u); // a bare "Total" is just a bad date
    EXPECT_EQ(p.problems[0].second, "Day: \"Total\" is not a date");
}

TEST(ImportExportParser, GoogleRowsMayHaveOnlyAnAdId) {
    Parsed p = parse("Day,Ad ID,Impr.,Clicks,Cost\n2026-11-27,7123,10,1,1\n");
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].ad_id, "7123");
    EXPECT_EQ(p.rows[0].ad_name, "");
}

TEST(ImportExportParser, BlankLinesAreSkippedAndCounted) {
    Parsed p = parse(std::string(kMetaHeader) + "\n2026-11-27,a,1,10,1,1.00,,\n,,,,,,,\n\n");
    EXPECT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.result.stats.blank_lines, 3u);
    EXPECT_EQ(p.result.stats.records, 1u);
}

// ---- file conventions ----

TEST(ImportExportParser, AmbiguousSlashedDatesAreReadMonthFirstAndFlagged) {
    Parsed p = parse(std::string(kMetaHeader) + "03/04/2026,a,1,10,1,1.00,,\n05/06/2026,b,2,10,1,1.00,,\n");
    EXPECT_EQ(p.result.info.conventions.date_order, DateOrder::MonthFirst);
    EXPECT_TRUE(p.result.info.conventions.date_order_guessed);
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].date, "2026-03-04");
}

TEST(ImportExportParser, ALaterDayFirstDateSettlesEarlierAmbiguousOnes) {
    Parsed p = parse(std::string(kMetaHeader) + "03/04/2026,a,1,10,1,1.00,,\n25/04/2026,b,2,10,1,1.00,,\n");
    EXPECT_EQ(p.result.info.conventions.date_order, DateOrder::DayFirst);
    EXPECT_FALSE(p.result.info.conventions.date_order_guessed);
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].date, "2026-04-03");
    EXPECT_EQ(p.rows[1].date, "2026-04-25");
}

TEST(ImportExportParser, ConflictingDateOrderIsARowProblem) {
    Parsed p = parse(std::string(kMetaHeader) + "11/27/2026,a,1,10,1,1.00,,\n27/11/2026,b,2,10,1,1.00,,\n");
    EXPECT_EQ(p.result.info.conventions.date_order, DateOrder::MonthFirst);
    ASSERT_EQ(p.problems.size(), 1u);
    EXPECT_EQ(p.problems[0].second,
              "Day: \"27/11/2026\" is not a month-first date (MM/DD/YYYY) like the other dates of this file");
}

TEST(ImportExportParser, ExplicitConventionsWin) {
    // The data alone says month-first ("12/31") and decimal dot ("5.50"); the options win.
    std::string body =
        std::string(kMetaHeader) + "03/04/2026,a,1,\"1.234\",1,5.50,,\n12/31/2026,b,2,1,1,5.50,,\n";
    ParseOptions options = opts();
    options.date_order = DateOrder::DayFirst;
    options.decimal_mark = DecimalMark::Comma;
    Parsed p = parse(body, options);
    EXPECT_EQ(p.result.info.conventions.date_order, DateOrder::DayFirst);
    EXPECT_EQ(p.result.info.conventions.decimal_mark, DecimalMark::Comma);
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].date, "2026-04-03");
    EXPECT_EQ(p.rows[0].impressions, "1234"); // thousands dot in a comma file
    EXPECT_EQ(p.rows[0].spend, "5.5");        // "5.50" can only be a decimal
    ASSERT_EQ(p.problems.size(), 1u);
    EXPECT_EQ(p.problems[0].second,
              "Day: \"12/31/2026\" is not a day-first date (DD/MM/YYYY) like the other dates of this file");

    Parsed data = parse(body); // without options: settled from the file
    EXPECT_EQ(data.result.info.conventions.date_order, DateOrder::MonthFirst);
    EXPECT_EQ(data.result.info.conventions.decimal_mark, DecimalMark::Dot);
    ASSERT_EQ(data.problems.size(), 1u);
    EXPECT_EQ(data.problems[0].second, "Impressions: \"1.234\" is not a whole number");
}

TEST(ImportExportParser, NoEvidenceFallsBackToTheDelimiterRule) {
    Parsed comma = parse(std::string(kMetaHeader) + "2026-11-27,a,1,\"1,234\",1,5,,\n");
    EXPECT_TRUE(comma.result.info.conventions.decimal_mark_guessed);
    EXPECT_EQ(comma.result.info.conventions.decimal_mark, DecimalMark::Dot);
    EXPECT_EQ(comma.rows[0].impressions, "1234");

    Parsed semi = parse("Day;Ad name;Impressions;Link clicks;Amount spent (EUR)\n2026-11-27;a;1.234;1;5\n");
    EXPECT_TRUE(semi.result.info.conventions.decimal_mark_guessed);
    EXPECT_EQ(semi.result.info.conventions.decimal_mark, DecimalMark::Comma);
    EXPECT_EQ(semi.rows[0].impressions, "1234");
}

// ---- the streaming interface ----

TEST(ImportExportParser, NextStreamsRowsAndProblemsInFileOrder) {
    std::string body = std::string(kMetaHeader) + "2026-11-27,a,1,10,1,1.00,,\n2026-11-27,b,2,x,1,1.00,,\n";
    ExportParser parser(body, opts());
    PerformanceRow row;
    RowProblem problem;
    ASSERT_EQ(parser.next(row, problem), ExportParser::Event::Row);
    EXPECT_EQ(row.ad_name, "a");
    EXPECT_EQ(parser.stats().rows, 1u);
    ASSERT_EQ(parser.next(row, problem), ExportParser::Event::Problem);
    EXPECT_EQ(problem.line, 3u);
    EXPECT_EQ(parser.next(row, problem), ExportParser::Event::End);
    EXPECT_EQ(parser.stats().records, 2u);
    EXPECT_EQ(parser.stats().problems, 1u);
}

} // namespace
} // namespace rolloy::import
