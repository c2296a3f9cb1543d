// When (and whether) to try a failed call again: exponential backoff with full jitter, unless
// the server named a delay, which wins (capped). Permanent failures are never retried.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/outcome.hpp"

#include <cstdint>
#include <string>

namespace rolloy::providers {

struct RetryOptions {
    std::int64_t base_delay_ms = 1'000;         // ceiling of the first backoff
    std::int64_t max_delay_ms = 60'000;         // ceiling of any backoff
    int max_attempts = 5;                       // attempts in total, the first one included
    std::int64_t max_server_delay_ms = 600'000; // a longer Retry-After/RetryInfo is cut to this
};

struct RetryDecision {
    bool retry = false;
    std::int64_t delay_ms = 0; // wait this long before the next attempt (when retry)
    bool server_delay = false; // delay_ms came from the server, not from backoff
    std::string reason;        // for logs: why (not) retrying
};

class RetryPolicy {
  public:
    // Throws rolloy::Error(InvalidInput) for negative delays, max < base, or max_attempts < 1.
    explicit RetryPolicy(RetryOptions options = {});

    const RetryOptions &options() const { return options_; }

    // Full-jitter backoff after `attempts_made` (>= 1) failed attempts: uniform in
    // [0, min(max_delay, base * 2^(attempts_made-1))], picked by unit_random in [0, 1).
    std::int64_t backoff_ms(int attempts_made, double unit_random) const;

    // The decision after an outcome of attempt number `attempts_made` (>= 1). Success and
    // Permanent: no retry. Transient: retry while attempts_made < max_attempts, after the
    // server's delay (capped at max_server_delay_ms) or else after backoff_ms().
    // An aborted outcome (Outcome::aborted) is the caller's business: do not count it.
    RetryDecision decide(const Outcome &outcome, int attempts_made, double unit_random) const;
    // Same, with a thread-local random generator.
    RetryDecision decide(const Outcome &outcome, int attempts_made) const;

  private:
    RetryOptions options_;
};

} // namespace rolloy::providers
