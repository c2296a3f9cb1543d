// One side of the ratio test: R, the delete-one jackknife variance, and the design figures
// (variance_factor, effective_df). The design figures are checked against a brute-force
// computation from their definition: R₋ᵢ = Σ_{j≠i} n_j r_j / (N − n_i) is linear in the unit
// ratios r, so the centred jackknife terms are L·r with L_ij = ∂R₋ᵢ/∂r_j − mean over i; for
// r_i = μ + σ ε_i, E[v]/σ² = (m−1)/m · ‖L‖²_F and the Satterthwaite df is ‖L‖⁴_F / ‖L'L‖²_F.
#include "core/insights/jackknife.hpp"

#include "core/common/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace rolloy::insights {
namespace {

struct BruteForce {
    double variance_factor, effective_df;
};

BruteForce brute_force(const std::vector<double> &sizes) {
    const std::size_t m = sizes.size();
    double total = 0;
    for (double n : sizes)
        total += n;
    std::vector<std::vector<double>> l(m, std::vector<double>(m, 0.0));
    for (std::size_t i = 0; i < m; ++i) {
        double without = 0; // N − n_i, summed so that a dominant unit loses nothing
        for (std::size_t j = 0; j < m; ++j)
            if (j != i) without += sizes[j];
        for (std::size_t j = 0; j < m; ++j)
            l[i][j] = j == i ? 0 : sizes[j] / without;
    }
    for (std::size_t j = 0; j < m; ++j) {
        double mean = 0;
        for (std::size_t i = 0; i < m; ++i)
            mean += l[i][j] / m;
        for (std::size_t i = 0; i < m; ++i)
            l[i][j] -= mean;
    }
    double frobenius = 0, gram_frobenius = 0;
    for (std::size_t j = 0; j < m; ++j) {
        for (std::size_t k = 0; k < m; ++k) {
            double dot = 0; // (L'L)_jk
            for (std::size_t i = 0; i < m; ++i)
                dot += l[i][j] * l[i][k];
            gram_frobenius += dot * dot;
            if (j == k) frobenius += dot;
        }
    }
    const double f = (m - 1.0) / m;
    return {f * frobenius, frobenius * frobenius / gram_frobenius};
}

std::vector<RatioUnit> units_of_sizes(const std::vector<double> &sizes) {
    std::vector<RatioUnit> units;
    for (double n : sizes)
        units.push_back({0.01 * n, n});
    return units;
}

TEST(InsightsJackknife, WorkedExample) {
    // k/n = 1/10, 2/10, 6/20: R = 9/40; R₋ᵢ = 16/60, 14/60, 9/60 with mean 13/60;
    // v = 2/3 · (3² + 1² + 4²)/60² = 13/2700.
    const SideEstimate side = estimate_side({{1, 10}, {2, 10}, {6, 20}});
    EXPECT_EQ(side.units, 3u);
    EXPECT_EQ(side.numerator, 9);
    EXPECT_EQ(side.denominator, 40);
    EXPECT_DOUBLE_EQ(side.ratio, 0.225);
    EXPECT_NEAR(side.variance, 13.0 / 2700, 1e-17);
    EXPECT_FALSE(side.no_spread);
}

TEST(InsightsJackknife, EqualSizesGiveTheTextbookFigures) {
    for (std::size_t m : {2u, 3u, 5u, 30u, 1000u}) {
        const SideEstimate side = estimate_side(units_of_sizes(std::vector<double>(m, 4321.0)));
        EXPECT_NEAR(side.effective_df, m - 1.0, 1e-9 * m) << m;
        EXPECT_NEAR(side.variance_factor * m, 1, 1e-12) << m;
    }
}

TEST(InsightsJackknife, DesignFiguresMatchBruteForce) {
    std::mt19937_64 rng(20260513);
    std::uniform_real_distribution<double> log_size(std::log(1000.0), std::log(100000.0));
    for (int round = 0; round < 200; ++round) {
        std::vector<double> sizes(2 + round % 40);
        for (double &n : sizes)
            n = std::round(std::exp(log_size(rng)));
        const SideEstimate side = estimate_side(units_of_sizes(sizes));
        const BruteForce expected = brute_force(sizes);
        EXPECT_NEAR(side.variance_factor / expected.variance_factor, 1, 1e-10) << round;
        EXPECT_NEAR(side.effective_df / expected.effective_df, 1, 1e-10) << round;
    }
}

TEST(InsightsJackknife, DominantUnitStaysAccurate) {
    const std::vector<std::vector<double>> cases = {
        {1e9, 1, 2, 3},         {1e12, 5}, {2e11, 1000, 1000, 1000, 1000, 50000, 3}, {7, 1e14, 9, 11, 13},
        {0.01, 0.02, 5e7, 0.5}, // spend in dollars
    };
    for (const auto &sizes : cases) {
        const SideEstimate side = estimate_side(units_of_sizes(sizes));
        const BruteForce expected = brute_force(sizes);
        EXPECT_NEAR(side.variance_factor / expected.variance_factor, 1, 1e-8) << sizes.size();
        EXPECT_NEAR(side.effective_df / expected.effective_df, 1, 1e-8) << sizes.size();
        EXPECT_GE(side.effective_df, 1);
        EXPECT_LT(side.effective_df, 1.01); // one unit holds the evidence
    }
}

TEST(InsightsJackknife, ConcentrationLowersTheEffectiveDf) {
    // Ten creatives, one with 90 % of the impressions: about one creative's worth.
    std::vector<double> sizes(9, 1000);
    sizes.push_back(81000);
    const SideEstimate side = estimate_side(units_of_sizes(sizes));
    EXPECT_LT(side.effective_df, 2);
    EXPECT_NEAR(side.effective_df, brute_force(sizes).effective_df, 1e-9);
}

TEST(InsightsJackknife, ScaleInvariance) {
    const std::vector<RatioUnit> units = {{12, 1500}, {40, 2200}, {3, 900}, {95, 7000}};
    std::vector<RatioUnit> scaled;
    for (const RatioUnit &u : units)
        scaled.push_back({u.numerator * 3, u.denominator * 1000});
    const SideEstimate a = estimate_side(units), b = estimate_side(scaled);
    EXPECT_NEAR(b.ratio, a.ratio * 3 / 1000, 1e-18);
    EXPECT_NEAR(b.variance / a.variance, 9e-6, 1e-16);
    EXPECT_NEAR(b.effective_df, a.effective_df, 1e-12);
    EXPECT_NEAR(b.variance_factor, a.variance_factor, 1e-15);
}

TEST(InsightsJackknife, NoSpread) {
    EXPECT_TRUE(estimate_side({{0, 1000}, {0, 25000}, {0, 3000}}).no_spread);  // not one click
    EXPECT_TRUE(estimate_side({{1, 10}, {2, 20}, {30, 300}}).no_spread);       // all 10 %
    EXPECT_FALSE(estimate_side({{0, 1000}, {1, 25000}, {0, 3000}}).no_spread); // one click
    const SideEstimate same = estimate_side({{1, 3}, {2, 6}, {5, 15}});        // 1/3 each
    EXPECT_TRUE(same.no_spread);
}

TEST(InsightsJackknife, SingleUnit) {
    const SideEstimate side = estimate_side({{7, 350}});
    EXPECT_EQ(side.units, 1u);
    EXPECT_DOUBLE_EQ(side.ratio, 0.02);
    EXPECT_EQ(side.variance, 0);
    EXPECT_TRUE(side.no_spread);
    EXPECT_EQ(side.effective_df, 0);
    EXPECT_EQ(side.variance_factor, 0);
}

TEST(InsightsJackknife, TwoUnitsHaveOneDegreeOfFreedom) {
    const SideEstimate side = estimate_side({{10, 1000}, {90, 4000}});
    EXPECT_NEAR(side.effective_df, 1, 1e-12);
    // R₋₁ = 90/4000, R₋₂ = 10/1000: v = 1/2 · 2 · ((0.0225 − 0.01)/2)² = 0.00125²·... = 3.90625e-5
    EXPECT_NEAR(side.variance, 0.5 * 2 * std::pow((0.0225 - 0.01) / 2, 2), 1e-18);
}

TEST(InsightsJackknife, RejectsBadUnits) {
    const double nan = std::numeric_limits<double>::quiet_NaN(),
                 inf = std::numeric_limits<double>::infinity();
    const std::vector<std::vector<RatioUnit>> bad = {
        {}, {{1, 0}}, {{1, 10}, {1, -5}}, {{nan, 10}}, {{1, inf}}, {{inf, 10}}, {{1, nan}},
    };
    for (const auto &units : bad) {
        try {
            estimate_side(units);
            ADD_FAILURE() << units.size();
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        }
    }
    try {
        estimate_side({{1, 10}, {1, 0}});
    } catch (const Error &e) {
        EXPECT_STREQ(e.what(), "a unit's denominator must be a finite number > 0, got 0");
    }
}

} // namespace
} // namespace rolloy::insights
