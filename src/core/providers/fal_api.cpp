#include "core/providers/fal_api.hpp"

#include "core/common/error.hpp"
#include "core/common/utf8.hpp"
#include "core/providers/call_steps.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/json.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <cctype>

namespace rolloy::providers::fal {
namespace {

bool valid_model_id(std::string_view model) {
    if (model.empty() || model.front() == '/' || model.find("..") != std::string_view::npos) return false;
    return std::all_of(model.begin(), model.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '/';
    });
}

bool option_true(const ProviderConfig &config, const std::string &key, bool fallback) {
    const std::string v = config.option(key);
    if (v.empty()) return fallback;
    return v == "true" || v == "on" || v == "1" || v == "yes";
}

std::string loc_text(const json_t *loc) {
    std::string out;
    for (std::size_t i = 0; json_is_array(loc) && i < json_array_size(loc); ++i) {
        const json_t *item = json_array_get(loc, i);
        if (!out.empty()) out += '.';
        if (json_is_string(item))
            out += json_string_value(item);
        else if (json_is_integer(item))
            out += std::to_string(json_integer_value(item));
    }
    return out;
}

} // namespace

std::string build_submit_body(const ProviderConfig &config, const ImageRequest &request) {
    if (request.reference.empty()) throw Error(ErrorKind::InvalidInput, "no reference image to edit");
    json::Ptr body(json::object());
    const std::string placeholder = json::verbatim_placeholder(); // the reference as a data URI
    if (!json::set(body.get(), "prompt", json::string(request.prompt)))
        throw Error(ErrorKind::InvalidText, "the prompt is not valid UTF-8");
    const std::string mime = request.reference_mime.empty() ? "image/jpeg" : request.reference_mime;
    if (!is_valid_utf8(mime))
        throw Error(ErrorKind::InvalidInput, "the reference image type is not valid UTF-8");
    json::set(body.get(), "image_url", json::string(placeholder));
    if (request.strength) json::set(body.get(), "strength", json_real(*request.strength));
    if (request.steps) json::set(body.get(), "num_inference_steps", json_integer(*request.steps));
    if (request.guidance) json::set(body.get(), "guidance_scale", json_real(*request.guidance));
    if (request.seed) json::set(body.get(), "seed", json_integer(*request.seed));
    json::set(body.get(), "num_images", json_integer(1));
    json::set(body.get(), "output_format",
              json::string(request.output_format.empty() ? "jpeg" : request.output_format));
    json::set(body.get(), "enable_safety_checker",
              json_boolean(option_true(config, "enable_safety_checker", true)));
    json::set(body.get(), "sync_mode", json_false());
    return json::dump_with_verbatim(body.get(), placeholder, make_data_uri(mime, request.reference));
}

HttpRequest submit_request(const ProviderConfig &config, std::string body) {
    if (!valid_model_id(config.model))
        throw Error(ErrorKind::InvalidInput, "invalid fal model id \"" + config.model + "\"",
                    "A model id looks like fal-ai/flux/dev/image-to-image.");
    HttpRequest req = queue_request(config, HttpMethod::Post, join_url(config.base_url, config.model));
    req.body = std::move(body);
    // The billed submit: never re-sent by libcurl on a reused connection that died (see gemini_api.cpp).
    req.limits.fresh_connection = true;
    return req;
}

HttpRequest queue_request(const ProviderConfig &config, HttpMethod method, const std::string &url) {
    return json_api_request(config, method, url, "Key " + config.api_key, "fal");
}

std::optional<QueueTicket> parse_ticket(std::string_view body) {
    const json::Ptr root = json::parse(body);
    QueueTicket t;
    t.request_id = json::get_string(root.get(), {"request_id"});
    t.status_url = json::get_string(root.get(), {"status_url"});
    t.response_url = json::get_string(root.get(), {"response_url"});
    t.cancel_url = json::get_string(root.get(), {"cancel_url"});
    if (t.status_url.empty() || t.response_url.empty()) return std::nullopt;
    return t;
}

std::string encode_ticket(const QueueTicket &ticket) {
    json::Ptr obj(json::object());
    json::set(obj.get(), "fal_request_id", json::string(ticket.request_id));
    json::set(obj.get(), "status_url", json::string(ticket.status_url));
    json::set(obj.get(), "response_url", json::string(ticket.response_url));
    json::set(obj.get(), "cancel_url", json::string(ticket.cancel_url));
    return json::dump(obj.get());
}

std::optional<QueueTicket> decode_ticket(std::string_view token) {
    const json::Ptr root = json::parse(token);
    if (!json_is_object(root.get())) return std::nullopt;
    QueueTicket t;
    t.request_id = json::get_string(root.get(), {"fal_request_id"});
    t.status_url = json::get_string(root.get(), {"status_url"});
    t.response_url = json::get_string(root.get(), {"response_url"});
    t.cancel_url = json::get_string(root.get(), {"cancel_url"});
    if (t.status_url.empty() || t.response_url.empty()) return std::nullopt;
    return t;
}

QueueState parse_status(std::string_view body) {
    const json::Ptr root = json::parse(body);
    const std::string status = json::get_string(root.get(), {"status"});
    if (status == "IN_QUEUE") return QueueState::InQueue;
    if (status == "IN_PROGRESS") return QueueState::InProgress;
    if (status == "COMPLETED") return QueueState::Completed;
    return QueueState::Unknown;
}

std::optional<ResultImage> parse_result(std::string_view body) {
    const json::LiftedDocument doc = json::LiftedDocument::parse(body); // data: URIs can be large
    const json_t *images = json::at(doc.root(), {"images"});
    if (!json_is_array(images) || json_array_size(images) == 0) return std::nullopt;
    const json_t *first = json_array_get(images, 0);
    ResultImage image;
    image.url = doc.get_string(first, {"url"});
    if (image.url.empty()) return std::nullopt;
    image.content_type = json::get_string(first, {"content_type"});
    image.width = static_cast<int>(json::get_int(first, {"width"}));
    image.height = static_cast<int>(json::get_int(first, {"height"}));
    const json_t *nsfw = json::at(doc.root(), {"has_nsfw_concepts"});
    image.nsfw = json_is_array(nsfw) && json_array_size(nsfw) > 0 && json_is_true(json_array_get(nsfw, 0));
    return image;
}

std::string error_message(const HttpResponse &response, const Redactor &redactor) {
    const json::Ptr root = json::parse(response.body);
    std::string message;
    const json_t *detail = json::at(root.get(), {"detail"});
    if (json_is_string(detail)) {
        message = json_string_value(detail);
    } else if (json_is_array(detail)) {
        for (std::size_t i = 0; i < json_array_size(detail) && i < 5; ++i) {
            const json_t *item = json_array_get(detail, i);
            const std::string loc = loc_text(json::at(item, {"loc"}));
            const std::string msg = json::get_string(item, {"msg"});
            if (!message.empty()) message += "; ";
            message += loc.empty() ? msg : loc + ": " + msg;
        }
    }
    if (message.empty()) message = json::get_string(root.get(), {"message"});
    if (message.empty() && !json_is_object(root.get())) message = redactor.excerpt(response.body);
    message = redactor.excerpt(message, 1000);
    std::string type = json::get_string(root.get(), {"error_type"});
    if (type.empty()) type = std::string(response.header("x-fal-error-type").value_or(""));
    if (!type.empty()) message += " [" + type + "]";
    return message;
}

Outcome error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor) {
    Outcome out = http_failure(response, what, error_message(response, redactor));
    const auto timeout_type = response.header("x-fal-request-timeout-type");
    if (response.status == 504 && timeout_type && *timeout_type == "user") {
        out.kind = OutcomeKind::Permanent;
        out.error_code = "request_timeout_user";
    }
    return out;
}

} // namespace rolloy::providers::fal
