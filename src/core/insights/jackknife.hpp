// One side of an effect test: a ratio of sums R = K / N over units (creatives; days for
// fatigue) with k_i and n_i (clicks and impressions; conversion value and spend), and the
// delete-one jackknife variance of R over the units (docs/insights.md, "The test"):
//
//     R₋ᵢ = (K − k_i) / (N − n_i)                 the side's ratio without unit i
//     v   = (m − 1)/m · Σᵢ (R₋ᵢ − R̄₋)²,  R̄₋ = mean of the R₋ᵢ
//
// Besides v, a side reports how much evidence its units hold, from their sizes alone (never
// from the k_i, so it cannot flatter an outcome). Suppose the units' own ratios k_i/n_i vary
// alike: r_i = μ + σ·ε_i with independent ε_i of variance 1. Then v is a quadratic form in the
// ε_i, and
//
//     variance_factor = E[v] / σ²
//     effective_df    = (Σ λ)² / Σ λ²  over the eigenvalues λ of that form (Satterthwaite)
//
// With equal n_i these are 1/m and m − 1, as the textbook test assumes. When a few units carry
// most of N, R leans on them and effective_df falls towards 1: ten creatives of which one has
// 90 % of the impressions hold about one creative's worth of evidence on the spread.
#pragma once
#include "core/common/core_only.hpp"

#include <cstddef>
#include <vector>

namespace rolloy::insights {

struct RatioUnit {
    double numerator = 0;   // k_i: clicks, conversion value; any finite number
    double denominator = 0; // n_i: impressions, spend; finite and > 0
};

struct SideEstimate {
    std::size_t units = 0;  // m
    double numerator = 0;   // K = Σ k_i
    double denominator = 0; // N = Σ n_i
    double ratio = 0;       // R = K / N
    double variance = 0;    // jackknife v (0 when m = 1)
    // Every unit has the same ratio k_i/n_i (typically: not one click or conversion on the
    // side), so v = 0 says nothing about chance; also true when m = 1.
    bool no_spread = true;
    double variance_factor = 0; // E[v]/σ² as above (0 when m = 1)
    double effective_df = 0;    // in [1, m − 1] (0 when m = 1)
};

// Throws Error(InvalidInput) for no units, a non-finite numerator or a denominator that is not
// a finite number > 0.
SideEstimate estimate_side(const std::vector<RatioUnit> &units);

} // namespace rolloy::insights
