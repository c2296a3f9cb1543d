#include "core/providers/retry_after.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

// Wed, 21 Oct 2015 07:28:00 GMT
constexpr std::time_t kDate = 1445412480;

TEST(RetryAfter, ParsesDeltaSeconds) {
    EXPECT_EQ(parse_retry_after_ms("120", kDate), 120000);
    EXPECT_EQ(parse_retry_after_ms("0", kDate), 0);
    EXPECT_EQ(parse_retry_after_ms("  5 ", kDate), 5000);
    EXPECT_EQ(parse_retry_after_ms("1.5", kDate), 1500);
}

TEST(RetryAfter, RejectsGarbage) {
    EXPECT_FALSE(parse_retry_after_ms("", kDate));
    EXPECT_FALSE(parse_retry_after_ms("-1", kDate));
    EXPECT_FALSE(parse_retry_after_ms("12abc", kDate));
    EXPECT_FALSE(parse_retry_after_ms("soon", kDate));
}

TEST(RetryAfter, CapsAbsurdValuesWithoutOverflow) {
    const auto ms = parse_retry_after_ms("99999999999999999999999", kDate);
    ASSERT_TRUE(ms);
    EXPECT_EQ(*ms, 10LL * 24 * 3600 * 1000);
}

TEST(RetryAfter, ParsesImfFixdateRelativeToNow) {
    EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", kDate - 30), 30000);
    EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", kDate + 100), 0); // past: now
}

TEST(RetryAfter, ParsesObsoleteHttpDateForms) {
    EXPECT_EQ(parse_retry_after_ms("Wednesday, 21-Oct-15 07:28:00 GMT", kDate - 2), 2000);
    EXPECT_EQ(parse_retry_after_ms("Wed Oct 21 07:28:00 2015", kDate - 2), 2000);
}

TEST(RetryAfter, ParsesProtobufDurations) {
    EXPECT_EQ(parse_duration_ms("36s"), 36000);
    EXPECT_EQ(parse_duration_ms("36.619s"), 36619);
    EXPECT_EQ(parse_duration_ms("45.837906927s"), 45838);
    EXPECT_EQ(parse_duration_ms("0.5s"), 500);
    EXPECT_FALSE(parse_duration_ms("36"));
    EXPECT_FALSE(parse_duration_ms("s"));
    EXPECT_FALSE(parse_duration_ms("1m"));
    EXPECT_FALSE(parse_duration_ms("-1s"));
}

TEST(RetryAfter, ReadsHeadersCaseInsensitively) {
    HttpResponse r;
    EXPECT_FALSE(retry_after_from_headers(r, kDate));
    r.headers = {{"retry-after", "3"}};
    EXPECT_EQ(retry_after_from_headers(r, kDate), 3000);
    r.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:10 GMT"}};
    EXPECT_EQ(retry_after_from_headers(r, kDate), 10000);
    r.headers = {{"retry-after", "3"}, {"retry-after-ms", "250"}};
    EXPECT_EQ(retry_after_from_headers(r, kDate), 250); // the precise one wins
    r.headers = {{"retry-after", "tomorrow-ish"}};
    EXPECT_FALSE(retry_after_from_headers(r, kDate));
}

} // namespace
} // namespace rolloy::providers
