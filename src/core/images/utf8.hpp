// UTF-8 checks for text this module puts into files: ZIP entry names and preview captions.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::images {

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD.
std::string sanitise_utf8(std::string_view text);

} // namespace rolloy::images
