#include "core/import/header_normalize.hpp"
#include "core/import/platform_columns.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

std::vector<NormalizedHeader> headers(std::initializer_list<const char *> names) {
    std::vector<NormalizedHeader> out;
    for (const char *n : names)
        out.push_back(normalize_header(n));
    return out;
}

TEST(ImportHeader, TrimsFoldsCaseAndCollapsesBlanks) {
    EXPECT_EQ(normalize_header("  Ad   name ").name, "ad name");
    EXPECT_EQ(normalize_header("Ad\u00A0name").name, "ad name"); // no-break space
    EXPECT_EQ(normalize_header("Ad\u3000name").name, "ad name"); // ideographic space
    EXPECT_EQ(normalize_header("Ad\tname\r\n").name, "ad name");
    EXPECT_EQ(normalize_header("\xEF\xBB\xBF"
                               "Day")
                  .name,
              "day"); // stray BOM
    EXPECT_EQ(normalize_header("IMPR.").name, "impr.");
    EXPECT_EQ(normalize_header("Début des rapports").name, "début des rapports"); // non-ASCII kept
}

TEST(ImportHeader, FullWidthFormsBecomeAscii) {
    EXPECT_EQ(normalize_header("Clicks（destination）").name, "clicks (destination)");
    EXPECT_EQ(normalize_header("Clicks ( destination )").name, "clicks (destination)");
    EXPECT_EQ(normalize_header("Clicks （destination）").name, "clicks (destination)");
    EXPECT_EQ(normalize_header("Website URL (Ad level）").name, "website url (ad level)");
    EXPECT_EQ(normalize_header("ＣＴＲ").name, "ctr");
}

TEST(ImportHeader, CurrencySuffixIsExtracted) {
    NormalizedHeader h = normalize_header("Amount spent (USD)");
    EXPECT_EQ(h.name, "amount spent");
    EXPECT_EQ(h.currency, "USD");
    EXPECT_EQ(normalize_header("Amount spent (EUR) ").currency, "EUR");
    EXPECT_EQ(normalize_header("Cost(INR)").name, "cost");
    EXPECT_EQ(normalize_header("Cost(INR)").currency, "INR");
    EXPECT_EQ(normalize_header("Cost（SGD）").currency, "SGD");
    EXPECT_EQ(normalize_header("CPM (cost per 1,000 impressions) (USD)").name,
              "cpm (cost per 1,000 impressions)");
    NormalizedHeader all = normalize_header("Clicks (all)");
    EXPECT_EQ(all.name, "clicks (all)");
    EXPECT_EQ(all.currency, "");
    EXPECT_EQ(normalize_header("Amount spent (usd)").currency, ""); // codes are upper-case
}

const PlatformDefinition &def(const char *name) {
    return *test::platform(name);
}

TEST(ImportHeader, MetaColumnsPreferLinkClicks) {
    ColumnMap m = map_columns(def("meta"), headers({"Clicks (all)", "Day", "Ad name", "Impressions",
                                                    "Amount spent (USD)", "Link clicks"}));
    EXPECT_TRUE(m.complete());
    EXPECT_EQ(m[Field::Clicks], 5);
    EXPECT_EQ(m[Field::Date], 1);
    EXPECT_EQ(m.currency, "USD");
    EXPECT_FALSE(m.has(Field::ConversionValue));
}

TEST(ImportHeader, MetaAcceptsReportingStartsInsteadOfDay) {
    ColumnMap m = map_columns(def("meta"), headers({"Reporting starts", "Reporting ends", "Ad name",
                                                    "Impressions", "Clicks (all)", "Amount spent (EUR)"}));
    EXPECT_TRUE(m.complete());
    EXPECT_FALSE(m.has(Field::Date));
    EXPECT_EQ(m[Field::ReportingStart], 0);
    EXPECT_EQ(m.currency, "EUR");
}

TEST(ImportHeader, MissingColumnsAreNamedAsTheExportWritesThem) {
    ColumnMap m = map_columns(def("meta"), headers({"Ad name", "Impressions"}));
    EXPECT_FALSE(m.complete());
    EXPECT_EQ(m.missing, (std::vector<std::string>{"Day (or Reporting starts)",
                                                   "Link clicks (or Clicks (all))", "Amount spent"}));
}

TEST(ImportHeader, GoogleAdsAcceptsAdOrAdId) {
    ColumnMap m = map_columns(def("google_ads"), headers({"Day", "Ad ID", "Impr.", "Clicks", "Cost"}));
    EXPECT_TRUE(m.complete());
    ColumnMap named =
        map_columns(def("google_ads"), headers({"Day", "Ad", "Ad name", "Impr.", "Clicks", "Cost"}));
    EXPECT_EQ(named[Field::AdName], 2); // "Ad name" beats "Ad" (the ad's text)
}

TEST(ImportHeader, AutoPicksThePlatformFromTheHeader) {
    const PlatformCatalog &c = test::catalog();
    EXPECT_EQ(best_column_map(c, nullptr,
                              headers({"Day", "Ad name", "Impressions", "Link clicks", "Amount spent (USD)"}))
                  .platform->name,
              "meta");
    EXPECT_EQ(best_column_map(c, nullptr,
                              headers({"Day", "Campaign", "Ad", "Currency code", "Impr.", "Clicks", "Cost",
                                       "Conv. value"}))
                  .platform->name,
              "google_ads");
    EXPECT_EQ(best_column_map(c, nullptr,
                              headers({"By Day", "Ad name", "Impressions", "Clicks（destination）", "Cost",
                                       "Total complete payment value"}))
                  .platform->name,
              "tiktok");
}

TEST(ImportHeader, AutoOnAnUnknownHeaderReturnsTheClosestPlatform) {
    ColumnMap m = best_column_map(test::catalog(), nullptr, headers({"Day", "Impr.", "Clicks"}));
    EXPECT_FALSE(m.complete());
    EXPECT_EQ(m.platform->name, "google_ads");
    EXPECT_EQ(m.missing, (std::vector<std::string>{"Ad name (or Ad, Ad ID)", "Cost"}));
}

TEST(ImportHeader, TikTokPurchaseWordingIsAccepted) {
    ColumnMap m =
        map_columns(def("tiktok"), headers({"By Day", "Ad name", "Impressions", "Clicks (destination)",
                                            "Cost (USD)", "Purchase ROAS", "Total purchase value"}));
    EXPECT_TRUE(m.complete());
    EXPECT_EQ(m[Field::ConversionValue], 6);
    EXPECT_EQ(m[Field::Roas], 5);
    EXPECT_EQ(m.currency, "USD");
}

TEST(ImportHeader, PlatformArgument) {
    const PlatformCatalog &c = test::catalog();
    EXPECT_EQ(c.resolve("auto"), nullptr);
    EXPECT_EQ(c.resolve(""), nullptr);
    EXPECT_EQ(c.resolve("Meta")->name, "meta");
    EXPECT_EQ(c.resolve("facebook")->name, "meta");
    EXPECT_EQ(c.resolve("google")->name, "google_ads");
    EXPECT_EQ(c.resolve(" google_ads ")->name, "google_ads");
    EXPECT_EQ(c.resolve("TikTok")->label, "TikTok");
    std::string hint;
    EXPECT_EQ(test::error_message([&] { c.resolve("snapchat"); }, ErrorKind::InvalidInput, &hint),
              "unknown platform \"snapchat\"");
    EXPECT_EQ(hint,
              "Use 'auto' or one of the platforms of rolloy.ad_platforms: 'google_ads', 'meta' or 'tiktok'.");
    EXPECT_STREQ(field_name(Field::ConversionValue), "conversion_value");
    EXPECT_EQ(parse_field("ad_group"), Field::AdGroup);
    EXPECT_EQ(parse_field("adgroup"), std::nullopt);
}

} // namespace
} // namespace rolloy::import
