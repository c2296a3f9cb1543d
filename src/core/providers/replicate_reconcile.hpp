// Finding the prediction a create made when its answer never arrived. Replicate has no
// idempotency key, and a create whose answer is lost (the worker stopped while it was in flight,
// the job's deadline cut it, the connection dropped, a 5xx, a timeout) may still have made a
// prediction that bills. Sending the create again could pay twice; never sending it loses the
// image. So before a create leaves, the call names it in a "pending create" token (booked in the
// ledger like a prediction id), and whoever holds that token later lists the account's recent
// predictions (GET /v1/predictions?created_after=..., newest first, 100 a page, `next` cursor)
// and looks for it:
//   - same model, created at or after the create was sent (minus kClockSlackSeconds for the
//     two clocks), and the same input: `seed` and `prompt` (the list returns each prediction's
//     input [OAS predictions.list]), and the same reference photo when the list shows it as
//     the data: URI we sent (Replicate may show a URL of its own instead: then it cannot be
//     compared). Prompt and photo are kept as SHA-256s, the token stays small. The newest
//     match wins.
//   - found: the prediction is resumed by its id, as if the create had answered.
//   - not found once the create can no longer arrive (settle_at: the create's own timeout plus
//     a grace, after it was sent): nothing was made and nothing bills; a new create is safe.
//   - not found before settle_at: list again later.
// A marker in the request itself would be stronger, but Replicate echoes no field of our
// choosing: the prediction object has no `webhook` (so a webhook URL with the attempt in its
// query is not listed back), and the official models refuse unknown input fields (422
// additional_property_not_allowed). Facts: ../shared/reference/replicate-s3.md §1.8 and the
// OpenAPI description of predictions.list.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/provider.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers::replicate {

// How far Replicate's clock may run behind ours: created_at of our prediction is at least
// sent_at minus this.
constexpr std::int64_t kClockSlackSeconds = 120;
// Pages a reconciliation reads before it gives up (100 predictions each).
constexpr int kMaxListPages = 20;

// A create that left (or may have left) without an answer yet.
struct PendingCreate {
    std::string model;                // owner/name
    std::int64_t sent_at = 0;         // unix seconds, our clock, just before the create left
    std::int64_t settle_at = 0;       // from then on a create that is not listed never arrived
    std::optional<std::int64_t> seed; // input.seed as sent
    std::string prompt_sha256;        // of input.prompt as sent
    std::string image_key;            // the input field of the reference photo
    std::string image_sha256;         // of the reference's data: URI as sent
};

// The pending create of a create request about to leave: settle_at = now + the request's total
// timeout + `grace_seconds`.
PendingCreate pending_create(const ProviderConfig &config, const ImageRequest &request,
                             std::int64_t timeout_ms, std::int64_t grace_seconds);

// {"replicate_create": {"model", "sent_at", "settle_at", "seed", "prompt_sha256", "image_key",
// "image_sha256"}}; decode gives
// nullopt for anything else (a prediction ticket, another provider's token, garbage).
std::string encode_pending(const PendingCreate &pending);
std::optional<PendingCreate> decode_pending(std::string_view token);

// GET {base}/v1/predictions?created_after=<sent_at - slack, ISO 8601 UTC>.
std::string first_list_url(const std::string &base_url, const PendingCreate &pending);

// One prediction of a list page, as much of it as matching needs.
struct ListedPrediction {
    std::string id, model, get_url, cancel_url;
    std::optional<std::int64_t> created_at; // unix seconds
    std::optional<std::int64_t> seed;       // input.seed
    std::string prompt;                     // input.prompt
    std::string image_sha256;               // of input[image_key] when it is a data: URI
};

struct PredictionPage {
    std::vector<ListedPrediction> results; // newest first
    std::string next;                      // cursor URL of the next (older) page, empty at the end
};

// A list answer; nullopt when the body is not one (no `results` array). `image_key` names the
// input field of the reference photo.
std::optional<PredictionPage> parse_page(std::string_view body, const std::string &image_key = "image");

// "2023-09-08T16:19:34.907244Z", "...+00:00": unix seconds; nullopt if not such a time.
std::optional<std::int64_t> parse_iso8601(std::string_view text);
std::string format_iso8601(std::int64_t unix_seconds);

// Whether `p` is the prediction `pending` created (model, created_at, seed, prompt, photo).
bool matches(const PendingCreate &pending, const ListedPrediction &p);
// Whether `p` is older than any prediction `pending` can have made: later pages are older still.
bool before_window(const PendingCreate &pending, const ListedPrediction &p);

} // namespace rolloy::providers::replicate
