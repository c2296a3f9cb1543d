#include "core/providers/google_error.hpp"

#include "core/providers/classify.hpp"
#include "core/providers/json.hpp"
#include "core/providers/retry_after.hpp"

namespace rolloy::providers {

bool GoogleError::per_day_quota() const {
    for (const auto &id : quota_ids)
        if (id.find("PerDay") != std::string::npos) return true;
    return false;
}

std::optional<GoogleError> parse_google_error(std::string_view body) {
    const json::Ptr root = json::parse(body);
    const json_t *doc = root.get();
    if (json_is_array(doc) && json_array_size(doc) == 1) doc = json_array_get(doc, 0);
    const json_t *error = json::at(doc, {"error"});
    if (!json_is_object(error)) return std::nullopt;

    GoogleError out;
    out.code = static_cast<long>(json::get_int(error, {"code"}));
    out.status = json::get_string(error, {"status"});
    out.message = json::get_string(error, {"message"});
    const json_t *details = json::at(error, {"details"});
    for (std::size_t i = 0; json_is_array(details) && i < json_array_size(details); ++i) {
        const json_t *detail = json_array_get(details, i);
        const std::string type = json::get_string(detail, {"@type"});
        if (type == "type.googleapis.com/google.rpc.RetryInfo") {
            out.retry_delay_ms = parse_duration_ms(json::get_string(detail, {"retryDelay"}));
        } else if (type == "type.googleapis.com/google.rpc.ErrorInfo") {
            out.reason = json::get_string(detail, {"reason"});
        } else if (type == "type.googleapis.com/google.rpc.QuotaFailure") {
            const json_t *violations = json::at(detail, {"violations"});
            for (std::size_t j = 0; json_is_array(violations) && j < json_array_size(violations); ++j) {
                std::string id = json::get_string(json_array_get(violations, j), {"quotaId"});
                if (!id.empty()) out.quota_ids.push_back(std::move(id));
            }
        }
    }
    return out;
}

Outcome google_error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor) {
    const auto error = parse_google_error(response.body);
    if (!error) return http_failure(response, what, redactor.excerpt(response.body));

    std::string message =
        error->message.empty() ? redactor.excerpt(response.body) : redactor.excerpt(error->message, 1000);
    if (!error->status.empty()) message = error->status + ": " + message;
    std::string code = !error->reason.empty() ? error->reason : error->status;
    Outcome out = http_failure(response, what, message, code);
    if (error->retry_delay_ms) out.retry_after_ms = error->retry_delay_ms;
    if (response.status == 429 && error->per_day_quota()) {
        out.kind = OutcomeKind::Permanent;
        out.error_code = "quota_per_day";
        out.retry_after_ms.reset();
        out.message += " (daily quota: not retried before it resets)";
    }
    return out;
}

} // namespace rolloy::providers
