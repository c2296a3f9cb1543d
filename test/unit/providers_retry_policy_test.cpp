#include "core/providers/retry_policy.hpp"

#include "core/common/error.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

Outcome transient(std::optional<std::int64_t> server_delay = std::nullopt) {
    Outcome o = Outcome::failure(OutcomeKind::Transient, "http_503", "busy", 503);
    o.retry_after_ms = server_delay;
    return o;
}

TEST(RetryPolicy, BackoffCeilingDoublesUpToTheCap) {
    const RetryPolicy p({1000, 60000, 10, 600000});
    constexpr double kTop = 0.9999999;
    EXPECT_EQ(p.backoff_ms(1, kTop), 1000);
    EXPECT_EQ(p.backoff_ms(2, kTop), 2000);
    EXPECT_EQ(p.backoff_ms(3, kTop), 4000);
    EXPECT_EQ(p.backoff_ms(6, kTop), 32000);
    EXPECT_EQ(p.backoff_ms(7, kTop), 60000);     // 64000 capped
    EXPECT_EQ(p.backoff_ms(10000, kTop), 60000); // no overflow
    EXPECT_EQ(p.backoff_ms(0, kTop), 1000);      // nonsense attempt counts behave like the first
}

TEST(RetryPolicy, FullJitterSpansZeroToCeiling) {
    const RetryPolicy p({1000, 60000, 10, 600000});
    EXPECT_EQ(p.backoff_ms(3, 0.0), 0);
    EXPECT_EQ(p.backoff_ms(3, 0.5), 2000);
    // Thread-local randomness stays within bounds and actually varies.
    std::int64_t lo = 1 << 30, hi = -1;
    double sum = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto d = p.decide(transient(), 3);
        ASSERT_TRUE(d.retry);
        ASSERT_GE(d.delay_ms, 0);
        ASSERT_LE(d.delay_ms, 4000);
        lo = std::min(lo, d.delay_ms);
        hi = std::max(hi, d.delay_ms);
        sum += static_cast<double>(d.delay_ms);
    }
    EXPECT_LT(lo, 400);
    EXPECT_GT(hi, 3600);
    EXPECT_NEAR(sum / 2000, 2000, 250);
}

TEST(RetryPolicy, NeverRetriesSuccessOrPermanent) {
    const RetryPolicy p;
    Outcome ok;
    ok.kind = OutcomeKind::Success;
    EXPECT_FALSE(p.decide(ok, 1, 0.5).retry);
    const Outcome bad = Outcome::failure(OutcomeKind::Permanent, "http_400", "bad", 400);
    const auto d = p.decide(bad, 1, 0.5);
    EXPECT_FALSE(d.retry);
    EXPECT_NE(d.reason.find("permanent"), std::string::npos);
}

TEST(RetryPolicy, StopsAfterMaxAttempts) {
    const RetryPolicy p({1000, 60000, 3, 600000});
    EXPECT_TRUE(p.decide(transient(), 1, 0.5).retry);
    EXPECT_TRUE(p.decide(transient(), 2, 0.5).retry);
    const auto d = p.decide(transient(), 3, 0.5);
    EXPECT_FALSE(d.retry);
    EXPECT_EQ(d.reason, "gave up after 3 attempts");
}

TEST(RetryPolicy, ServerDelayWinsAndIsCapped) {
    const RetryPolicy p({1000, 60000, 5, 120000});
    auto d = p.decide(transient(36619), 1, 0.0);
    EXPECT_TRUE(d.retry);
    EXPECT_TRUE(d.server_delay);
    EXPECT_EQ(d.delay_ms, 36619); // longer than the first backoff ceiling: the server knows best
    d = p.decide(transient(10 * 3600 * 1000), 1, 0.0);
    EXPECT_EQ(d.delay_ms, 120000);
    d = p.decide(transient(0), 1, 0.9);
    EXPECT_EQ(d.delay_ms, 0);
    EXPECT_TRUE(d.server_delay);
}

TEST(RetryPolicy, RejectsNonsenseOptions) {
    EXPECT_THROW(RetryPolicy({-1, 10, 3, 10}), Error);
    EXPECT_THROW(RetryPolicy({100, 10, 3, 10}), Error);
    EXPECT_THROW(RetryPolicy({1, 10, 0, 10}), Error);
}

} // namespace
} // namespace rolloy::providers
