#include "core/providers/outcome.hpp"

namespace rolloy::providers {

const char *to_string(OutcomeKind kind) {
    switch (kind) {
    case OutcomeKind::Success:
        return "success";
    case OutcomeKind::Transient:
        return "transient";
    case OutcomeKind::Permanent:
        return "permanent";
    }
    return "permanent";
}

Outcome Outcome::failure(OutcomeKind kind, std::string error_code, std::string message, long http_status) {
    Outcome out;
    out.kind = kind;
    out.error_code = std::move(error_code);
    out.message = std::move(message);
    out.http_status = http_status;
    return out;
}

} // namespace rolloy::providers
