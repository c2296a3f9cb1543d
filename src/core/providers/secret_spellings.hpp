// The ways a provider may write a secret back to us. Bodies are JSON, and a server that quotes
// the request (an echoed header, a URL with ?key=) may escape or percent-encode what it quotes,
// so redaction must look for those spellings as well as the plain one.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers {

// `secret` as it is, JSON-escaped the ways common encoders do it (minimal as JSON.stringify and
// jansson; "\/" as PHP; non-ASCII as \uXXXX as Python; <, > and & as \u003c... as Go; \u in
// either hex case, and the combinations) and percent-encoded (RFC 3986 unreserved characters
// kept, upper- or lower-case hex). Without duplicates, the plain spelling first: a secret of
// letters, digits, '-' and '_' (Gemini keys, the halves of fal keys) has that one spelling.
std::vector<std::string> secret_spellings(std::string_view secret);

} // namespace rolloy::providers
