#include "core/providers/replicate_api.hpp"

#include "core/common/error.hpp"
#include "core/common/utf8.hpp"
#include "core/providers/call_steps.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/json.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <cctype>

namespace rolloy::providers::replicate {
namespace {

bool name_part(std::string_view part) {
    return !part.empty() && part.find("..") == std::string_view::npos &&
           std::all_of(part.begin(), part.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
           });
}

// "owner/name": the path of an official model's create endpoint.
bool valid_model_id(std::string_view model) {
    const auto slash = model.find('/');
    return slash != std::string_view::npos && name_part(model.substr(0, slash)) &&
           name_part(model.substr(slash + 1));
}

// An integer option in [lo, hi]; `fallback` when unset.
int int_option(const ProviderConfig &config, const std::string &key, int lo, int hi, int fallback) {
    const std::string v = config.option(key);
    if (v.empty()) return fallback;
    const bool digits = v.size() <= 4 && std::all_of(v.begin(), v.end(), [](char c) {
                            return std::isdigit(static_cast<unsigned char>(c));
                        });
    const int n = digits ? std::stoi(v) : -1;
    if (n < lo || n > hi)
        throw Error(ErrorKind::InvalidInput, "Replicate option " + key + " must be an integer from " +
                                                 std::to_string(lo) + " to " + std::to_string(hi));
    return n;
}

std::string output_format(const std::string &requested) {
    if (requested.empty() || requested == "jpeg" || requested == "jpg") return "jpg";
    if (requested == "png" || requested == "webp") return requested;
    throw Error(ErrorKind::InvalidInput, "Replicate cannot produce output format \"" +
                                             (is_valid_utf8(requested) ? requested : "?") +
                                             "\" (jpeg, png or webp)");
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

} // namespace

int prefer_wait_seconds(const ProviderConfig &config) {
    return int_option(config, "prefer_wait", 0, 60, 60);
}

int cancel_after_seconds(const ProviderConfig &config) {
    const int n = int_option(config, "cancel_after", 0, 86400, 0);
    return n == 0 ? 0 : std::max(n, 5); // Replicate's minimum
}

std::string build_create_body(const ProviderConfig &config, const ImageRequest &request) {
    if (request.reference.empty()) throw Error(ErrorKind::InvalidInput, "no reference image to edit");
    const std::string mime = request.reference_mime.empty() ? "image/jpeg" : request.reference_mime;
    if (!is_valid_utf8(mime))
        throw Error(ErrorKind::InvalidInput, "the reference image type is not valid UTF-8");
    json_t *input = json::object();
    json::Ptr body(json::object());
    json::set(body.get(), "input", input);
    if (!json::set(input, "prompt", json::string(request.prompt)))
        throw Error(ErrorKind::InvalidText, "the prompt is not valid UTF-8");
    const std::string image_key = config.option("image_input", "image");
    if (!name_part(image_key)) throw Error(ErrorKind::InvalidInput, "invalid Replicate option image_input");
    const std::string placeholder = json::verbatim_placeholder(); // the reference as a data URI
    json::set(input, image_key.c_str(), json::string(placeholder));
    if (request.strength) json::set(input, "prompt_strength", json_real(*request.strength));
    if (request.steps) json::set(input, "num_inference_steps", json_integer(*request.steps));
    if (request.guidance) json::set(input, "guidance", json_real(*request.guidance));
    if (request.seed) json::set(input, "seed", json_integer(*request.seed));
    if (!request.aspect_ratio.empty() &&
        !json::set(input, "aspect_ratio", json::string(request.aspect_ratio)))
        throw Error(ErrorKind::InvalidInput, "the aspect ratio is not valid UTF-8");
    json::set(input, "output_format", json::string(output_format(request.output_format)));
    if (const int n = int_option(config, "num_outputs", 1, 4, 0); n > 0)
        json::set(input, "num_outputs", json_integer(n));
    return json::dump_with_verbatim(body.get(), placeholder, reference_data_uri(request));
}

std::string reference_data_uri(const ImageRequest &request) {
    return make_data_uri(request.reference_mime.empty() ? "image/jpeg" : request.reference_mime,
                         request.reference);
}

HttpRequest create_request(const ProviderConfig &config, std::string body) {
    if (!valid_model_id(config.model))
        throw Error(ErrorKind::InvalidInput, "invalid Replicate model id \"" + config.model + "\"",
                    "A model id looks like black-forest-labs/flux-dev.");
    const int wait = prefer_wait_seconds(config);
    HttpRequest req = api_request(config, HttpMethod::Post,
                                  join_url(config.base_url, "/v1/models/" + config.model + "/predictions"));
    if (wait > 0) req.headers.emplace_back("Prefer", "wait=" + std::to_string(wait));
    // An orphan (a create whose answer was lost and never reconciled) stops by itself.
    if (const int after = cancel_after_seconds(config); after > 0)
        req.headers.emplace_back("Cancel-After", std::to_string(after) + "s");
    req.limits.fresh_connection = true; // libcurl must never re-send it on its own
    if (wait > 0)
        req.limits.total_timeout_ms = std::max<std::int64_t>(config.request_timeout_ms, (wait + 10) * 1000LL);
    req.body = std::move(body);
    return req;
}

HttpRequest api_request(const ProviderConfig &config, HttpMethod method, const std::string &url) {
    return json_api_request(config, method, url, "Bearer " + config.api_key, "replicate");
}

Status parse_status(std::string_view s) {
    if (s == "starting") return Status::Starting;
    if (s == "processing") return Status::Processing;
    if (s == "succeeded") return Status::Succeeded;
    if (s == "failed") return Status::Failed;
    if (s == "canceled") return Status::Canceled;
    if (s == "aborted") return Status::Aborted;
    return Status::Unknown;
}

const char *to_string(Status status) {
    switch (status) {
    case Status::Starting:
        return "starting";
    case Status::Processing:
        return "processing";
    case Status::Succeeded:
        return "succeeded";
    case Status::Failed:
        return "failed";
    case Status::Canceled:
        return "canceled";
    case Status::Aborted:
        return "aborted";
    case Status::Unknown:
        break;
    }
    return "unknown";
}

bool is_terminal(Status status) {
    return status == Status::Succeeded || status == Status::Failed || status == Status::Canceled ||
           status == Status::Aborted;
}

std::optional<Prediction> parse_prediction(std::string_view body) {
    const json::LiftedDocument doc = json::LiftedDocument::parse(body); // a data: URI output can be large
    const json_t *root = doc.root();
    if (!json_is_object(root)) return std::nullopt;
    Prediction p;
    p.id = json::get_string(root, {"id"});
    p.status_text = json::get_string(root, {"status"});
    if (p.id.empty() || p.status_text.empty()) return std::nullopt;
    p.status = parse_status(p.status_text);
    p.model = json::get_string(root, {"model"});
    p.get_url = json::get_string(root, {"urls", "get"});
    p.cancel_url = json::get_string(root, {"urls", "cancel"});
    const json_t *output = json::at(root, {"output"});
    p.output_null = output == nullptr || json_is_null(output);
    if (json_is_string(output)) {
        p.outputs.push_back(doc.get_string(output, {}));
    } else if (json_is_array(output)) {
        for (std::size_t i = 0; i < json_array_size(output); ++i)
            if (const json_t *item = json_array_get(output, i); json_is_string(item))
                p.outputs.push_back(doc.get_string(item, {}));
    }
    p.data_removed = json::get_bool(root, {"data_removed"});
    p.error = doc.get_string(root, {"error"});
    if (const json_t *t = json::at(root, {"metrics", "predict_time"}); json_is_number(t))
        p.predict_time = json_number_value(t);
    return p;
}

std::string encode_ticket(const ResumeTicket &ticket) {
    json::Ptr obj(json::object());
    json::set(obj.get(), "replicate_prediction", json::string(ticket.id));
    json::set(obj.get(), "get_url", json::string(ticket.get_url));
    json::set(obj.get(), "cancel_url", json::string(ticket.cancel_url));
    json::set(obj.get(), "created_at", json_integer(ticket.created_at));
    return json::dump(obj.get());
}

std::optional<ResumeTicket> decode_ticket(std::string_view token) {
    const json::Ptr root = json::parse(token);
    ResumeTicket t;
    t.id = json::get_string(root.get(), {"replicate_prediction"});
    t.get_url = json::get_string(root.get(), {"get_url"});
    t.cancel_url = json::get_string(root.get(), {"cancel_url"});
    t.created_at = json::get_int(root.get(), {"created_at"});
    if (t.id.empty() || t.get_url.empty()) return std::nullopt;
    return t;
}

bool never_sent(const HttpResponse &response) {
    switch (response.transport_error) {
    case TransportError::BadRequest: // refused before any connection
        return true;
    case TransportError::Connect:
    case TransportError::Timeout: {
        // libcurl's own words for the stages before a request is written (7.88 and 8.x).
        const std::string &e = response.error;
        return starts_with(e, "Could not resolve host") || starts_with(e, "Couldn't resolve host") ||
               starts_with(e, "Resolving timed out") || starts_with(e, "Failed to connect to") ||
               starts_with(e, "Connection timed out after") || starts_with(e, "Connection refused");
    }
    default:
        return false;
    }
}

std::string error_message(const HttpResponse &response, const Redactor &redactor) {
    const json::Ptr root = json::parse(response.body);
    if (!json_is_object(root.get())) return redactor.excerpt(response.body, 300);
    const std::string title = json::get_string(root.get(), {"title"});
    std::string detail = json::get_string(root.get(), {"detail"});
    while (!detail.empty() && std::isspace(static_cast<unsigned char>(detail.back())))
        detail.pop_back();
    std::string message = title;
    if (!detail.empty()) message += (message.empty() ? "" : ": ") + detail;
    const json_t *fields = json::at(root.get(), {"invalid_fields"});
    for (std::size_t i = 0; json_is_array(fields) && i < json_array_size(fields) && i < 5; ++i) {
        const json_t *f = json_array_get(fields, i);
        const std::string field = json::get_string(f, {"field"});
        const std::string description = json::get_string(f, {"description"});
        if (description.empty() || detail.find(description) != std::string::npos) continue;
        message += (message.empty() ? "" : "; ") + (field.empty() ? description : field + ": " + description);
    }
    if (message.empty()) message = response.body;
    return redactor.excerpt(message, 1000);
}

Outcome error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor) {
    Outcome out = http_failure(response, what, error_message(response, redactor));
    if (response.status == 401 || response.status == 403)
        out.message += " (check the Replicate API token: rolloy.set_provider_key('replicate', ...))";
    else if (response.status == 402)
        out.message += " (the Replicate account has no credit left)";
    return out;
}

} // namespace rolloy::providers::replicate
