// What a provider is: something that turns a request (text or image) plus configuration into
// a ProviderCall, a small state machine that asks for HTTP exchanges one at a time and ends in
// an Outcome. JobRunner drives many calls at once over one HttpClient, so a provider never
// blocks, sleeps or owns a socket; multi-step APIs (fal's queue) are just more states.
//
// Adding a provider: one new file pair (e.g. replicate_flux.{hpp,cpp}) implementing
// TextProvider or ImageProvider, plus one line in registry.cpp.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace rolloy::providers {

// Everything a call needs besides the request itself; the worker fills it from GUCs/tables.
struct ProviderConfig {
    std::string base_url; // e.g. https://generativelanguage.googleapis.com, https://queue.fal.run
    std::string model;    // e.g. gemini-2.5-flash, gemini-2.5-flash-image, fal-ai/flux/dev/image-to-image
    std::string api_key;  // sent only to base_url's origin; never appears in any message
    std::string pool;     // HttpClient concurrency pool; empty = the provider's name
    std::int64_t connect_timeout_ms = 10'000;
    std::int64_t request_timeout_ms = 120'000;    // each HTTP exchange
    std::int64_t max_response_bytes = 64LL << 20; // API (JSON) responses, inline images included
    std::int64_t max_image_bytes = 32LL << 20;    // image downloads
    std::int64_t poll_interval_ms = 500;          // queue-style APIs
    // Provider-specific knobs, documented in each provider's header.
    std::map<std::string, std::string> options;

    std::string option(const std::string &key, std::string fallback = {}) const;
};

struct TextRequest {
    std::string system_prompt; // optional
    std::string prompt;
    int max_output_tokens = 1024;
    std::optional<double> temperature;
};

struct ImageRequest {
    std::string prompt;
    std::string reference;      // bytes of the reference image
    std::string reference_mime; // "image/jpeg", "image/png", "image/webp"
    std::optional<std::int64_t> seed;
    std::optional<double> strength; // img2img strength (fal), provider default when unset
    std::optional<int> steps;
    std::optional<double> guidance;
    std::string aspect_ratio;  // Gemini imageConfig.aspectRatio, e.g. "1:1"; empty: provider default
    std::string output_format; // fal: "jpeg" or "png"; empty: "jpeg"
    std::string resume_token;  // Outcome::resume_token of an earlier attempt of the same job
};

// The next thing a call wants: an HTTP exchange (optionally after a delay) or to finish.
struct Action {
    enum class Type { Send, Finish };
    Type type = Type::Finish;
    HttpRequest request;
    std::int64_t delay_ms = 0;
    Outcome outcome;

    static Action send(HttpRequest request, std::int64_t delay_ms = 0);
    static Action finish(Outcome outcome);
};

class ProviderCall {
  public:
    virtual ~ProviderCall() = default;
    // The first action. Called once.
    virtual Action start() = 0;
    // The response to the last Send. Called once per Send.
    virtual Action on_response(HttpResponse response) = 0;
    // When stopped from outside (abort): a token that lets a later attempt resume, if any.
    virtual std::string resume_token() const { return {}; }
    // When given up (deadline): a fire-and-forget request that cancels provider-side work.
    virtual std::optional<HttpRequest> cancel_request() const { return std::nullopt; }
};

class TextProvider {
  public:
    virtual ~TextProvider() = default;
    virtual std::string_view name() const = 0;
    // Never throws for bad input: problems come back as a Permanent Outcome from start().
    virtual std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                                    TextRequest request) const = 0;
};

class ImageProvider {
  public:
    virtual ~ImageProvider() = default;
    virtual std::string_view name() const = 0;
    virtual std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                                    ImageRequest request) const = 0;
};

} // namespace rolloy::providers
