#include "core/import/platform_columns.hpp"

#include "core/common/error.hpp"
#include "core/import/text_util.hpp"

#include <iterator>
#include <tuple>

namespace rolloy::import {
namespace {

struct Alias {
    Field field;
    std::string_view header; // normalised form
};

// `field` or `alternative` must be present; `label` names it as the export shows it.
struct Requirement {
    Field field;
    Field alternative; // == field when there is none
    const char *label;
};

struct PlatformSpec {
    const Alias *aliases; // earlier alias wins for the same field
    std::size_t alias_count;
    const Requirement *required;
    std::size_t required_count;
};

// Meta Ads Manager export. Date = Day with Breakdown > Time > Day, else Reporting starts.
const Alias kMetaAliases[] = {
    {Field::Date, "day"},
    {Field::ReportingStart, "reporting starts"},
    {Field::ReportingEnd, "reporting ends"},
    {Field::AdName, "ad name"},
    {Field::AdId, "ad id"},
    {Field::Campaign, "campaign name"},
    {Field::AdGroup, "ad set name"},
    {Field::Currency, "currency"},
    {Field::Impressions, "impressions"},
    {Field::Reach, "reach"},
    {Field::Clicks, "link clicks"},
    {Field::Clicks, "clicks (all)"},
    {Field::Spend, "amount spent"},
    {Field::Conversions, "purchases"},
    {Field::Conversions, "website purchases"},
    {Field::ConversionValue, "purchases conversion value"},
    {Field::ConversionValue, "website purchases conversion value"},
    {Field::Roas, "purchase roas (return on ad spend)"},
    {Field::Roas, "website purchase roas (return on ad spend)"},
};
const Requirement kMetaRequired[] = {
    {Field::AdName, Field::AdName, "Ad name"},
    {Field::Date, Field::ReportingStart, "Day (or Reporting starts)"},
    {Field::Impressions, Field::Impressions, "Impressions"},
    {Field::Clicks, Field::Clicks, "Link clicks (or Clicks (all))"},
    {Field::Spend, Field::Spend, "Amount spent (USD or another currency)"},
};
const PlatformSpec kMeta = {kMetaAliases, std::size(kMetaAliases), kMetaRequired, std::size(kMetaRequired)};

// Google Ads UI report download. "Ad name" exists only for some ad types; "Ad" is the ad's text.
const Alias kGoogleAdsAliases[] = {
    {Field::Date, "day"},
    {Field::Campaign, "campaign"},
    {Field::AdGroup, "ad group"},
    {Field::AdName, "ad name"},
    {Field::AdName, "ad"},
    {Field::AdId, "ad id"},
    {Field::Currency, "currency code"},
    {Field::Impressions, "impr."},
    {Field::Clicks, "clicks"},
    {Field::Spend, "cost"},
    {Field::Conversions, "conversions"},
    {Field::ConversionValue, "conv. value"},
    {Field::ConversionValue, "total conv. value"},
    {Field::Roas, "conv. value / cost"},
};
const Requirement kGoogleAdsRequired[] = {
    {Field::Date, Field::Date, "Day"},
    {Field::AdName, Field::AdId, "Ad (or Ad name, Ad ID)"},
    {Field::Impressions, Field::Impressions, "Impr."},
    {Field::Clicks, Field::Clicks, "Clicks"},
    {Field::Spend, Field::Spend, "Cost"},
};
const PlatformSpec kGoogleAds = {kGoogleAdsAliases, std::size(kGoogleAdsAliases), kGoogleAdsRequired,
                                 std::size(kGoogleAdsRequired)};

// TikTok Ads Manager custom report. Newer exports may say "Purchase" where older ones say
// "Complete payment"; "Total purchase value" is accepted as the value column when it is the only
// one (it is the in-app purchase value, which is what app advertisers report).
const Alias kTikTokAliases[] = {
    {Field::Date, "by day"},
    {Field::Date, "date"},
    {Field::Campaign, "campaign name"},
    {Field::AdGroup, "ad group name"},
    {Field::AdName, "ad name"},
    {Field::AdId, "ad id"},
    {Field::Currency, "currency"},
    {Field::Impressions, "impressions"},
    {Field::Reach, "reach"},
    {Field::Clicks, "clicks (destination)"},
    {Field::Clicks, "clicks (all)"},
    {Field::Spend, "cost"},
    {Field::Conversions, "conversions"},
    {Field::ConversionValue, "total complete payment value"},
    {Field::ConversionValue, "complete payment value"},
    {Field::ConversionValue, "total purchase value"},
    {Field::ConversionValue, "purchase value"},
    {Field::Roas, "complete payment roas"},
    {Field::Roas, "total complete payment roas"},
    {Field::Roas, "purchase roas"},
    {Field::Roas, "total purchase roas"},
};
const Requirement kTikTokRequired[] = {
    {Field::Date, Field::Date, "By Day"},
    {Field::AdName, Field::AdName, "Ad name"},
    {Field::Impressions, Field::Impressions, "Impressions"},
    {Field::Clicks, Field::Clicks, "Clicks (destination)"},
    {Field::Spend, Field::Spend, "Cost"},
};
const PlatformSpec kTikTok = {kTikTokAliases, std::size(kTikTokAliases), kTikTokRequired,
                              std::size(kTikTokRequired)};

const PlatformSpec *spec_of(Platform p) {
    switch (p) {
    case Platform::Meta:
        return &kMeta;
    case Platform::GoogleAds:
        return &kGoogleAds;
    case Platform::TikTok:
        return &kTikTok;
    case Platform::Auto:
        break;
    }
    return nullptr;
}

} // namespace

const char *platform_id(Platform platform) noexcept {
    switch (platform) {
    case Platform::Auto:
        return "auto";
    case Platform::Meta:
        return "meta";
    case Platform::GoogleAds:
        return "google_ads";
    case Platform::TikTok:
        return "tiktok";
    }
    return "unknown";
}

const char *platform_display_name(Platform platform) noexcept {
    switch (platform) {
    case Platform::Auto:
        return "any supported platform";
    case Platform::Meta:
        return "Meta";
    case Platform::GoogleAds:
        return "Google Ads";
    case Platform::TikTok:
        return "TikTok";
    }
    return "unknown";
}

Platform parse_platform(std::string_view text) {
    std::string_view t = trim_blanks(text);
    if (t.empty() || iequals(t, "auto")) return Platform::Auto;
    if (iequals(t, "meta") || iequals(t, "facebook")) return Platform::Meta;
    if (iequals(t, "google_ads") || iequals(t, "google") || iequals(t, "google ads"))
        return Platform::GoogleAds;
    if (iequals(t, "tiktok")) return Platform::TikTok;
    throw Error(ErrorKind::InvalidInput,
                t.size() > 40 ? std::string("Unknown platform.")
                              : "Unknown platform \"" + std::string(t) + "\".",
                {}, "Use 'auto', 'meta', 'google_ads' or 'tiktok'.");
}

const char *field_name(Field field) noexcept {
    switch (field) {
    case Field::Date:
        return "date";
    case Field::ReportingStart:
        return "reporting_start";
    case Field::ReportingEnd:
        return "reporting_end";
    case Field::AdName:
        return "ad_name";
    case Field::AdId:
        return "ad_id";
    case Field::Campaign:
        return "campaign";
    case Field::AdGroup:
        return "ad_group";
    case Field::Currency:
        return "currency";
    case Field::Impressions:
        return "impressions";
    case Field::Reach:
        return "reach";
    case Field::Clicks:
        return "clicks";
    case Field::Spend:
        return "spend";
    case Field::Conversions:
        return "conversions";
    case Field::ConversionValue:
        return "conversion_value";
    case Field::Roas:
        return "roas";
    }
    return "unknown";
}

ColumnMap map_columns(Platform platform, const std::vector<NormalizedHeader> &headers) {
    const PlatformSpec *spec = spec_of(platform);
    if (!spec) throw Error(ErrorKind::Internal, "map_columns needs a concrete platform");
    ColumnMap map;
    map.platform = platform;
    for (std::size_t a = 0; a < spec->alias_count; ++a) {
        const Alias &alias = spec->aliases[a];
        int &slot = map.column[static_cast<std::size_t>(alias.field)];
        if (slot >= 0) continue;
        for (std::size_t i = 0; i < headers.size(); ++i) {
            if (headers[i].name == alias.header) {
                slot = static_cast<int>(i);
                ++map.mapped;
                break;
            }
        }
    }
    for (std::size_t r = 0; r < spec->required_count; ++r) {
        const Requirement &req = spec->required[r];
        if (!map.has(req.field) && !map.has(req.alternative)) map.missing.emplace_back(req.label);
    }
    if (map.has(Field::Spend)) map.currency = headers[static_cast<std::size_t>(map[Field::Spend])].currency;
    for (std::size_t i = 0; map.currency.empty() && i < headers.size(); ++i)
        map.currency = headers[i].currency;
    return map;
}

ColumnMap best_column_map(Platform requested, const std::vector<NormalizedHeader> &headers) {
    if (requested != Platform::Auto) return map_columns(requested, headers);
    ColumnMap best;
    bool have = false;
    for (Platform p : {Platform::Meta, Platform::GoogleAds, Platform::TikTok}) {
        ColumnMap m = map_columns(p, headers);
        // A complete mapping beats any incomplete one; then fewer required columns missing (the
        // closest platform names the columns to add); then more fields found.
        auto rank = [](const ColumnMap &c) {
            return std::make_tuple(c.complete(), -static_cast<int>(c.missing.size()), c.mapped);
        };
        if (!have || rank(m) > rank(best)) {
            best = std::move(m);
            have = true;
        }
    }
    return best;
}

} // namespace rolloy::import
