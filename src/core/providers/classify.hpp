// Shared rules for turning HTTP failures into Outcomes. Provider files add what only they
// know (Gemini's per-day quota, fal's user timeouts) on top.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"

#include <string_view>

namespace rolloy::providers {

// For a status that is not 2xx. Transient: 408, 429, 500, 502, 503, 504 and any other 5xx
// except 501/505 (gateways invent codes such as 520–529). Permanent: every 4xx but 408/429
// (400 bad request, 401/403 key, 402 credits, 404 model, 422 validation, ...), 501, 505, 3xx
// (redirects are not followed for API calls) and anything else unexpected.
OutcomeKind classify_http_status(long status);

// For a transfer with no HTTP response. Timeouts and connection failures are Transient; an
// oversized body, a forbidden URL and unknown errors are Permanent (retrying changes nothing);
// an abort is Transient with error_code "aborted". `what` names the step, e.g.
// "Gemini generateContent"; the message is "<what>: <curl's description>".
Outcome transport_failure(const HttpResponse &response, std::string_view what);

// A non-2xx response with a message already extracted from its body by the provider file.
// Sets kind (classify_http_status), http_status, error_code "http_<status>" unless given,
// retry_after_ms from the headers, and message "<what> returned HTTP <status>: <message>".
Outcome http_failure(const HttpResponse &response, std::string_view what, std::string_view provider_message,
                     std::string error_code = {});

} // namespace rolloy::providers
