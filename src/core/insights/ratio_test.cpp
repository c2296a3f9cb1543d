#include "core/insights/ratio_test.hpp"

#include "core/insights/invalid_input.hpp"
#include "core/insights/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace rolloy::insights {

double welch_satterthwaite_df(double v1, double df1, double v2, double df2) {
    if (!(v1 >= 0) || !std::isfinite(v1)) throw_invalid_input("a variance must be a finite number >= 0", v1);
    if (!(v2 >= 0) || !std::isfinite(v2)) throw_invalid_input("a variance must be a finite number >= 0", v2);
    if (!(v1 + v2 > 0)) throw_invalid_input("the variances must not both be 0", v1 + v2);
    if (!(df1 > 0)) throw_invalid_input("degrees of freedom must be positive", df1);
    if (!(df2 > 0)) throw_invalid_input("degrees of freedom must be positive", df2);
    // Scaled by the larger variance so that tiny or huge variances neither underflow nor overflow.
    const double scale = std::max(v1, v2), a = v1 / scale, b = v2 / scale;
    return (a + b) * (a + b) / (a * a / df1 + b * b / df2);
}

RatioTestResult ratio_test(const SideEstimate &group, const SideEstimate &rest) {
    RatioTestResult result;
    result.group = group;
    result.rest = rest;
    result.few_units = std::min(group.units, rest.units) < kFewUnits;
    if (group.units < 2 || rest.units < 2) {
        result.status = RatioTestStatus::TooFewUnits;
        return result;
    }
    if (group.no_spread || rest.no_spread) {
        result.status = RatioTestStatus::NoSpread;
        return result;
    }
    result.status = RatioTestStatus::Tested;
    WelchTest test;
    test.difference = group.ratio - rest.ratio;
    test.std_error = std::sqrt(group.variance + rest.variance);
    test.t_statistic = test.difference / test.std_error;
    const double seen =
        welch_satterthwaite_df(group.variance, group.effective_df, rest.variance, rest.effective_df);
    const double predicted = welch_satterthwaite_df(group.variance_factor, group.effective_df,
                                                    rest.variance_factor, rest.effective_df);
    test.degrees_of_freedom = std::min(seen, predicted);
    test.p_value = two_sided_p_value(test.t_statistic, test.degrees_of_freedom);
    test.confidence = 1 - test.p_value;
    result.test = test;
    return result;
}

RatioTestResult ratio_test(const std::vector<RatioUnit> &group, const std::vector<RatioUnit> &rest) {
    return ratio_test(estimate_side(group), estimate_side(rest));
}

} // namespace rolloy::insights
