// UTF-8 checks: CSV imports, ZIP entry names, preview captions, and text from outside (provider
// messages) before it becomes a Postgres text value.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy {

// Offset of the first byte that does not belong to well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD.
std::string sanitise_utf8(std::string_view text);

} // namespace rolloy
