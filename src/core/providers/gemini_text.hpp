// Text generation with Gemini generateContent (writing image prompts).
//
// Options (ProviderConfig::options):
//   thinking_budget  integer sent as generationConfig.thinkingConfig.thinkingBudget; "default"
//                    sends none. Unset: 0 for gemini-2.5-flash* models (thinking would eat the
//                    output budget and is billed), none for others (2.0 has no thinking; 2.5 Pro
//                    cannot switch it off).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"

#include <string>

namespace rolloy::providers::gemini {

// The JSON body. Throws rolloy::Error(InvalidText) if a prompt is not valid UTF-8 and
// rolloy::Error(InvalidInput) for a non-integer thinking_budget.
std::string build_text_body(const ProviderConfig &config, const TextRequest &request);

// The Outcome of a generateContent response for a text request: Success with the text, or the
// failure: HTTP errors (google_error_outcome), a blocked prompt, an empty answer (MAX_TOKENS
// before any text, or nothing at all) and refusals are Permanent; a malformed 2xx body is
// Transient. `max_output_tokens` only improves the MAX_TOKENS message. The message quotes the
// reply only through `redactor`.
Outcome text_outcome(const HttpResponse &response, int max_output_tokens, const Redactor &redactor);

const TextProvider &text_provider(); // registered as "gemini"

} // namespace rolloy::providers::gemini
