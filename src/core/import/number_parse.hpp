// Numbers as ad exports and spreadsheets write them: "1,234", "1.234,56", "1 234,56", "$5.00",
// "€5", "USD 5.00", "5,00 €", "1.2%", "(5.00)", " 12 ", and the null forms "", "-", "--".
//
// Money and fractional counts are kept exact as Decimal, an integer number of millionths
// (micros, as the Google Ads API does): enough for any currency's minor unit, exact for every
// value an export writes with up to six decimals, and Postgres numeric takes to_string() as is.
// Digits beyond the sixth are rounded half away from zero. Floating point is never used.
//
// Decimal mark rule: a file has a preferred mark, settled from its own values (the first value
// that proves one, see decimal_mark_evidence and file_conventions.hpp), else Comma when the
// delimiter is ';' (European spreadsheets) and Dot otherwise. Per value, what the value proves
// wins over the preference:
//   - both '.' and ',' present: the last one is the decimal mark ("1.234,56", "1,234.56");
//   - only the preferred mark, once: decimal mark ("1.5" in a Dot file);
//   - only the other mark: a thousands separator if every group after it has three digits
//     ("1,234" in a Dot file, "1.234" in a Comma file), else, if it occurs once, the decimal
//     mark ("0,19" in a Dot file: a thousands separator is never followed by two digits);
//   - spaces (also no-break spaces) may separate thousands: "1 234,56".
// So "1,234" means 1234 in a comma-delimited file and 1.234 in a semicolon-delimited one.
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rolloy::import {

struct Decimal {
    static constexpr std::int64_t kScale = 1000000;
    std::int64_t micros = 0;

    bool is_whole() const noexcept { return micros % kScale == 0; }
    // Shortest exact decimal text: "1234.56", "-5", "0.000001".
    std::string to_string() const;

    friend bool operator==(Decimal a, Decimal b) noexcept { return a.micros == b.micros; }
    friend bool operator!=(Decimal a, Decimal b) noexcept { return a.micros != b.micros; }
};

// a x b rounded half away from zero to micros; false when the product does not fit.
bool multiply(Decimal a, Decimal b, Decimal &product) noexcept;

enum class DecimalMark { Dot, Comma };

enum class NumberStatus { Ok, Null, Invalid };

struct ParsedNumber {
    NumberStatus status = NumberStatus::Null;
    Decimal value;                 // signed; for "1.2%" the 1.2 (the caller decides what % means)
    bool percent = false;          // written with a trailing '%'
    bool money = false;            // written with a currency symbol or code
    std::string_view currency;     // ISO code the value names ("USD 5", "5 €" -> "EUR"), or empty
    const char *problem = nullptr; // why, when Invalid ("is not a number", ...)
};

ParsedNumber parse_number(std::string_view text, DecimalMark mark) noexcept;

// The decimal mark a cell proves by itself: "1.234,56" and "0,85" (a single mark not followed
// by exactly three digits) prove Comma; "1,234.56" and "31.45" prove Dot; "1,234", "1.234" and
// "980" prove nothing.
std::optional<DecimalMark> decimal_mark_evidence(std::string_view text) noexcept;

// Cell readers for the canonical fields. Each returns nullptr and sets `out` (nullopt for an
// empty or "--" cell), or returns the reason the cell is rejected, phrased to follow the quoted
// cell: "\"12abc\" is not a number".

// Impressions, reach, clicks: non-negative whole numbers; "1,234.0" is fine, "12.5" is not.
const char *read_count(std::string_view text, DecimalMark mark, std::optional<std::int64_t> &out) noexcept;
// Spend, conversion value: may carry a currency (returned in `currency`); negatives are returned
// (the row check decides); percentages are rejected.
const char *read_amount(std::string_view text, DecimalMark mark, std::optional<Decimal> &out,
                        std::string_view &currency) noexcept;
// Conversions: non-negative, fractional allowed (Google Ads "2.50"), no currency or percent.
const char *read_quantity(std::string_view text, DecimalMark mark, std::optional<Decimal> &out) noexcept;
// ROAS: non-negative ratio; "250%" reads as 2.5.
const char *read_ratio(std::string_view text, DecimalMark mark, std::optional<Decimal> &out) noexcept;

} // namespace rolloy::import
