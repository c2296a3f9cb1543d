#include "core/insights/jackknife.hpp"

#include "core/insights/invalid_input.hpp"

#include <algorithm>
#include <cmath>

namespace rolloy::insights {
namespace {

void check_units(const std::vector<RatioUnit> &units) {
    if (units.empty()) throw Error(ErrorKind::InvalidInput, "a side of a ratio test needs at least one unit");
    for (const RatioUnit &u : units) {
        if (!std::isfinite(u.numerator))
            throw_invalid_input("a unit's numerator must be a finite number", u.numerator);
        if (!std::isfinite(u.denominator) || !(u.denominator > 0))
            throw_invalid_input("a unit's denominator must be a finite number > 0", u.denominator);
    }
}

// The sums of a side, and for each unit the sums without it. The largest unit's are added up
// from the others rather than subtracted from the totals: it may hold nearly all of N.
struct Sums {
    double k = 0, n = 0;
    std::size_t top = 0;
    double k_without_top = 0, n_without_top = 0;

    explicit Sums(const std::vector<RatioUnit> &units) {
        for (std::size_t i = 0; i < units.size(); ++i) {
            k += units[i].numerator;
            n += units[i].denominator;
            if (units[i].denominator > units[top].denominator) top = i;
        }
        for (std::size_t i = 0; i < units.size(); ++i) {
            if (i == top) continue;
            k_without_top += units[i].numerator;
            n_without_top += units[i].denominator;
        }
    }
    double k_without(const std::vector<RatioUnit> &units, std::size_t i) const {
        return i == top ? k_without_top : k - units[i].numerator;
    }
    double n_without(const std::vector<RatioUnit> &units, std::size_t i) const {
        return i == top ? n_without_top : n - units[i].denominator;
    }
};

struct Design {
    double variance_factor = 0;
    double effective_df = 0;
};

// E[v]/σ² and the Satterthwaite df of v under r_i = μ + σ·ε_i (see the header), for m >= 2.
//
// With x_i = n_i/N and b_i = n_i/(N − n_i): R₋ᵢ − R = −b_i·(r_i − R), so the centred jackknife
// terms are G·ε·σ with column j of G equal to x_j·C·t_j, where C centres a vector and t_j is b
// with its j-th entry replaced by −1. Then E[v]/σ² = (m−1)/m · tr(G'G) and the df is
// tr(G'G)² / ‖G'G‖²_F, with (G'G)_jk = x_j x_k E_jk:
//     E_jk = Σ_{i≠j,k} b_i² − b_j − b_k − s_j s_k / m     (j ≠ k),   s_j = Σ_{i≠j} b_i − 1
//     E_jj = Σ_{i≠j} b_i² + 1 − s_j² / m
// ‖G'G‖² is summed in O(m): the largest unit (index top, the only one that can have b > 1)
// term by term, the others through moment sums of α_j = Σb²/2 − b_j² − b_j, since for them
// E_jk = α_j + α_k − s_j s_k / m off the diagonal and E_jj exceeds that by (1 + b_j)².
Design design_of(const std::vector<RatioUnit> &units, const Sums &sums) {
    using Real = long double; // b⁴ of a unit 1e100 times the others' size still fits
    const std::size_t count = units.size(), top = sums.top;
    const Real m = static_cast<Real>(count);
    std::vector<Real> x(count), b(count);
    Real sum_b_rest = 0, sum_b2_rest = 0; // over the units other than top
    for (std::size_t i = 0; i < count; ++i) {
        x[i] = Real(units[i].denominator) / sums.n;
        b[i] = Real(units[i].denominator) / sums.n_without(units, i);
        if (i != top) sum_b_rest += b[i], sum_b2_rest += b[i] * b[i];
    }
    const Real b0 = b[top], x0 = x[top], sum_b2 = sum_b2_rest + b0 * b0;
    auto s = [&](std::size_t j) { return (j == top ? sum_b_rest : sum_b_rest - b[j] + b0) - 1; };
    auto e_diagonal = [&](std::size_t j) {
        return (j == top ? sum_b2_rest : sum_b2_rest - b[j] * b[j] + b0 * b0) + 1 - s(j) * s(j) / m;
    };

    const Real e00 = e_diagonal(top);
    Real trace = x0 * x0 * e00;
    Real frobenius = (x0 * x0 * e00) * (x0 * x0 * e00);
    Real p_total = 0, p_a = 0, p_a2 = 0, p_s = 0, p_s2 = 0, p_as = 0, diagonal_excess = 0;
    for (std::size_t j = 0; j < count; ++j) {
        if (j == top) continue;
        const Real p = x[j] * x[j], sj = s(j), ejj = e_diagonal(j);
        const Real e0j = sum_b2_rest - b[j] * b[j] - b0 - b[j] - s(top) * sj / m;
        const Real alpha = sum_b2 / 2 - b[j] * b[j] - b[j], excess = (1 + b[j]) * (1 + b[j]);
        trace += p * ejj;
        frobenius += 2 * (x0 * x[j] * e0j) * (x0 * x[j] * e0j);
        p_total += p, p_a += p * alpha, p_a2 += p * alpha * alpha;
        p_s += p * sj, p_s2 += p * sj * sj, p_as += p * alpha * sj;
        diagonal_excess += p * p * excess * (2 * ejj - excess); // E_jj² − (E_jj − excess)²
    }
    frobenius +=
        2 * p_total * p_a2 + 2 * p_a * p_a + p_s2 * p_s2 / (m * m) - 4 / m * p_as * p_s + diagonal_excess;

    Design design;
    design.variance_factor = static_cast<double>((m - 1) / m * trace);
    const double df = static_cast<double>(trace * trace / frobenius);
    design.effective_df = df >= 1 ? std::min(df, static_cast<double>(count - 1)) : 1; // also for NaN
    return design;
}

} // namespace

SideEstimate estimate_side(const std::vector<RatioUnit> &units) {
    check_units(units);
    const Sums sums(units);
    SideEstimate side;
    side.units = units.size();
    side.numerator = sums.k;
    side.denominator = sums.n;
    side.ratio = sums.k / sums.n;
    const double first_ratio = units.front().numerator / units.front().denominator;
    side.no_spread = std::all_of(units.begin(), units.end(), [&](const RatioUnit &u) {
        return u.numerator / u.denominator == first_ratio;
    });
    if (units.size() < 2) return side;

    const double m = static_cast<double>(units.size());
    std::vector<double> without(units.size());
    double mean = 0;
    for (std::size_t i = 0; i < units.size(); ++i) {
        without[i] = sums.k_without(units, i) / sums.n_without(units, i);
        mean += without[i] / m;
    }
    double squares = 0;
    for (double r : without)
        squares += (r - mean) * (r - mean);
    side.variance = (m - 1) / m * squares;
    if (side.variance == 0) side.no_spread = true; // ratios that differ by less than rounding

    const Design design = design_of(units, sums);
    side.variance_factor = design.variance_factor;
    side.effective_df = design.effective_df;
    return side;
}

} // namespace rolloy::insights
