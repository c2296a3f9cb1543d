#include "core/providers/outcome.hpp"

#include <algorithm>

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

std::string redact_secret(std::string text, std::string_view secret) {
    if (secret.size() < 4) return text;
    static constexpr std::string_view kMark = "[redacted]";
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + kMark.size()))
        text.replace(pos, secret.size(), kMark);
    return text;
}

std::string body_excerpt(std::string_view body, std::size_t max_chars) {
    std::string out;
    out.reserve(std::min(body.size(), max_chars) + 4);
    bool last_space = true; // also trims leading spaces
    for (const char ch : body) {
        const auto c = static_cast<unsigned char>(ch);
        const bool space = c < 0x20 || c == 0x7f || c == ' ';
        if (space) {
            if (!last_space) out.push_back(' ');
            last_space = true;
            continue;
        }
        last_space = false;
        if (out.size() >= max_chars && (c & 0xC0) != 0x80) { // stop only before a character start
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            out += "…";
            return out;
        }
        out.push_back(ch);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

} // namespace rolloy::providers
