#include "core/providers/gemini_image.hpp"

#include "core/common/base64.hpp"
#include "core/providers/reference_base64.hpp"
#include "core/common/error.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/gemini_api.hpp"
#include "core/providers/google_error.hpp"
#include "core/providers/json.hpp"

namespace rolloy::providers::gemini {
namespace {

constexpr std::string_view kWhat = "Gemini image generateContent";

json_t *modalities(const std::string &option) {
    json_t *list = json_array();
    std::size_t start = 0;
    while (start <= option.size()) {
        std::size_t comma = option.find(',', start);
        if (comma == std::string::npos) comma = option.size();
        std::string item = option.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) json_array_append_new(list, json_string(item.c_str()));
        start = comma + 1;
    }
    return list;
}

class ImageCall : public ProviderCall {
  public:
    ImageCall(ProviderConfig config, ImageRequest request)
        : config_(std::move(config)), request_(std::move(request)), redactor_(config_.api_key) {}

    Action start() override {
        try {
            HttpRequest req = generate_content_request(config_, build_image_body(config_, request_));
            // The reference now lives in the body; keep one copy only.
            request_.reference.clear();
            request_.reference.shrink_to_fit();
            return Action::send(std::move(req));
        } catch (const Error &e) {
            return Action::finish(
                Outcome::failure(OutcomeKind::Permanent, "invalid_request", redactor_.redact(e.what())));
        }
    }

    Action on_response(HttpResponse response) override {
        Outcome out = response.ok() ? image_outcome(response, redactor_) : transport_failure(response, kWhat);
        out.message = redactor_.redact(out.message);
        return Action::finish(std::move(out));
    }

  private:
    ProviderConfig config_;
    ImageRequest request_;
    Redactor redactor_;
};

class GeminiImageProvider : public ImageProvider {
  public:
    std::string_view name() const override { return "gemini"; }
    std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                            ImageRequest request) const override {
        return std::make_unique<ImageCall>(config, std::move(request));
    }
};

} // namespace

std::string build_image_body(const ProviderConfig &config, const ImageRequest &request) {
    if (request.reference.empty()) throw Error(ErrorKind::InvalidInput, "no reference image to edit");
    json::Ptr body(json::object());
    const std::string placeholder = json::verbatim_placeholder(); // the reference's base64
    json_t *parts = json_array();
    {
        json_t *text = json::object();
        json_array_append_new(parts, text);
        if (!json::set(text, "text", json::string(request.prompt))) {
            json_decref(parts);
            throw Error(ErrorKind::InvalidText, "the prompt is not valid UTF-8");
        }
        json_t *inline_data = json::object();
        json::set(inline_data, "mime_type",
                  json::string(request.reference_mime.empty() ? "image/jpeg" : request.reference_mime));
        json::set(inline_data, "data", json::string(placeholder));
        json_t *image = json::object();
        json::set(image, "inline_data", inline_data);
        json_array_append_new(parts, image);
    }
    json_t *content = json::object();
    json::set(content, "role", json_string("user"));
    json::set(content, "parts", parts);
    json_t *contents = json_array();
    json_array_append_new(contents, content);
    json::set(body.get(), "contents", contents);

    json_t *generation = json::object();
    json::set(generation, "responseModalities", modalities(config.option("response_modalities", "IMAGE")));
    if (!request.aspect_ratio.empty()) {
        json_t *image_config = json::object();
        json::set(image_config, "aspectRatio", json::string(request.aspect_ratio));
        json::set(generation, "imageConfig", image_config);
    }
    if (request.seed) json::set(generation, "seed", json_integer(*request.seed));
    json::set(body.get(), "generationConfig", generation);
    return json::dump_with_verbatim(body.get(), placeholder, reference_base64(request.reference));
}

Outcome image_outcome(const HttpResponse &response, const Redactor &redactor) {
    if (response.status < 200 || response.status >= 300)
        return google_error_outcome(response, kWhat, redactor);
    const auto reply = parse_reply(response.body);
    if (!reply) return malformed_reply(response, kWhat, redactor);
    if (!reply->block_reason.empty()) return blocked_prompt(*reply, kWhat, redactor);

    Outcome out;
    copy_reply_metadata(*reply, out);
    out.http_status = response.status;
    if (const Part *part = reply->first_inline()) {
        auto bytes = base64_decode(part->inline_data);
        if (!bytes || bytes->empty()) {
            out.kind = OutcomeKind::Transient;
            out.error_code = "malformed_response";
            out.message = std::string(kWhat) + " returned inline image data that is not base64";
            return out;
        }
        out.kind = OutcomeKind::Success;
        out.image = std::move(*bytes);
        out.image_mime = part->inline_mime;
        return out;
    }
    out.kind = OutcomeKind::Permanent;
    const std::string text = reply->text();
    if (!reply->has_candidate && text.empty()) return malformed_reply(response, kWhat, redactor);
    if (is_refusal(reply->finish_reason)) {
        out.error_code = reply->finish_reason;
        out.message = std::string(kWhat) + " returned no image (finishReason " + reply->finish_reason + ")";
        if (!reply->finish_message.empty())
            out.message += ": " + redactor.excerpt(reply->finish_message, 500);
        else if (!text.empty())
            out.message += ": " + redactor.excerpt(text, 500);
        return out;
    }
    out.error_code = "no_image";
    out.message = std::string(kWhat) + " answered with text only (finishReason " +
                  (reply->finish_reason.empty() ? std::string("missing") : reply->finish_reason) + ")";
    if (!text.empty()) out.message += ": " + redactor.excerpt(text, 500);
    return out;
}

const ImageProvider &image_provider() {
    static const GeminiImageProvider provider;
    return provider;
}

} // namespace rolloy::providers::gemini
