#include "core/providers/http_types.hpp"

#include <cctype>

namespace rolloy::providers {

const char *to_string(HttpMethod method) {
    switch (method) {
    case HttpMethod::Get:
        return "GET";
    case HttpMethod::Post:
        return "POST";
    case HttpMethod::Put:
        return "PUT";
    case HttpMethod::Delete:
        return "DELETE";
    }
    return "GET";
}

const char *to_string(TransportError error) {
    switch (error) {
    case TransportError::None:
        return "none";
    case TransportError::Timeout:
        return "timeout";
    case TransportError::Connect:
        return "connection";
    case TransportError::TooLarge:
        return "too_large";
    case TransportError::BadRequest:
        return "bad_request";
    case TransportError::Aborted:
        return "aborted";
    case TransportError::Other:
        return "other";
    }
    return "other";
}

namespace {
bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
} // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto &[key, value] : headers)
        if (equals_ignore_case(key, name)) return std::string_view(value);
    return std::nullopt;
}

} // namespace rolloy::providers
