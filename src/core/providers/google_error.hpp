// Google's error envelope {"error": {code, message, status, details[]}} as the Gemini API
// returns it, and the retry facts hidden in `details`: RetryInfo.retryDelay (Gemini sends no
// Retry-After header) and QuotaFailure quota ids (a per-day quota will not reset in seconds).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/redaction.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers {

struct GoogleError {
    long code = 0;
    std::string status; // google.rpc.Code name, e.g. "RESOURCE_EXHAUSTED"
    std::string message;
    std::string reason;                         // ErrorInfo.reason, e.g. "API_KEY_INVALID"
    std::optional<std::int64_t> retry_delay_ms; // RetryInfo.retryDelay
    std::vector<std::string> quota_ids;         // QuotaFailure.violations[].quotaId

    bool per_day_quota() const; // some quotaId contains "PerDay"
};

// Parses the envelope, also when a proxy wrapped it in a one-element array. nullopt when the
// body is not such an envelope.
std::optional<GoogleError> parse_google_error(std::string_view body);

// The Outcome of a non-2xx Gemini response: the provider's message and status, RetryInfo as
// retry_after_ms (a Retry-After header, if a proxy added one, also counts), and a 429 whose
// quota is per day made Permanent (error_code "quota_per_day"). error_code is the ErrorInfo
// reason if any, else the status name, else "http_<status>". The message quotes the body only
// through `redactor`.
Outcome google_error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor);

} // namespace rolloy::providers
