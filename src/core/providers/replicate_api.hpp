// Replicate's HTTP API, piece by piece: the create request for an official model (with
// Prefer: wait), the prediction object every endpoint answers with, the resume token that
// names a prediction, and Replicate's RFC 7807 error bodies. The state machine that strings
// these together lives in replicate_flux.cpp. Facts and sources:
// ../shared/reference/replicate-s3.md, Part 1.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers::replicate {

// Predictions' files are deleted this long after creation (data retention of API predictions).
constexpr std::int64_t kOutputLifetimeSeconds = 3600;

// The `input` of a create for an image-to-image model, wrapped as {"input": {...}}:
//   prompt; the reference as a data URI under option "image_input" (default "image", flux-dev;
//   "input_image" for flux-kontext-pro); prompt_strength (strength), num_inference_steps
//   (steps), guidance and seed when the request sets them; aspect_ratio when set;
//   output_format "jpg" (request "jpeg" or empty), "png" or "webp"; num_outputs when the option
//   "num_outputs" (1-4) is set. Throws rolloy::Error(InvalidText/InvalidInput) for a non-UTF-8
//   prompt, a missing reference, an unknown output format or a bad num_outputs.
std::string build_create_body(const ProviderConfig &config, const ImageRequest &request);

// The reference photo as the data: URI the create sends (type image/jpeg when unset).
std::string reference_data_uri(const ImageRequest &request);

// Seconds of `Prefer: wait=N` (option "prefer_wait", default 60, 0 = no header: answer at once
// and poll). Throws rolloy::Error(InvalidInput) outside 0..60 (Replicate's limit).
int prefer_wait_seconds(const ProviderConfig &config);

// Seconds of `Cancel-After` (option "cancel_after", default 0 = none; 1-4 are sent as 5,
// Replicate's minimum): Replicate cancels the prediction that long after it was created, so a
// prediction nobody polls any more cannot run (and bill) for ever. Throws
// rolloy::Error(InvalidInput) outside 0..86400.
int cancel_after_seconds(const ProviderConfig &config);

// POST {base}/v1/models/{owner}/{name}/predictions with the key, Prefer: wait=N, Cancel-After, a total
// timeout of at least N + 10 s (a shorter one would cut every slow create and leave a billed
// prediction behind each time), on a fresh connection (on a reused one that dies, libcurl
// would re-send the create by itself). Throws rolloy::Error(InvalidInput) for a model that is not
// "owner/name" of [A-Za-z0-9._-] (or contains "..").
HttpRequest create_request(const ProviderConfig &config, std::string body);

// An authorised request (GET urls.get, POST urls.cancel) to a URL on the API's origin.
HttpRequest api_request(const ProviderConfig &config, HttpMethod method, const std::string &url);

enum class Status { Starting, Processing, Succeeded, Failed, Canceled, Aborted, Unknown };

Status parse_status(std::string_view status);
const char *to_string(Status status);
// succeeded, failed, canceled, aborted: the prediction will not change any more.
bool is_terminal(Status status);

struct Prediction {
    std::string id;
    Status status = Status::Unknown;
    std::string status_text; // as sent, for messages about an unknown status
    std::string model;       // "owner/name"
    std::string get_url;     // urls.get
    std::string cancel_url;  // urls.cancel
    // `output`: an array of URLs (flux-dev: one per image the safety checker kept) or a single
    // URL string (the pro models); strings only, anything else in the array is skipped.
    std::vector<std::string> outputs;
    bool output_null = true;            // `output` absent or null (not produced yet, or removed)
    bool data_removed = false;          // the files are gone (retention)
    std::string error;                  // `error` of a failed prediction; never `logs`, which may echo input
    std::optional<double> predict_time; // metrics.predict_time, seconds
};

// A prediction object; nullopt when the body is not one (no id or no status).
std::optional<Prediction> parse_prediction(std::string_view body);

// What a later attempt needs to continue a prediction instead of paying for a new one.
struct ResumeTicket {
    std::string id;
    std::string get_url;
    std::string cancel_url;
    std::int64_t created_at = 0; // unix seconds, our clock, when the id became known
};

// {"replicate_prediction": id, "get_url", "cancel_url", "created_at"}. decode_ticket gives
// nullopt for a token that is not one of these (another provider's, garbage).
std::string encode_ticket(const ResumeTicket &ticket);
std::optional<ResumeTicket> decode_ticket(std::string_view token);

// A transfer that failed before the request could reach the server: the host did not resolve,
// the connection was refused or its set-up timed out, the URL was refused. Only then may a
// create be sent again; after anything else the prediction may exist (and be billed).
bool never_sent(const HttpResponse &response);

// The message of an error body (RFC 7807): "title: detail" plus invalid_fields'
// "field: description" (at most 5), else a body excerpt, all through `redactor`.
std::string error_message(const HttpResponse &response, const Redactor &redactor);

// A non-2xx response as an Outcome (classify_http_status and Retry-After via http_failure),
// with a hint for 401/403 (the API token) and 402 (credit).
Outcome error_outcome(const HttpResponse &response, std::string_view what, const Redactor &redactor);

} // namespace rolloy::providers::replicate
