#include "core/providers/classify.hpp"

#include "core/providers/retry_after.hpp"

#include <ctime>
#include <string>

namespace rolloy::providers {

OutcomeKind classify_http_status(long status) {
    if (status >= 200 && status < 300) return OutcomeKind::Success;
    if (status == 408 || status == 429) return OutcomeKind::Transient;
    if (status >= 500 && status < 600)
        return (status == 501 || status == 505) ? OutcomeKind::Permanent : OutcomeKind::Transient;
    return OutcomeKind::Permanent;
}

Outcome transport_failure(const HttpResponse &response, std::string_view what) {
    OutcomeKind kind = OutcomeKind::Transient;
    std::string code = to_string(response.transport_error);
    switch (response.transport_error) {
    case TransportError::Timeout:
    case TransportError::Connect:
        kind = OutcomeKind::Transient;
        break;
    case TransportError::Aborted:
        kind = OutcomeKind::Transient;
        code = "aborted";
        break;
    case TransportError::TooLarge:
    case TransportError::BadRequest:
        kind = OutcomeKind::Permanent;
        break;
    case TransportError::Other:
    case TransportError::None:
        kind = OutcomeKind::Permanent;
        break;
    }
    std::string message(what);
    message += ": ";
    message += response.error.empty() ? std::string("request failed") : response.error;
    return Outcome::failure(kind, std::move(code), std::move(message));
}

Outcome http_failure(const HttpResponse &response, std::string_view what, std::string_view provider_message,
                     std::string error_code) {
    std::string message(what);
    message += " returned HTTP " + std::to_string(response.status);
    if (!provider_message.empty()) {
        message += ": ";
        message += provider_message;
    }
    if (error_code.empty()) error_code = "http_" + std::to_string(response.status);
    Outcome out = Outcome::failure(classify_http_status(response.status), std::move(error_code),
                                   std::move(message), response.status);
    out.retry_after_ms = retry_after_from_headers(response, std::time(nullptr));
    return out;
}

} // namespace rolloy::providers
