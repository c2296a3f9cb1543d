// Which header names mean which canonical field, per ad platform, and which of them an import
// cannot do without. The names are the English UI headers of each platform's CSV export (see
// /work/shared/reference/ad-exports-and-analytics.md, section 1), after normalize_header().
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/header_normalize.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::import {

enum class Platform { Auto, Meta, GoogleAds, TikTok };

// "auto", "meta", "google_ads", "tiktok": the values the SQL function takes and reports.
const char *platform_id(Platform platform) noexcept;
// "Meta", "Google Ads", "TikTok" (for messages).
const char *platform_display_name(Platform platform) noexcept;
// Parses the SQL-level platform argument, case-insensitively: auto, meta (or facebook),
// google_ads (or google, "google ads"), tiktok. Throws Error(InvalidInput) naming the choices.
Platform parse_platform(std::string_view text);

// The canonical fields of a performance row. Roas is an input only: it yields conversion_value
// (ROAS x spend) when the export has no value column.
enum class Field {
    Date,
    ReportingStart,
    ReportingEnd,
    AdName,
    AdId,
    Campaign,
    AdGroup,
    Currency,
    Impressions,
    Reach,
    Clicks,
    Spend,
    Conversions,
    ConversionValue,
    Roas,
};
constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::Roas) + 1;

// "date", "reporting_start", ..., "conversion_value", "roas".
const char *field_name(Field field) noexcept;

// The columns of one header row, read as one platform's export.
struct ColumnMap {
    Platform platform = Platform::Auto;
    std::array<int, kFieldCount> column; // header index per field, -1 when absent
    std::string currency;                // from a "(XXX)" header suffix, spend column first
    std::vector<std::string> missing;    // required columns not found, as a user would name them
    int mapped = 0;                      // fields found (to rank candidate platforms)

    ColumnMap() { column.fill(-1); }
    int operator[](Field f) const noexcept { return column[static_cast<std::size_t>(f)]; }
    bool has(Field f) const noexcept { return (*this)[f] >= 0; }
    bool complete() const noexcept { return missing.empty(); }
};

// Maps a header row for one platform (not Auto). Where several headers could give a field, the
// platform's preferred one wins (Meta: "Link clicks" over "Clicks (all)"), whatever its position.
ColumnMap map_columns(Platform platform, const std::vector<NormalizedHeader> &headers);

// Maps for `requested`, or for Auto the complete mapping with the most fields (Meta, Google Ads,
// TikTok order on ties). When nothing is complete, returns the closest incomplete mapping.
ColumnMap best_column_map(Platform requested, const std::vector<NormalizedHeader> &headers);

} // namespace rolloy::import
