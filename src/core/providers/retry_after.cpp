#include "core/providers/retry_after.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace rolloy::providers {
namespace {

// Ten days: anything longer is not a retry hint but a broken header; callers cap further.
constexpr double kMaxSeconds = 10.0 * 24 * 3600;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// Non-negative decimal "123" or "1.25"; nullopt otherwise.
std::optional<double> parse_decimal_seconds(std::string_view s) {
    if (s.empty()) return std::nullopt;
    double value = 0;
    std::size_t i = 0;
    bool digits = false;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
        value = value * 10 + (s[i] - '0');
        digits = true;
        if (value > kMaxSeconds) value = kMaxSeconds; // stays finite for absurd inputs
    }
    if (i < s.size() && s[i] == '.') {
        double scale = 0.1;
        for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, scale /= 10) {
            value += (s[i] - '0') * scale;
            digits = true;
        }
    }
    if (!digits || i != s.size()) return std::nullopt;
    return value;
}

std::int64_t seconds_to_ms(double seconds) {
    return static_cast<std::int64_t>(std::llround(std::min(seconds, kMaxSeconds) * 1000.0));
}

} // namespace

std::optional<std::int64_t> parse_retry_after_ms(std::string_view value, std::time_t now) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (std::isdigit(static_cast<unsigned char>(value.front()))) {
        const auto seconds = parse_decimal_seconds(value);
        if (!seconds) return std::nullopt;
        return seconds_to_ms(*seconds);
    }
    // HTTP-dates start with a day name; curl_getdate knows all three RFC 9110 forms.
    if (!std::isalpha(static_cast<unsigned char>(value.front()))) return std::nullopt;
    const std::string text(value);
    const std::time_t when = curl_getdate(text.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    if (when <= now) return 0;
    return seconds_to_ms(std::difftime(when, now));
}

std::optional<std::int64_t> parse_duration_ms(std::string_view value) {
    value = trim(value);
    if (value.size() < 2 || value.back() != 's') return std::nullopt;
    const auto seconds = parse_decimal_seconds(value.substr(0, value.size() - 1));
    if (!seconds) return std::nullopt;
    return seconds_to_ms(*seconds);
}

std::optional<std::int64_t> retry_after_from_headers(const HttpResponse &response, std::time_t now) {
    if (const auto ms = response.header("retry-after-ms")) {
        if (const auto seconds = parse_decimal_seconds(trim(*ms))) return seconds_to_ms(*seconds / 1000.0);
    }
    if (const auto value = response.header("retry-after")) return parse_retry_after_ms(*value, now);
    return std::nullopt;
}

} // namespace rolloy::providers
