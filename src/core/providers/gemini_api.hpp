// What Gemini's text and image calls share: the generateContent endpoint and headers, and the
// reading of a generateContent reply (candidates, parts, finishReason, promptFeedback, usage).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers::gemini {

// POST {base}/v1beta/models/{model}:generateContent with x-goog-api-key. Throws
// rolloy::Error(InvalidInput) for a model id with characters other than [A-Za-z0-9._-].
HttpRequest generate_content_request(const ProviderConfig &config, std::string body);

struct Part {
    std::string text;
    bool thought = false;    // a thinking summary, not part of the answer
    std::string inline_mime; // inlineData.mimeType
    std::string inline_data; // inlineData.data, still base64
    bool has_inline = false;
};

struct Reply {
    bool has_candidate = false;
    std::vector<Part> parts; // of the first candidate
    std::string finish_reason;
    std::string finish_message;
    std::string block_reason;  // promptFeedback.blockReason
    std::string block_message; // promptFeedback.blockReasonMessage
    std::int64_t prompt_tokens = 0;
    std::int64_t candidates_tokens = 0;
    std::int64_t thoughts_tokens = 0;
    std::string response_id;
    std::string model_version;

    // Non-thought text parts joined.
    std::string text() const;
    // First part carrying inlineData, or nullptr.
    const Part *first_inline() const;
};

// nullopt when the body is not a JSON object (a malformed reply).
std::optional<Reply> parse_reply(std::string_view body);

// Copies usage, ids and finish reason from a reply into an outcome.
void copy_reply_metadata(const Reply &reply, Outcome &outcome);

// The failure for a 2xx body that is not a generateContent reply. Transient: it is most likely
// a cut or garbled transfer, and the attempt cap of the RetryPolicy bounds the repeats.
Outcome malformed_reply(const HttpResponse &response, std::string_view what, const Redactor &redactor);

// The failure for a prompt refused outright (promptFeedback.blockReason, HTTP 200).
Outcome blocked_prompt(const Reply &reply, std::string_view what, const Redactor &redactor);

// Finish reasons that mean "refused or filtered": Permanent, never a usable answer.
bool is_refusal(std::string_view finish_reason);

} // namespace rolloy::providers::gemini
