// The distributions behind the insights' confidence scores and ranking bounds: Student's t
// (for the Welch test of effects and fatigue, see ratio_test.hpp) and the Wilson score interval
// of a proportion (for ranking creatives by CTR).
//
// Student's t comes from Boost.Math (boost::math::students_t; libboost-math-dev, header-only),
// not from our own code. Boost reports its errors through an error policy chosen in
// statistics.cpp that never throws across this API: inputs are checked here first and fail
// with rolloy::Error (ErrorKind::InvalidInput), so the Postgres glue maps them to SQLSTATE
// 22023 like every other bad argument.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>

namespace rolloy::insights {

// P(T <= t) for Student's t with df degrees of freedom. df may be fractional (Welch's is) and
// below 1; df = +infinity is the standard normal. t may be +-infinity (gives 1 or 0).
// Throws Error(InvalidInput) when df <= 0 or either argument is NaN.
double student_t_cdf(double t, double df);

// Two-sided p-value P(|T| >= |t|), computed from the upper tail directly (accurate far into
// the tail: 5.6e-13 for t = 12, df = 30). Same argument checks as student_t_cdf.
double two_sided_p_value(double t, double df);

// The confidence score of a two-sided test: 1 - two_sided_p_value(t, df), in [0, 1]; 0 at t = 0.
double two_sided_confidence(double t, double df);

// Bounds of the Wilson score interval of a proportion: successes of trials (clicks of
// impressions), z the normal quantile (1.96 for 95 %). Both bounds lie in [0, 1]; the lower
// bound is exactly 0 when successes = 0 and the upper bound exactly 1 when successes = trials.
// nullopt when trials = 0 (SQL NULL: no data). Counts need not be whole numbers.
// Throws Error(InvalidInput) for negative or non-finite counts, successes > trials, or z not a
// finite positive number.
std::optional<double> wilson_lower_bound(double successes, double trials, double z);
std::optional<double> wilson_upper_bound(double successes, double trials, double z);

} // namespace rolloy::insights
