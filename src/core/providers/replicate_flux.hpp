// Image-to-image with Flux on Replicate (black-forest-labs/flux-dev by default; the pro models
// answer with a single URL and take the reference under option image_input). One call is a
// ProviderCall state machine:
//
//   create   POST {base}/v1/models/{owner}/{name}/predictions, Prefer: wait=N: the answer is
//            the prediction, finished if the model was done within N seconds;
//   poll     GET urls.get every poll_interval_ms until succeeded/failed/canceled/aborted;
//   download the first output URL (replicate.delivery), without the key, at most
//            max_image_bytes; a data: URI needs no download.
//
// Replicate has no idempotency key: every create that reaches it may create (and bill) a
// prediction. So a create is sent once per call and never again by this call, and:
//   - as soon as the prediction id is known, resume_token() names it (id, urls.get,
//     urls.cancel, when it was learnt); every Transient outcome after that carries the token,
//     and a call given it (ImageRequest::resume_token) polls that prediction instead of
//     creating one. A token whose URLs are not on the origin of base_url is refused
//     (Permanent "untrusted_url"): it would receive the key, and creating anew could bill twice.
//     A token of another provider is ignored (the call creates).
//   - before the create leaves, resume_token() names it as a "pending create" (model, when it
//     was sent, seed, prompt hash; replicate_reconcile.hpp): the runner reports it before the
//     request is sent and the worker books it, so a create stopped in flight (worker shutdown,
//     job deadline, kill -9) hands the next attempt something to look for.
//   - a create that may have reached Replicate but gave no usable answer (a timeout, a dropped
//     connection, a 5xx, a 2xx without a prediction id), and a call started with a pending
//     create, reconcile: GET /v1/predictions?created_after=... (cursor pages) for the
//     prediction with our model, seed and prompt made since the create was sent. Found: it is
//     polled by its id. Not listed once the create can no longer arrive (its timeout plus the
//     option reconcile_grace after it was sent, or after its transfer ended): Transient
//     "create_lost" without a token, nothing was created, the next attempt creates. Not listed
//     yet: listed again then. The list refusing us (401/403/4xx), more than 2000 predictions to
//     look through, or a next page off the API origin: Permanent "outcome_unknown", a person
//     decides after looking at replicate.com/predictions. Only transfers that failed before
//     the request left (never_sent(): DNS, refused connection, connect timeout) and a 429 are
//     plainly Transient: nothing was created.
//   - every create carries Cancel-After (option cancel_after): a prediction whose create was
//     never reconciled stops by itself.
//
// Other answers: 401/403 permanent (the token); 402 (credit), 422 (input) and other 4xx
// permanent with Replicate's `detail` (redacted); a failed prediction is permanent with its
// `error` ("content_flagged" when the safety checker refused every image), "aborted" (never
// ran) transient; a succeeded prediction with an empty output array is "content_flagged" (flux
// drops the images its safety checker refuses, so a shorter array just means fewer images);
// outputs that are gone (data_removed, null, or a 4xx download more than an hour after the
// prediction was made) are "output_expired". Polls and downloads retry transient failures
// inside the call like fal's steps (step_retries, doubling from poll_interval_ms up to 30 s, or
// the server's Retry-After), then end Transient with the resume token.
//
// The key goes only to the origin of base_url: urls.get/urls.cancel elsewhere are refused and
// an output URL elsewhere is fetched without it (redirects followed).
//
// Options (ProviderConfig::options):
//   prefer_wait      seconds of Prefer: wait, 0-60 (default 60); 0 sends no Prefer header
//   cancel_after     seconds of Cancel-After, 0-86400 (default 0: none; the worker sends its
//                    GUC, 900); 1-4 are sent as 5, Replicate's minimum
//   num_outputs      1-4, sent when set (flux-dev; billed per image; the first one is kept)
//   image_input      the input field of the reference (default "image")
//   reconcile_grace  seconds a create's prediction may take to be listed after the create's
//                    transfer ended (default 30)
//   step_retries     transient failures tolerated per poll/download/list step (default 5)
// Per-model values (num_outputs 1 for flux-dev, image_input "input_image" for
// flux-kontext-pro) come from the registry's model options (registry.cpp).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"

namespace rolloy::providers::replicate {

const ImageProvider &image_provider(); // name "replicate"

} // namespace rolloy::providers::replicate
