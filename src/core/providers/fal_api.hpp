// fal.ai's queue API, piece by piece: the submit body, the queue ticket it returns, status
// polling, the result document, and fal's error bodies (FastAPI "detail" string or list).
// The state machine that strings these together lives in fal_flux.cpp.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rolloy::providers::fal {

// The submit body for an image-to-image model: prompt, image_url (the reference as a data
// URI), strength, num_inference_steps, guidance_scale, seed (when set), num_images 1,
// output_format, enable_safety_checker (option "enable_safety_checker", default true),
// sync_mode false. Throws rolloy::Error(InvalidText/InvalidInput) for a non-UTF-8 prompt or a
// missing reference.
std::string build_submit_body(const ProviderConfig &config, const ImageRequest &request);

// POST {base}/{model}. Throws rolloy::Error(InvalidInput) for a model id outside
// [A-Za-z0-9._/-] or containing "..".
HttpRequest submit_request(const ProviderConfig &config, std::string body);

// An authorised GET (status, result) or PUT (cancel) of a URL the queue handed back.
HttpRequest queue_request(const ProviderConfig &config, HttpMethod method, const std::string &url);

struct QueueTicket {
    std::string request_id;
    std::string status_url;
    std::string response_url;
    std::string cancel_url;
};

// The submit reply; nullopt without status_url or response_url.
std::optional<QueueTicket> parse_ticket(std::string_view body);

// A resume token is the ticket as JSON, so that a later attempt polls instead of paying again.
std::string encode_ticket(const QueueTicket &ticket);
std::optional<QueueTicket> decode_ticket(std::string_view token);

enum class QueueState { InQueue, InProgress, Completed, Unknown };

// From a 200/202 status reply: its "status" field (IN_QUEUE, IN_PROGRESS, COMPLETED).
QueueState parse_status(std::string_view body);

struct ResultImage {
    std::string url; // https URL or a data: URI
    std::string content_type;
    int width = 0;
    int height = 0;
    bool nsfw = false; // has_nsfw_concepts[0]: the safety checker blanked the image
};

// images[0] of a result document; nullopt when there is none.
std::optional<ResultImage> parse_result(std::string_view body);

// The model's or the queue's message from an error body: "detail" (string, or list of
// {loc, msg} joined as "loc: msg; ..."), else "message", else a body excerpt, all excerpted by
// `redactor`; with error_type (body or X-Fal-Error-Type header) appended in brackets.
std::string error_message(const HttpResponse &response, const Redactor &redactor);

// A non-2xx fal response as an Outcome (classify_http_status), except that a 504 with
// X-Fal-Request-Timeout-Type: user is Permanent (the caller's own timeout; fal says never retry).
Outcome error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor);

} // namespace rolloy::providers::fal
