// Platforms as data: definitions built here, as an admin's INSERT into rolloy.ad_platforms would
// give them, drive detection, column mapping, keys and conventions.
#include "core/import/export_parser.hpp"
#include "core/import/platform_definition.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

using test::error_message;
using test::read_fixture;

PlatformSpec pinterest() {
    PlatformSpec p;
    p.name = "pinterest";
    p.label = "Pinterest";
    p.spellings = {"pin"};
    p.detection_headers = {"Spend in account currency", "Pin promotion ID"};
    p.headers = {{"date", "Date"},
                 {"campaign", "Campaign name"},
                 {"ad_group", "Ad group name"},
                 {"ad_name", "Ad name"},
                 {"ad_id", "Pin promotion ID"},
                 {"impressions", "Impressions"},
                 {"clicks", "Outbound clicks"},
                 {"spend", "Spend in account currency"},
                 {"conversions", "Checkouts"},
                 {"conversion_value", "Checkout value"}};
    p.required = {"date", "ad_name", "impressions", "clicks", "spend"};
    p.currency = "USD";
    return p;
}

PlatformCatalog with(std::vector<PlatformSpec> extra) {
    std::vector<PlatformSpec> specs = platforms_of_0_1_0();
    specs.insert(specs.end(), extra.begin(), extra.end());
    return PlatformCatalog(specs);
}

TEST(ImportPlatformDefinition, ANewPlatformIsDetectedAndRead) {
    std::string body = read_fixture("pinterest_export.csv");
    PlatformCatalog without = with({});
    ParseOptions options;
    options.catalog = &without;
    EXPECT_EQ(
        error_message([&] { ExportParser parser(body, options); }, ErrorKind::InvalidInput),
        "the header row is not one of a supported export: line 1 looks closest to a TikTok export but lacks "
        "the required columns: Clicks (destination) (or Clicks (all)), Cost");

    PlatformCatalog catalog = with({pinterest()});
    options.catalog = &catalog;
    std::vector<PerformanceRow> rows;
    std::vector<std::string> ids, names;
    ParseResult r = parse_export(
        body, options,
        [&](const PerformanceRow &row) {
            rows.push_back(row);
            ids.emplace_back(row.ad_id);
            names.emplace_back(row.ad_name);
        },
        [](const RowProblem &p) { ADD_FAILURE() << p.reason; });
    ASSERT_EQ(r.info.platform->name, "pinterest");
    EXPECT_EQ(r.stats.rows, 3u);
    EXPECT_EQ(r.stats.summary_rows, 1u); // "Total" with empty key fields
    EXPECT_EQ(ids, (std::vector<std::string>{"687194767361", "687194767362", "687194767361"}));
    EXPECT_EQ(names[1], "20261101_OUT_PARK_WALK_JOY_UGC_V01");
    EXPECT_EQ(rows[0].spend->to_string(), "1020.5");
    EXPECT_EQ(rows[0].conversion_value->to_string(), "389.7");
    EXPECT_EQ(*rows[0].clicks, 41);
    EXPECT_EQ(r.stats.currency, "USD"); // the platform's convention: the export names none
    EXPECT_EQ(catalog.resolve("PIN")->name, "pinterest");
}

TEST(ImportPlatformDefinition, DetectionHeadersDecideBetweenCompleteMappings) {
    // Both read "Date, Ad name, Impressions, Clicks, Spend"; the detection header picks one
    // whatever the catalog's order.
    PlatformSpec a;
    a.name = "aaa";
    a.headers = {{"date", "Date"},
                 {"ad_name", "Ad name"},
                 {"impressions", "Impressions"},
                 {"clicks", "Clicks"},
                 {"spend", "Spend"}};
    a.required = {"date", "ad_name", "impressions", "clicks", "spend"};
    PlatformSpec b = a;
    b.name = "bbb";
    b.detection_headers = {"Swipe ups"};
    PlatformCatalog catalog({a, b});
    ParseOptions options;
    options.catalog = &catalog;
    ExportParser plain("Date,Ad name,Impressions,Clicks,Spend\n2026-12-01,x,10,1,2\n", options);
    EXPECT_EQ(plain.info().platform->name, "aaa"); // a tie: the catalog's order
    ExportParser swipe("Date,Ad name,Impressions,Clicks,Spend,Swipe ups\n2026-12-01,x,10,1,2,0\n", options);
    EXPECT_EQ(swipe.info().platform->name, "bbb");
}

TEST(ImportPlatformDefinition, ConventionsAndKeyFieldsComeFromTheDefinition) {
    PlatformSpec p;
    p.name = "eu_network";
    p.label = "EU network";
    p.headers = {{"date", "Tag"},          {"ad_name", "Anzeige"},
                 {"ad_id", "Anzeigen-ID"}, {"impressions", "Impressionen"},
                 {"clicks", "Klicks"},     {"spend", "Kosten"}};
    p.required = {"date", "ad_name", "impressions", "clicks", "spend"};
    p.key_fields = {"ad_name"}; // its IDs change on every edit: not a key
    p.decimal_mark = "comma";
    p.date_order = "day_first";
    p.currency = "EUR";
    PlatformCatalog catalog({p});
    ParseOptions options;
    options.catalog = &catalog;
    std::vector<std::string> seen;
    ParseResult r = parse_export(
        "Tag,Anzeige,Anzeigen-ID,Impressionen,Klicks,Kosten\n"
        "03/04/2026,Spring,77,1.000,10,\"12,50\"\n"
        ",,99,5.000,20,\"30,00\"\n",
        options,
        [&](const PerformanceRow &row) {
            seen.push_back(row.date.iso() + " " + std::string(row.ad_name) + " [" + std::string(row.ad_id) +
                           "] " + std::to_string(*row.impressions) + " " + row.spend->to_string() + " " +
                           std::string(row.currency));
        },
        [](const RowProblem &pr) { ADD_FAILURE() << pr.reason; });
    EXPECT_EQ(seen, (std::vector<std::string>{"2026-04-03 Spring [] 1000 12.5 EUR"}));
    EXPECT_EQ(r.stats.summary_rows, 1u); // the ad name is empty: a totals line, whatever its ID
    EXPECT_FALSE(r.info.conventions.date_order_guessed);
}

TEST(ImportPlatformDefinition, ExplicitPlatformThatDoesNotFitNamesTheOneThatDoes) {
    PlatformCatalog catalog = with({pinterest()});
    ParseOptions options;
    options.catalog = &catalog;
    options.platform = catalog.resolve("meta");
    std::string hint;
    EXPECT_EQ(
        error_message([&] { ExportParser parser(read_fixture("pinterest_export.csv"), options); },
                      ErrorKind::InvalidInput, &hint),
        "the file is not a Meta export: its header (line 1) lacks the required columns: Day (or Reporting "
        "starts), Link clicks (or Clicks (all)), Amount spent");
    EXPECT_EQ(hint, "It looks like a Pinterest export: import it with platform 'pinterest' or 'auto'.");
}

TEST(ImportPlatformDefinition, UnusableDefinitionsAreRefusedWithTheReason) {
    auto refusal = [](PlatformSpec spec, std::string *hint = nullptr) {
        return error_message([&] { define_platform(spec); }, ErrorKind::InvalidInput, hint);
    };
    PlatformSpec p = pinterest();
    p.headers.emplace_back("likes", "Saves");
    std::string hint;
    EXPECT_EQ(refusal(p, &hint),
              "ad platform \"pinterest\" is not usable: headers names the unknown field \"likes\"");
    EXPECT_NE(hint.find("impressions, reach, clicks"), std::string::npos) << hint;

    p = pinterest();
    p.required.push_back("reach|roas");
    EXPECT_EQ(refusal(p), "ad platform \"pinterest\" is not usable: the required field reach has no header");
    p = pinterest();
    p.key_fields = {"campaign"};
    EXPECT_EQ(refusal(p),
              "ad platform \"pinterest\" is not usable: key_fields may hold ad_id and ad_name only, not "
              "campaign");
    p = pinterest();
    p.decimal_mark = "point";
    EXPECT_EQ(refusal(p), "ad platform \"pinterest\" is not usable: unknown decimal_mark \"point\"");
    p = pinterest();
    p.date_order = "iso";
    EXPECT_EQ(refusal(p), "ad platform \"pinterest\" is not usable: unknown date_order \"iso\"");
    p = pinterest();
    p.currency = "usd";
    EXPECT_EQ(refusal(p),
              "ad platform \"pinterest\" is not usable: currency \"usd\" is not a three-letter code");

    PlatformCatalog catalog({pinterest()});
    EXPECT_EQ(error_message([&] { catalog.add(pinterest()); }, ErrorKind::InvalidInput),
              "ad platform \"pinterest\" is defined twice");
}

TEST(ImportPlatformDefinition, RequirementLabelsUseTheHeadersAsWritten) {
    PlatformDefinition google = define_platform(platforms_of_0_1_0()[0]);
    ASSERT_EQ(google.name, "google_ads");
    EXPECT_EQ(google.requirement_label({Field::AdName, Field::AdId}), "Ad name (or Ad, Ad ID)");
    EXPECT_EQ(google.requirement_label({Field::Spend}), "Cost");
    EXPECT_EQ(google.headers[static_cast<std::size_t>(Field::Impressions)],
              (std::vector<std::string>{"impr."})); // normalised for look-up
}

} // namespace
} // namespace rolloy::import
