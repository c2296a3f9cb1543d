#include "core/providers/gemini_text.hpp"

#include "core/common/error.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/gemini_api.hpp"
#include "core/providers/google_error.hpp"
#include "core/providers/json.hpp"

#include <cstdlib>

namespace rolloy::providers::gemini {
namespace {

constexpr std::string_view kWhat = "Gemini generateContent";

json_t *text_content(std::string_view text, const char *role) {
    json::Ptr part(json::object());
    if (!json::set(part.get(), "text", json::string(text)))
        throw Error(ErrorKind::InvalidText, "the prompt is not valid UTF-8");
    json::Ptr content(json::object());
    if (role) json::set(content.get(), "role", json_string(role));
    json_t *parts = json_array();
    json_array_append_new(parts, part.release());
    json::set(content.get(), "parts", parts);
    return content.release();
}

// nullopt: send no thinkingConfig.
std::optional<long long> thinking_budget(const ProviderConfig &config) {
    const std::string option = config.option("thinking_budget");
    if (option == "default") return std::nullopt;
    if (!option.empty()) {
        char *end = nullptr;
        const long long v = std::strtoll(option.c_str(), &end, 10);
        if (*end != '\0')
            throw Error(ErrorKind::InvalidInput, "thinking_budget must be an integer or \"default\"");
        return v;
    }
    if (config.model.rfind("gemini-2.5-flash", 0) == 0 && config.model.find("image") == std::string::npos)
        return 0;
    return std::nullopt;
}

class TextCall : public ProviderCall {
  public:
    TextCall(ProviderConfig config, TextRequest request)
        : config_(std::move(config)), request_(std::move(request)), redactor_(config_.api_key) {}

    Action start() override {
        try {
            return Action::send(generate_content_request(config_, build_text_body(config_, request_)));
        } catch (const Error &e) {
            return Action::finish(
                Outcome::failure(OutcomeKind::Permanent, "invalid_request", redactor_.redact(e.what())));
        }
    }

    Action on_response(HttpResponse response) override {
        Outcome out = response.ok() ? text_outcome(response, request_.max_output_tokens, redactor_)
                                    : transport_failure(response, kWhat);
        out.message = redactor_.redact(out.message);
        return Action::finish(std::move(out));
    }

  private:
    ProviderConfig config_;
    TextRequest request_;
    Redactor redactor_;
};

class GeminiTextProvider : public TextProvider {
  public:
    std::string_view name() const override { return "gemini"; }
    std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                            TextRequest request) const override {
        return std::make_unique<TextCall>(config, std::move(request));
    }
};

} // namespace

std::string build_text_body(const ProviderConfig &config, const TextRequest &request) {
    json::Ptr body(json::object());
    if (!request.system_prompt.empty())
        json::set(body.get(), "systemInstruction", text_content(request.system_prompt, nullptr));
    json_t *contents = json_array();
    json::set(body.get(), "contents", contents);
    json_array_append_new(contents, text_content(request.prompt, "user"));

    json_t *generation = json::object();
    json::set(body.get(), "generationConfig", generation);
    json::set(generation, "maxOutputTokens", json_integer(request.max_output_tokens));
    if (request.temperature) json::set(generation, "temperature", json_real(*request.temperature));
    if (const auto budget = thinking_budget(config)) {
        json_t *thinking = json::object();
        json::set(thinking, "thinkingBudget", json_integer(*budget));
        json::set(generation, "thinkingConfig", thinking);
    }
    return json::dump(body.get());
}

Outcome text_outcome(const HttpResponse &response, int max_output_tokens, const Redactor &redactor) {
    if (response.status < 200 || response.status >= 300)
        return google_error_outcome(response, kWhat, redactor);
    const auto reply = parse_reply(response.body);
    if (!reply) return malformed_reply(response, kWhat, redactor);
    if (!reply->block_reason.empty()) return blocked_prompt(*reply, kWhat, redactor);
    if (!reply->has_candidate) return malformed_reply(response, kWhat, redactor);

    Outcome out;
    copy_reply_metadata(*reply, out);
    out.http_status = response.status;
    std::string text = reply->text();
    if (is_refusal(reply->finish_reason)) {
        out.kind = OutcomeKind::Permanent;
        out.error_code = reply->finish_reason;
        out.message = std::string(kWhat) + " stopped with finishReason " + reply->finish_reason;
        if (!reply->finish_message.empty())
            out.message += ": " + redactor.excerpt(reply->finish_message, 500);
        return out;
    }
    if (text.empty()) {
        out.kind = OutcomeKind::Permanent;
        if (reply->finish_reason == "MAX_TOKENS") {
            out.error_code = "max_tokens";
            out.message = std::string(kWhat) + " reached maxOutputTokens (" +
                          std::to_string(max_output_tokens) + ") before writing any text";
            if (reply->thoughts_tokens > 0)
                out.message += " (" + std::to_string(reply->thoughts_tokens) + " tokens went to thinking)";
            out.message += "; raise the token limit or lower the thinking budget";
        } else {
            out.error_code = "empty_response";
            out.message = std::string(kWhat) + " returned no text (finishReason " +
                          (reply->finish_reason.empty() ? std::string("missing") : reply->finish_reason) +
                          ")";
        }
        return out;
    }
    out.kind = OutcomeKind::Success;
    out.text = std::move(text);
    return out;
}

const TextProvider &text_provider() {
    static const GeminiTextProvider provider;
    return provider;
}

} // namespace rolloy::providers::gemini
