// An ad platform as the import knows it: one row of rolloy.ad_platforms (src/sql/50_performance.sql),
// read by the glue for every import. Nothing here names a platform: Meta, Google Ads and TikTok are
// the table's first rows, and a new platform is an INSERT. The core only knows the canonical fields
// of a performance row (Field) and how a definition maps export headers onto them.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/date_parse.hpp"
#include "core/import/number_parse.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rolloy::import {

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

// "date", "reporting_start", ..., "conversion_value", "roas": the keys of ad_platforms.headers.
const char *field_name(Field field) noexcept;
std::optional<Field> parse_field(std::string_view name) noexcept;

// A definition as SQL stores it: every value text, header names as the export writes them.
struct PlatformSpec {
    std::string name;                                         // "meta": what import_batches records
    std::string label;                                        // "Meta": what messages say
    std::vector<std::string> spellings;                       // more names the argument accepts
    std::vector<std::string> detection_headers;               // headers only this platform writes
    std::vector<std::pair<std::string, std::string>> headers; // (field, header), preferred first
    std::vector<std::string> required;                        // "date|reporting_start": one of them
    std::vector<std::string> key_fields{"ad_id", "ad_name"};  // what identifies an ad, in order
    std::string decimal_mark = "auto";                        // auto, dot or comma
    std::string date_order = "auto";                          // auto, month_first or day_first
    std::string currency;                                     // when the export names none
};

// A checked definition, headers normalised (normalize_header) for look-up.
struct PlatformDefinition {
    std::string name, label;
    std::vector<std::string> spellings;
    std::vector<std::string> detection_headers;
    std::array<std::vector<std::string>, kFieldCount> headers; // normalised, preferred first
    std::array<std::vector<std::string>, kFieldCount> written; // the same as written
    std::vector<std::vector<Field>> required;
    std::vector<Field> key_fields;
    std::optional<DecimalMark> decimal_mark; // nullopt: settled from the file
    DateOrder date_order = DateOrder::Auto;
    std::string currency;

    bool is_key(Field field) const noexcept;
    // "Day (or Reporting starts)": how a message names one requirement.
    std::string requirement_label(const std::vector<Field> &alternatives) const;
};

// Throws Error(InvalidInput) naming the platform and the value at fault: an unknown field, a
// requirement or key field with no header, an unknown decimal mark or date order.
PlatformDefinition define_platform(const PlatformSpec &spec);

// Every platform an import may read, in the order auto-detection breaks ties.
class PlatformCatalog {
  public:
    PlatformCatalog() = default;
    explicit PlatformCatalog(const std::vector<PlatformSpec> &specs);

    void add(const PlatformSpec &spec); // throws Error(InvalidInput) for a name already taken
    const std::vector<PlatformDefinition> &all() const noexcept { return platforms_; }

    // The import's platform argument, case-insensitively: "auto" or "" (nullptr: detect), a
    // platform's name or one of its spellings. Throws Error(InvalidInput) listing the names.
    const PlatformDefinition *resolve(std::string_view argument) const;
    // "'meta', 'google_ads' or 'tiktok'" (for hints).
    std::string names() const;
    // "a Meta, Google Ads or TikTok export" (for messages).
    std::string labels() const;

  private:
    std::vector<PlatformDefinition> platforms_;
};

} // namespace rolloy::import
