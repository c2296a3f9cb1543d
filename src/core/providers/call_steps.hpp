// Pieces shared by the providers whose call is several HTTP exchanges (fal's queue, Replicate's
// predictions): their authorised JSON requests, retrying one step (a poll, a result fetch, a
// download) inside the call, and downloading a generated file from a CDN.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/provider.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rolloy::providers {

// How often and after how long a failed step is tried again within one call: up to option
// "step_retries" (default 5) transient failures per step, after poll_interval_ms (at least
// 100 ms) doubling up to 30 s, or the server's Retry-After when longer (up to 2 min).
class StepRetry {
  public:
    explicit StepRetry(const ProviderConfig &config);

    // The delay before sending the step again, counting the failure; nullopt when it is not
    // Transient, is an abort, or the step has used up its retries.
    std::optional<std::int64_t> next_delay(const Outcome &failure);
    // The step succeeded: the next step starts with a full budget.
    void reset() { failures_ = 0; }

  private:
    std::int64_t first_delay_ms_;
    int retries_;
    int failures_ = 0;
};

// A JSON request to the provider's API with its key (`authorization`, e.g. "Key <key>"): the
// pool is config.pool or `default_pool`, limits from config (max_response_bytes for a body).
HttpRequest json_api_request(const ProviderConfig &config, HttpMethod method, const std::string &url,
                             std::string authorization, std::string_view default_pool);

// A GET of a generated file on a CDN: no key, redirects followed, at most max_image_bytes.
HttpRequest file_download_request(const ProviderConfig &config, const std::string &url,
                                  std::string_view default_pool);

} // namespace rolloy::providers
