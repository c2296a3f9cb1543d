// The few URL operations the providers need: joining a configured base with a path, checking
// that a URL a server handed back is on the same origin before sending it a key, and data: URIs.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rolloy::providers {

// "https://h/base/" + "/v1/x" -> "https://h/base/v1/x" (exactly one slash between).
std::string join_url(std::string_view base, std::string_view path);

// "scheme://host:port" lower-cased with the default port made explicit, as libcurl parses the
// URL (so "https://a@b/" has origin b, not a). nullopt for unparsable or non-http(s) URLs.
std::optional<std::string> url_origin(std::string_view url);

bool same_origin(std::string_view a, std::string_view b);

// "data:<mime>;base64,<...>" for bytes.
std::string make_data_uri(std::string_view mime, std::string_view bytes);

struct DataUri {
    std::string mime;
    std::string bytes;
};
// Decodes a base64 data: URI; nullopt if `uri` is not one.
std::optional<DataUri> parse_data_uri(std::string_view uri);

bool is_data_uri(std::string_view uri);

} // namespace rolloy::providers
