// Delays a server asks for before the next attempt, in the three shapes providers use.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

namespace rolloy::providers {

// HTTP Retry-After (RFC 9110 §10.2.3): delta-seconds ("120"; a fraction like "1.5" is accepted)
// or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", also the obsolete RFC 850 and asctime
// forms), relative to `now`. A date in the past gives 0. Garbage gives nullopt.
std::optional<std::int64_t> parse_retry_after_ms(std::string_view value, std::time_t now);

// A protobuf JSON Duration as Google's RetryInfo.retryDelay carries it: "36s", "36.619s",
// "0.5s". Returns nullopt for anything else.
std::optional<std::int64_t> parse_duration_ms(std::string_view value);

// The delay from response headers: "retry-after-ms" (OpenAI-style, milliseconds) first, then
// "retry-after". nullopt when neither is present and valid.
std::optional<std::int64_t> retry_after_from_headers(const HttpResponse &response, std::time_t now);

} // namespace rolloy::providers
