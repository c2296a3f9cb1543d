// Ad IDs a spreadsheet damaged. Meta's IDs have 18 digits; Excel and Sheets read them as numbers
// and, on saving, write "1.20210E+17": the first few digits survive (rounded), the rest are gone.
// Such an ID is no key any more. The import keys the row by its ad name instead and keeps the
// damaged text, which can still tell whether a stored ID is the same ad (a consistency check).
#pragma once
#include "core/common/core_only.hpp"

#include <string_view>

namespace rolloy::import {

// "1.20210E+17", "1,2021E+17", "1E+17": digits with at most one '.' or ',', then E, an optional
// sign and digits.
bool is_damaged_id(std::string_view text) noexcept;

// True when `stored` (an ID of digits, as the platform exported it) written in the damaged form's
// precision gives the damaged form's value: "120210123456789012" fits "1.20210E+17", and so does
// "120209500000000000" (rounded up); "120211000000000000" does not. False when `damaged` is not
// a damaged ID or `stored` is not all digits.
bool damaged_id_fits(std::string_view damaged, std::string_view stored) noexcept;

} // namespace rolloy::import
