#include "core/providers/gemini_api.hpp"

#include "core/common/error.hpp"
#include "core/providers/json.hpp"
#include "core/providers/url.hpp"

#include <array>

namespace rolloy::providers::gemini {
namespace {

bool valid_model_id(std::string_view model) {
    if (model.empty()) return false;
    for (const char c : model) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

// Accepts both proto3 JSON spellings (responses use camelCase, proxies may not).
const json_t *field(const json_t *obj, const char *camel, const char *snake) {
    const json_t *v = json::at(obj, {camel});
    return v ? v : json::at(obj, {snake});
}

} // namespace

HttpRequest generate_content_request(const ProviderConfig &config, std::string body) {
    if (!valid_model_id(config.model))
        throw Error(ErrorKind::InvalidInput, "invalid Gemini model id \"" + config.model + "\"",
                    "A model id consists of letters, digits, '.', '-' and '_' (e.g. gemini-2.5-flash).");
    HttpRequest req;
    req.method = HttpMethod::Post;
    req.url = join_url(config.base_url, "v1beta/models/" + config.model + ":generateContent");
    req.headers = {{"x-goog-api-key", config.api_key},
                   {"Content-Type", "application/json"},
                   {"Accept", "application/json"}};
    req.body = std::move(body);
    req.pool = config.pool.empty() ? "gemini" : config.pool;
    req.limits.connect_timeout_ms = config.connect_timeout_ms;
    req.limits.total_timeout_ms = config.request_timeout_ms;
    req.limits.max_response_bytes = config.max_response_bytes;
    // A billed call: libcurl re-sends a request by itself when a reused keep-alive connection
    // dies before any answer, which the ledger would never see. A new connection per call.
    req.limits.fresh_connection = true;
    return req;
}

std::string Reply::text() const {
    std::string out;
    for (const Part &p : parts)
        if (!p.thought) out += p.text;
    return out;
}

const Part *Reply::first_inline() const {
    for (const Part &p : parts)
        if (p.has_inline) return &p;
    return nullptr;
}

std::optional<Reply> parse_reply(std::string_view body) {
    // Inline images are megabytes of base64: lift them out of jansson's way.
    const json::LiftedDocument lifted = json::LiftedDocument::parse(body);
    if (!json_is_object(lifted.root())) return std::nullopt;
    const json_t *doc = lifted.root();
    Reply reply;
    reply.block_reason = lifted.get_string(doc, {"promptFeedback", "blockReason"});
    reply.block_message = lifted.get_string(doc, {"promptFeedback", "blockReasonMessage"});
    reply.prompt_tokens = json::get_int(doc, {"usageMetadata", "promptTokenCount"});
    reply.candidates_tokens = json::get_int(doc, {"usageMetadata", "candidatesTokenCount"});
    reply.thoughts_tokens = json::get_int(doc, {"usageMetadata", "thoughtsTokenCount"});
    reply.response_id = lifted.get_string(doc, {"responseId"});
    reply.model_version = lifted.get_string(doc, {"modelVersion"});

    const json_t *candidates = json::at(doc, {"candidates"});
    if (!json_is_array(candidates) || json_array_size(candidates) == 0) return reply;
    const json_t *candidate = json_array_get(candidates, 0);
    if (!json_is_object(candidate)) return reply;
    reply.has_candidate = true;
    reply.finish_reason = lifted.get_string(candidate, {"finishReason"});
    reply.finish_message = lifted.get_string(candidate, {"finishMessage"});
    const json_t *parts = json::at(candidate, {"content", "parts"});
    for (std::size_t i = 0; json_is_array(parts) && i < json_array_size(parts); ++i) {
        const json_t *p = json_array_get(parts, i);
        Part part;
        part.text = lifted.get_string(p, {"text"});
        part.thought = json::get_bool(p, {"thought"});
        if (const json_t *inline_data = field(p, "inlineData", "inline_data"); json_is_object(inline_data)) {
            part.has_inline = true;
            const json_t *mime = field(inline_data, "mimeType", "mime_type");
            if (json_is_string(mime)) part.inline_mime = json_string_value(mime);
            part.inline_data = lifted.get_string(inline_data, {"data"});
        }
        reply.parts.push_back(std::move(part));
    }
    return reply;
}

void copy_reply_metadata(const Reply &reply, Outcome &outcome) {
    outcome.tokens_in = reply.prompt_tokens;
    outcome.tokens_out = reply.candidates_tokens + reply.thoughts_tokens;
    outcome.tokens_thoughts = reply.thoughts_tokens;
    outcome.request_id = reply.response_id;
    outcome.model_version = reply.model_version;
    outcome.finish_reason = reply.finish_reason;
}

Outcome malformed_reply(const HttpResponse &response, std::string_view what, const Redactor &redactor) {
    std::string message(what);
    message += " returned HTTP " + std::to_string(response.status) +
               " with a body that is not a generateContent reply: " + redactor.excerpt(response.body, 200);
    return Outcome::failure(OutcomeKind::Transient, "malformed_response", std::move(message),
                            response.status);
}

Outcome blocked_prompt(const Reply &reply, std::string_view what, const Redactor &redactor) {
    std::string message(what);
    message += " refused the prompt (blockReason " + reply.block_reason + ")";
    if (!reply.block_message.empty()) message += ": " + redactor.excerpt(reply.block_message, 500);
    Outcome out = Outcome::failure(OutcomeKind::Permanent, "blocked", std::move(message), 200);
    copy_reply_metadata(reply, out);
    return out;
}

bool is_refusal(std::string_view finish_reason) {
    static constexpr std::array<std::string_view, 12> kRefusals = {"SAFETY",
                                                                   "RECITATION",
                                                                   "BLOCKLIST",
                                                                   "PROHIBITED_CONTENT",
                                                                   "SPII",
                                                                   "LANGUAGE",
                                                                   "IMAGE_SAFETY",
                                                                   "IMAGE_PROHIBITED_CONTENT",
                                                                   "IMAGE_RECITATION",
                                                                   "IMAGE_OTHER",
                                                                   "NO_IMAGE",
                                                                   "OTHER"};
    for (const auto r : kRefusals)
        if (finish_reason == r) return true;
    return false;
}

} // namespace rolloy::providers::gemini
