#include "core/providers/retry_policy.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace rolloy::providers {

RetryPolicy::RetryPolicy(RetryOptions options) : options_(options) {
    if (options_.base_delay_ms < 0 || options_.max_delay_ms < 0 || options_.max_server_delay_ms < 0)
        throw Error(ErrorKind::InvalidInput, "retry delays must not be negative");
    if (options_.max_delay_ms < options_.base_delay_ms)
        throw Error(ErrorKind::InvalidInput, "the maximum retry delay must not be below the base delay");
    if (options_.max_attempts < 1) throw Error(ErrorKind::InvalidInput, "max_attempts must be at least 1");
}

std::int64_t RetryPolicy::backoff_ms(int attempts_made, double unit_random) const {
    const int exponent = std::clamp(attempts_made - 1, 0, 62);
    // base * 2^exponent without overflow: stop doubling once past the cap.
    std::int64_t ceiling = options_.base_delay_ms;
    for (int i = 0; i < exponent && ceiling < options_.max_delay_ms; ++i)
        ceiling *= 2;
    ceiling = std::min(ceiling, options_.max_delay_ms);
    const double u = std::clamp(unit_random, 0.0, 1.0);
    return std::min<std::int64_t>(
        ceiling, static_cast<std::int64_t>(std::floor(u * static_cast<double>(ceiling + 1))));
}

RetryDecision RetryPolicy::decide(const Outcome &outcome, int attempts_made, double unit_random) const {
    RetryDecision d;
    if (outcome.kind == OutcomeKind::Success) {
        d.reason = "succeeded";
        return d;
    }
    if (outcome.kind == OutcomeKind::Permanent) {
        d.reason = "permanent failure: not retried";
        return d;
    }
    if (attempts_made >= options_.max_attempts) {
        d.reason = "gave up after " + std::to_string(attempts_made) + " attempts";
        return d;
    }
    d.retry = true;
    if (outcome.retry_after_ms) {
        d.server_delay = true;
        d.delay_ms = std::clamp<std::int64_t>(*outcome.retry_after_ms, 0, options_.max_server_delay_ms);
        d.reason = "retry in " + std::to_string(d.delay_ms) + " ms as the provider asked";
    } else {
        d.delay_ms = backoff_ms(attempts_made, unit_random);
        d.reason = "retry in " + std::to_string(d.delay_ms) + " ms (backoff)";
    }
    return d;
}

RetryDecision RetryPolicy::decide(const Outcome &outcome, int attempts_made) const {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return decide(outcome, attempts_made, unit(rng));
}

} // namespace rolloy::providers
