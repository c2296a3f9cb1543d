// Image-to-image with Flux on fal.ai through its queue: submit -> poll status_url -> GET
// response_url -> download images[0].url. Each job is a ProviderCall state machine, so the
// JobRunner advances hundreds of them at once over one HttpClient.
//
// The API key goes only to the origin of base_url (queue URLs handed back elsewhere are
// refused); the image download carries no key and may follow redirects.
// Failures while polling, fetching the result or downloading are retried inside the call
// (poll_interval_ms doubling up to 30 s, or the server's Retry-After), up to "step_retries"
// times per step; a call that still fails returns Transient. Failures while polling carry a
// resume token, so the worker's next attempt polls the same fal request instead of paying for
// a new one; a failed result fetch or download does not (the next attempt submits anew).
//
// Options (ProviderConfig::options):
//   enable_safety_checker  "true" (default) / "false"
//   step_retries           transient failures tolerated per step (default 5)
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"

namespace rolloy::providers::fal {

const ImageProvider &image_provider(); // registered as "fal"

} // namespace rolloy::providers::fal
