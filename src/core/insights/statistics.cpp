#include "core/insights/statistics.hpp"

#include "core/insights/invalid_input.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>

namespace rolloy::insights {
namespace {

// Boost.Math's default policy throws its own exceptions (std::domain_error, ...). Ours makes
// every error return a value instead (NaN, or the limit), never throw: the arguments are
// checked before Boost sees them, and a NaN that still comes back is reported as our bug.
using BoostPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::denorm_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::rounding_error<boost::math::policies::ignore_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::ignore_error>>;

using StudentsT = boost::math::students_t_distribution<double, BoostPolicy>;

StudentsT checked_students_t(double t, double df) {
    if (std::isnan(t)) throw_invalid_input("the t statistic must be a number", t);
    if (!(df > 0)) throw_invalid_input("degrees of freedom must be positive", df);
    return StudentsT(df);
}

double checked_result(double value) {
    if (std::isnan(value)) throw Error(ErrorKind::Internal, "Student's t distribution gave no value");
    return value;
}

void check_counts(double successes, double trials, double z) {
    if (!std::isfinite(trials) || trials < 0)
        throw_invalid_input("trials must be a finite count >= 0", trials);
    if (!std::isfinite(successes) || successes < 0)
        throw_invalid_input("successes must be a finite count >= 0", successes);
    if (successes > trials)
        throw_invalid_input("successes must not exceed trials (" + number_text(trials) + ")", successes);
    if (!std::isfinite(z) || !(z > 0)) throw_invalid_input("z must be a finite number > 0", z);
}

// The Wilson bounds are the two roots p of (phat - p)^2 = z^2 p (1 - p) / n. Written so that
// nothing cancels: the upper root as centre + half-width (both positive) and the lower one
// from the product of the roots, phat^2 / (1 + z^2/n). phat = k/n, qhat = (n - k)/n.
double upper_root(double phat, double qhat, double n, double z) {
    const double a = z * z / n;
    return (phat + a / 2 + z * std::sqrt(phat * qhat / n + a / (4 * n))) / (1 + a);
}

double lower_root(double phat, double qhat, double n, double z) {
    if (phat == 0) return 0;
    return phat * phat / ((1 + z * z / n) * upper_root(phat, qhat, n, z));
}

} // namespace

double student_t_cdf(double t, double df) {
    const StudentsT dist = checked_students_t(t, df);
    return checked_result(boost::math::cdf(dist, t));
}

double two_sided_p_value(double t, double df) {
    const StudentsT dist = checked_students_t(t, df);
    const double upper_tail = checked_result(boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
    return std::min(1.0, 2 * upper_tail);
}

double two_sided_confidence(double t, double df) {
    return std::clamp(1 - two_sided_p_value(t, df), 0.0, 1.0);
}

std::optional<double> wilson_lower_bound(double successes, double trials, double z) {
    check_counts(successes, trials, z);
    if (trials == 0) return std::nullopt;
    const double phat = successes / trials, qhat = (trials - successes) / trials;
    return std::clamp(lower_root(phat, qhat, trials, z), 0.0, 1.0);
}

std::optional<double> wilson_upper_bound(double successes, double trials, double z) {
    check_counts(successes, trials, z);
    if (trials == 0) return std::nullopt;
    const double phat = successes / trials, qhat = (trials - successes) / trials;
    // Above one half, 1 - (the complement's lower root) is the precise form (exactly 1 at k = n).
    const double upper =
        phat <= 0.5 ? upper_root(phat, qhat, trials, z) : 1 - lower_root(qhat, phat, trials, z);
    return std::clamp(upper, 0.0, 1.0);
}

} // namespace rolloy::insights
