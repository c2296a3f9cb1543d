#include "core/providers/call_steps.hpp"

#include <algorithm>
#include <cstdlib>

namespace rolloy::providers {
namespace {
constexpr std::int64_t kMaxStepDelayMs = 30'000;
} // namespace

StepRetry::StepRetry(const ProviderConfig &config)
    : first_delay_ms_(std::max<std::int64_t>(config.poll_interval_ms, 100)) {
    const std::string retries = config.option("step_retries");
    retries_ = retries.empty() ? 5 : std::max(0, std::atoi(retries.c_str()));
}

std::optional<std::int64_t> StepRetry::next_delay(const Outcome &failure) {
    if (failure.kind != OutcomeKind::Transient || failure.aborted() || failures_ >= retries_)
        return std::nullopt;
    std::int64_t delay = first_delay_ms_;
    for (int i = 0; i < failures_ && delay < kMaxStepDelayMs; ++i)
        delay *= 2;
    delay = std::min(delay, kMaxStepDelayMs);
    if (failure.retry_after_ms)
        delay = std::min(std::max(delay, *failure.retry_after_ms), kMaxStepDelayMs * 4);
    ++failures_;
    return delay;
}

HttpRequest json_api_request(const ProviderConfig &config, HttpMethod method, const std::string &url,
                             std::string authorization, std::string_view default_pool) {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers = {{"Authorization", std::move(authorization)},
                   {"Accept", "application/json"},
                   {"Content-Type", "application/json"}};
    req.pool = config.pool.empty() ? std::string(default_pool) : config.pool;
    req.limits.connect_timeout_ms = config.connect_timeout_ms;
    req.limits.total_timeout_ms = config.request_timeout_ms;
    req.limits.max_response_bytes = config.max_response_bytes;
    return req;
}

HttpRequest file_download_request(const ProviderConfig &config, const std::string &url,
                                  std::string_view default_pool) {
    HttpRequest req;
    req.method = HttpMethod::Get;
    req.url = url;
    req.pool = config.pool.empty() ? std::string(default_pool) : config.pool;
    req.limits.connect_timeout_ms = config.connect_timeout_ms;
    req.limits.total_timeout_ms = config.request_timeout_ms;
    req.limits.max_response_bytes = config.max_image_bytes;
    req.limits.follow_redirects = true;
    return req;
}

} // namespace rolloy::providers
