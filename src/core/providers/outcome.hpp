// The result of one provider call as the worker records it: success with its payload, or a
// failure classified as worth retrying (Transient) or not (Permanent), with the provider's own
// message. Messages never contain API keys (see redaction.hpp).
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace rolloy::providers {

enum class OutcomeKind { Success, Transient, Permanent };

const char *to_string(OutcomeKind kind); // "success", "transient", "permanent"

struct Outcome {
    OutcomeKind kind = OutcomeKind::Permanent;
    long http_status = 0; // status of the decisive HTTP response; 0 without one
    // Short machine-readable reason for failures, e.g. "http_503", "timeout", "RESOURCE_EXHAUSTED",
    // "quota_per_day", "blocked", "IMAGE_SAFETY", "no_image", "malformed_response", "aborted".
    std::string error_code;
    // For people (last_error): the provider's own message with the HTTP status.
    std::string message;
    std::optional<std::int64_t> retry_after_ms; // delay the server asked for, if any

    // Usage (also filled on failures when the provider reported it, since it may be billed).
    std::int64_t tokens_in = 0;
    std::int64_t tokens_out = 0;      // candidates + thoughts: both billed at the output rate
    std::int64_t tokens_thoughts = 0; // the part of tokens_out spent thinking

    std::string text;       // text providers
    std::string image;      // image providers: raw bytes as received (not validated here)
    std::string image_mime; // as declared by the provider
    int image_width = 0;    // when the provider reports them (fal), else 0
    int image_height = 0;

    std::int64_t latency_ms = 0; // whole call: first request to last response, polling included
    int http_requests = 0;       // HTTP exchanges made (fal: submit + polls + result + download)
    std::string request_id;      // provider's id (Gemini responseId, fal request_id)
    std::string finish_reason;   // Gemini finishReason, when present
    std::string model_version;   // Gemini modelVersion, when present
    // Lets a later attempt continue a provider-side job instead of paying for a new one (fal:
    // the queue URLs). Set on Transient outcomes after a submission was accepted.
    std::string resume_token;

    bool success() const { return kind == OutcomeKind::Success; }
    // The runner stopped the call (shutdown): not the provider's fault, not an attempt to count.
    bool aborted() const { return error_code == "aborted"; }
    // A request that may have been carried out (and billed) gave no usable answer, and sending
    // it again could pay twice (Replicate's create has no idempotency key). Permanent: not
    // retried automatically; book the attempt as "may be billed".
    bool outcome_unknown() const { return error_code == "outcome_unknown"; }

    static Outcome failure(OutcomeKind kind, std::string error_code, std::string message,
                           long http_status = 0);
};

} // namespace rolloy::providers
