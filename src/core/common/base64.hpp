// Standard base64 (RFC 4648 §4, "+/" alphabet with "=" padding): provider APIs carry images
// inline as base64 (Gemini inline_data, data: URIs for fal) in both directions.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rolloy {

// Encodes bytes with padding and without line breaks.
std::string base64_encode(std::string_view bytes);

// Decodes standard base64. Whitespace (space, tab, CR, LF) is skipped and padding is optional;
// any other character outside the alphabet, a misplaced "=" or a dangling single character
// gives nullopt (a body that is not base64 is a provider failure, not something to guess at).
std::optional<std::string> base64_decode(std::string_view text);

} // namespace rolloy
