// Student's t and Wilson bounds against values computed without Boost:
//   - closed forms of the t CDF for 1, 2 and 4 degrees of freedom;
//   - a Simpson rule over the t density (std::lgamma, std::pow), for fractional df;
//   - published quantiles (t_{0.975,10} = 2.228138851986, t_{0.975,2} = 4.302652729749,
//     z_{0.95} = 1.644853626951);
//   - mpmath 1.3.0 at 40 digits: betainc(ν/2, 1/2, 0, ν/(ν+t²), regularized=True)/2 for tails;
//   - Wilson bounds worked by hand (0 of n: upper = z²/(n + z²)), checked also as the roots of
//     (p̂ − p)² = z² p(1 − p)/n, and mpmath at 40 digits of the score-interval formula.
#include "core/insights/statistics.hpp"

#include "core/common/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace rolloy::insights {
namespace {

const double kPi = std::acos(-1.0);
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// P(0 <= T <= t) by Simpson's rule with 20000 intervals over the density
// Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) · (1 + x²/ν)^(−(ν+1)/2).
double simpson_t_cdf(double t, double nu) {
    const double c = std::exp(std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2)) / std::sqrt(nu * kPi);
    auto density = [&](double x) { return c * std::pow(1 + x * x / nu, -(nu + 1) / 2); };
    const int intervals = 20000;
    const double h = t / intervals;
    double sum = density(0) + density(t);
    for (int i = 1; i < intervals; ++i)
        sum += density(i * h) * (i % 2 ? 4 : 2);
    return 0.5 + sum * h / 3;
}

ErrorKind kind_of(void (*call)()) {
    try {
        call();
    } catch (const Error &e) {
        return e.kind();
    }
    return ErrorKind::Internal;
}

TEST(InsightsStudentT, ClosedFormsForWholeDf) {
    for (double t : {-30.0, -3.0, -1.0, -0.1, 0.25, 1.0, 2.5, 12.0, 400.0}) {
        // ν = 1 (Cauchy): 1/2 + atan(t)/π.
        EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / kPi, 1e-14) << t;
        // ν = 2: 1/2 + t / (2√(2 + t²)).
        EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-14) << t;
        // ν = 4: 1/2 + (3/4)·u·(1 − u²/3) with u = t/√(4 + t²).
        const double u = t / std::sqrt(4 + t * t);
        EXPECT_NEAR(student_t_cdf(t, 4), 0.5 + 0.75 * u * (1 - u * u / 3), 1e-14) << t;
    }
}

TEST(InsightsStudentT, PublishedQuantiles) {
    EXPECT_NEAR(student_t_cdf(2.228138851986, 10), 0.975, 1e-12);
    EXPECT_NEAR(student_t_cdf(4.302652729749, 2), 0.975, 1e-12);
    EXPECT_NEAR(student_t_cdf(-2.228138851986, 10), 0.025, 1e-12);
    EXPECT_NEAR(two_sided_confidence(2.228138851986, 10), 0.95, 1e-12);
    // Huge df is the normal law: z_{0.95} = 1.644853626951.
    EXPECT_NEAR(student_t_cdf(1.644853626951, 1e12), 0.95, 1e-12);
    EXPECT_NEAR(student_t_cdf(1.644853626951, kInf), 0.95, 1e-12);
    EXPECT_NEAR(student_t_cdf(1.96, 1e6), 0.97500196620736510673, 1e-13); // mpmath
}

TEST(InsightsStudentT, FractionalDfAgainstSimpson) {
    for (double nu : {0.25, 0.5, 0.7, 1.5, 2.5, 4.2, 7.3, 33.3}) {
        for (double t : {0.1, 0.75, 1.2, 2.5, 4.0}) {
            EXPECT_NEAR(student_t_cdf(t, nu), simpson_t_cdf(t, nu), 1e-10) << "t " << t << " df " << nu;
            EXPECT_NEAR(student_t_cdf(-t, nu), 1 - simpson_t_cdf(t, nu), 1e-10) << "t " << -t << " df " << nu;
        }
    }
}

TEST(InsightsStudentT, MpmathValues) {
    EXPECT_NEAR(student_t_cdf(-2.5, 0.5), 0.20048526452664659183, 1e-13);
    EXPECT_NEAR(student_t_cdf(0.3, 0.7), 0.58538240681433247115, 1e-13);
    EXPECT_NEAR(student_t_cdf(3, 2.5), 0.96371195222548407805, 1e-13);
    EXPECT_NEAR(student_t_cdf(-4, 7.3), 0.0023811835821635538225, 1e-15);
    EXPECT_NEAR(student_t_cdf(-1.2, 0.25), 0.34135597655405341354, 1e-13);
    EXPECT_NEAR(student_t_cdf(10, 3), 0.99893580047079292497, 1e-13);
}

TEST(InsightsStudentT, TwoSidedTailsKeepRelativePrecision) {
    // mpmath two-sided p-values; relative error 1e-10 even where 1 − p rounds to 1.
    const struct {
        double t, df, p;
    } cases[] = {{50, 1.5, 0.0021324309102888667959},
                 {20, 3, 0.00027320325024731172023},
                 {8.5, 7.6, 0.000038264339994112579725},
                 {-6, 4.2, 0.0033165856604481811142},
                 {12, 30, 5.580185415199256063e-13}};
    for (const auto &c : cases) {
        EXPECT_NEAR(two_sided_p_value(c.t, c.df) / c.p, 1, 1e-10) << c.t << " " << c.df;
        EXPECT_NEAR(two_sided_confidence(c.t, c.df), 1 - c.p, 1e-15) << c.t << " " << c.df;
    }
}

TEST(InsightsStudentT, EdgeCases) {
    for (double nu : {0.1, 1.0, 3.7, 1e9, kInf}) {
        EXPECT_EQ(student_t_cdf(0, nu), 0.5);
        EXPECT_EQ(two_sided_p_value(0, nu), 1);
        EXPECT_EQ(two_sided_confidence(0, nu), 0);
        EXPECT_EQ(student_t_cdf(kInf, nu), 1);
        EXPECT_EQ(student_t_cdf(-kInf, nu), 0);
        EXPECT_EQ(two_sided_confidence(-kInf, nu), 1);
    }
    // Symmetry, and a tiny df: the tails are so heavy that t = 100 is little evidence.
    EXPECT_NEAR(student_t_cdf(-1.7, 5.5) + student_t_cdf(1.7, 5.5), 1, 1e-15);
    EXPECT_LT(two_sided_confidence(100, 0.05), 0.5);
}

TEST(InsightsStudentT, RejectsBadArguments) {
    EXPECT_EQ(kind_of([] { student_t_cdf(1, 0); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { student_t_cdf(1, -3); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { student_t_cdf(1, kNaN); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { student_t_cdf(kNaN, 3); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { two_sided_p_value(2, -kInf); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { two_sided_confidence(kNaN, 1); }), ErrorKind::InvalidInput);
    try {
        student_t_cdf(1.5, -1);
        FAIL();
    } catch (const Error &e) {
        EXPECT_STREQ(e.what(), "degrees of freedom must be positive, got -1");
    }
}

TEST(InsightsWilson, WorkedByHand) {
    // 0 of 10: the lower bound is 0 and the upper bound z²/(n + z²) = 3.8416 / 13.8416.
    EXPECT_EQ(wilson_lower_bound(0, 10, 1.96), 0.0);
    EXPECT_NEAR(*wilson_upper_bound(0, 10, 1.96), 3.8416 / 13.8416, 1e-15);
    // 10 of 10 mirrors it: lower n/(n + z²), upper exactly 1.
    EXPECT_NEAR(*wilson_lower_bound(10, 10, 1.96), 10 / 13.8416, 1e-15);
    EXPECT_EQ(wilson_upper_bound(10, 10, 1.96), 1.0);
    // 5 of 10: centre 1/2, half-width z·√(1/40 + z²/400) / (1 + z²/10) = 0.26341040638451...
    const double half = 1.96 * std::sqrt(1.0 / 40 + 3.8416 / 400) / 1.38416;
    EXPECT_NEAR(*wilson_lower_bound(5, 10, 1.96), 0.5 - half, 1e-15);
    EXPECT_NEAR(*wilson_upper_bound(5, 10, 1.96), 0.5 + half, 1e-15);
    EXPECT_NEAR(*wilson_lower_bound(5, 10, 1.96), 0.23658959361548727144, 1e-15); // mpmath
}

TEST(InsightsWilson, MpmathValues) {
    const struct {
        double k, n, z, lower, upper;
    } cases[] = {
        {200, 10000, 1.96, 0.017434667713366010105, 0.022933984265289869452},
        {2, 10, 1.96, 0.056680947980693336922, 0.50984315327927660875},
        {1, 3, 1.96, 0.061490315276160507555, 0.79234504487351208365},
        {7, 20, 2.5758293035489, 0.14639344137693883851, 0.62833817895268716787},
        {0, 1, 1.96, 0.0, 0.79345670852610707204},
        {1, 1, 1.96, 0.20654329147389292796, 1.0},
        {3, 1000000, 1.96, 1.0202527766968212308e-6, 8.821309415957859467e-6},
        {999999, 1000000, 1.96, 0.99999433494247709791, 0.99999982347996390644},
        {37, 100, 1, 0.32322906495242931885, 0.41934519247331325541},
    };
    for (const auto &c : cases) {
        EXPECT_NEAR(*wilson_lower_bound(c.k, c.n, c.z), c.lower, 1e-15 + 1e-12 * c.lower)
            << c.k << "/" << c.n;
        EXPECT_NEAR(*wilson_upper_bound(c.k, c.n, c.z), c.upper, 1e-15 + 1e-12 * c.upper)
            << c.k << "/" << c.n;
    }
    // The leaderboard's point: at the same CTR the larger sample ranks higher, and 1 click in
    // 10 impressions (10 %) ranks below 300 in 10 000 (3 %).
    EXPECT_LT(*wilson_lower_bound(2, 10, 1.96), *wilson_lower_bound(2000, 10000, 1.96));
    EXPECT_LT(*wilson_lower_bound(1, 10, 1.96), *wilson_lower_bound(300, 10000, 1.96));
}

TEST(InsightsWilson, BoundsAreTheRootsOfTheScoreEquation) {
    for (double n : {1.0, 7.0, 50.0, 1234.0, 1e6, 3.5e9}) {
        for (double share : {0.0, 0.001, 0.2, 0.5, 0.77, 1.0}) {
            const double k = std::round(share * n), z = 1.96, phat = k / n;
            for (double p : {*wilson_lower_bound(k, n, z), *wilson_upper_bound(k, n, z)}) {
                const double gap = (phat - p) * (phat - p) - z * z * p * (1 - p) / n;
                EXPECT_NEAR(gap, 0, 1e-15) << k << "/" << n << " at " << p;
            }
        }
    }
}

TEST(InsightsWilson, NoTrialsIsNull) {
    EXPECT_EQ(wilson_lower_bound(0, 0, 1.96), std::nullopt);
    EXPECT_EQ(wilson_upper_bound(0, 0, 1.96), std::nullopt);
}

TEST(InsightsWilson, RejectsBadArguments) {
    EXPECT_EQ(kind_of([] { wilson_lower_bound(11, 10, 1.96); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_upper_bound(-1, 10, 1.96); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_lower_bound(1, -10, 1.96); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_lower_bound(1, kInf, 1.96); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_upper_bound(kNaN, 10, 1.96); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_upper_bound(1, 10, 0); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_upper_bound(1, 10, kNaN); }), ErrorKind::InvalidInput);
    EXPECT_EQ(kind_of([] { wilson_upper_bound(1, 0, 1.96); }), ErrorKind::InvalidInput);
    try {
        wilson_lower_bound(11, 10, 1.96);
        FAIL();
    } catch (const Error &e) {
        EXPECT_STREQ(e.what(), "successes must not exceed trials (10), got 11");
    }
}

} // namespace
} // namespace rolloy::insights
