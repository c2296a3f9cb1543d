// Header cells as the platforms and spreadsheets write them, reduced to one comparable form:
// "  Amount spent (USD) " -> name "amount spent", currency "USD";
// "Website URL (Ad level）" (TikTok's full-width parenthesis) -> "website url (ad level)".
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::import {

struct NormalizedHeader {
    std::string name;     // folded form used to look the column up
    std::string currency; // ISO code from a trailing "(XXX)", or empty
};

// Maps full-width ASCII forms (U+FF01..U+FF5E, e.g. "（）") to ASCII, the way NFKC does for
// them; turns no-break and ideographic spaces, tabs and line breaks into spaces; drops stray
// byte-order marks; collapses runs of spaces and trims; writes parentheses as " (x)" (one space
// before, none inside, as NFKC of TikTok's "Clicks（destination）" would not); strips a trailing
// currency code in
// parentheses (three upper-case letters, kept in `currency`); lower-cases ASCII letters.
// Letters outside ASCII are kept as they are (headers in other UI languages simply don't match).
NormalizedHeader normalize_header(std::string_view raw);

} // namespace rolloy::import
