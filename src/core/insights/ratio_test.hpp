// The effect test of the insights: is a group's ratio of sums (CTR = clicks/impressions, ROAS =
// conversion value/spend) different from the rest's, with the units (creatives; days for
// fatigue) as the independent observations? docs/insights.md explains it; in short:
//
//     R, v          each side's ratio of sums and jackknife variance (jackknife.hpp)
//     t             = (R_group − R_rest) / √(v_group + v_rest)                       (Welch)
//     df            = min(Welch–Satterthwaite df from the variances seen,
//                         the same formula with the variances the unit sizes predict)
//                     each side counting its effective units, d = effective_df
//     confidence    = 1 − two-sided p = 2·F_t(|t|; df) − 1
//
// The classic Welch test counts each side as m − 1 degrees of freedom and weighs the sides by
// the variances seen. With creatives of very different sizes and few of them, that called
// about 7 % of no-difference comparisons "better"/"worse" at 0.95 with 5 to 10 creatives a
// side, and about 12 % for 4 creatives against 200 (test/unit/insights_calibration_test.cpp).
// Counting effective units, and not letting a side that looks calm by chance earn many degrees
// of freedom, keeps that at or below 5 %.
//
// Not testable: a side with fewer than 2 units, or a side whose units all have the same ratio
// (no spread: v = 0 says nothing about chance, e.g. three creatives with no conversion at all).
#pragma once
#include "core/common/core_only.hpp"

#include "core/insights/jackknife.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace rolloy::insights {

// Findings where a side has fewer units than this are labelled "few creatives": there the
// verdict rests on few effective degrees of freedom and on the assumption that creatives
// vary bell-shaped, which so few cannot show (docs/insights.md).
inline constexpr std::size_t kFewUnits = 10;

// (v1 + v2)² / (v1²/df1 + v2²/df2), the Welch–Satterthwaite degrees of freedom of v1 + v2 when
// v1 and v2 are independent variance estimates with df1 and df2 degrees of freedom.
// Throws Error(InvalidInput) unless v1, v2 >= 0 with v1 + v2 > 0 and df1, df2 > 0.
double welch_satterthwaite_df(double v1, double df1, double v2, double df2);

enum class RatioTestStatus {
    Tested,
    TooFewUnits, // a side has fewer than 2 units
    NoSpread,    // a side's units all have the same ratio
};

struct WelchTest {
    double difference = 0;         // R_group − R_rest
    double std_error = 0;          // √(v_group + v_rest) > 0
    double t_statistic = 0;        // difference / std_error
    double degrees_of_freedom = 0; // >= 1
    double p_value = 1;            // two-sided
    double confidence = 0;         // 1 − p_value
};

struct RatioTestResult {
    RatioTestStatus status = RatioTestStatus::TooFewUnits;
    SideEstimate group, rest;
    bool few_units = true;         // a side has fewer than kFewUnits units
    std::optional<WelchTest> test; // set exactly when status is Tested
};

RatioTestResult ratio_test(const SideEstimate &group, const SideEstimate &rest);
// The same from the units; throws as estimate_side does.
RatioTestResult ratio_test(const std::vector<RatioUnit> &group, const std::vector<RatioUnit> &rest);

} // namespace rolloy::insights
