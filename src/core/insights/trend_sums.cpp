#include "core/insights/trend_sums.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <tuple>

namespace rolloy::insights {
namespace {

const char *const kMetricNames[kTrendMetrics] = {"impressions", "clicks", "conversions", "spend",
                                                 "conversion value"};

uint64_t block_key(TrendGrain grain, int32_t period_start, int16_t currency) {
    return (uint64_t(grain == TrendGrain::Month) << 48) | (uint64_t(uint16_t(currency)) << 32) |
           uint64_t(uint32_t(period_start));
}

} // namespace

int TrendSums::add_creative(const TrendValues &values) {
    if (frozen_) throw Error(ErrorKind::Internal, "trend sums: a creative added after the first piece");
    creative_values_.push_back(values);
    return static_cast<int>(creative_values_.size()) - 1;
}

void TrendSums::add_ad(int32_t ad, int creative) {
    if (frozen_) throw Error(ErrorKind::Internal, "trend sums: an ad added after the first piece");
    if (creative < 0 || creative >= static_cast<int>(creative_values_.size()))
        throw Error(ErrorKind::Internal, "trend sums: ad " + std::to_string(ad) + " names no creative");
    if (!creative_of_ad_.emplace(ad, creative).second)
        throw Error(ErrorKind::Internal, "trend sums: ad " + std::to_string(ad) + " added twice");
}

void TrendSums::only_periods(const std::vector<int32_t> &week_starts,
                             const std::vector<int32_t> &month_starts) {
    weeks_.emplace(week_starts.begin(), week_starts.end());
    months_.emplace(month_starts.begin(), month_starts.end());
}

// The slots: 0 for all creatives, then each dimension's values in ascending order, so that a
// block's accumulators come out in the order rows() returns them.
void TrendSums::freeze() {
    slot_values_.assign(1, {-1, 0});
    std::vector<std::map<int32_t, uint32_t>> slot_of(kTrendDimensions);
    for (int d = 0; d < kTrendDimensions; ++d) {
        for (const TrendValues &values : creative_values_)
            slot_of[d].emplace(values[d], 0);
        for (auto &[value, slot] : slot_of[d]) {
            slot = static_cast<uint32_t>(slot_values_.size());
            slot_values_.emplace_back(d, value);
        }
    }
    creative_slots_.reserve(creative_values_.size());
    for (const TrendValues &values : creative_values_) {
        CreativeSlots slots{};
        for (int d = 0; d < kTrendDimensions; ++d)
            slots[d + 1] = slot_of[d].at(values[d]);
        creative_slots_.push_back(slots);
    }
    words_per_block_ = (creative_values_.size() + 63) / 64;
    frozen_ = true;
}

std::size_t TrendSums::block_of(TrendGrain grain, int32_t period_start, int16_t currency) {
    auto [it, added] = block_index_.emplace(block_key(grain, period_start, currency), blocks_.size());
    if (added) {
        blocks_.push_back({grain, period_start, currency});
        accumulators_.resize(blocks_.size() * slot_values_.size());
        counted_.resize(blocks_.size() * words_per_block_);
    }
    return it->second;
}

void TrendSums::add_to(std::size_t block, int creative, const TrendPiece &piece) {
    uint64_t &word = counted_[block * words_per_block_ + std::size_t(creative) / 64];
    const uint64_t bit = uint64_t(1) << (creative % 64);
    const bool first_piece_of_creative = (word & bit) == 0;
    word |= bit;
    Accumulator *block_accumulators = &accumulators_[block * slot_values_.size()];
    for (uint32_t slot : creative_slots_[creative]) {
        Accumulator &a = block_accumulators[slot];
        a.last_day = a.creatives == 0 ? piece.last_day : std::max(a.last_day, piece.last_day);
        for (int m = 0; m < kTrendMetrics; ++m)
            if (__builtin_add_overflow(a.sums[m], piece.sums[m], &a.sums[m]))
                throw Error(ErrorKind::OutOfRange, std::string("bigint out of range: a trend's sum of ") +
                                                       kMetricNames[m] + " does not fit in 64 bits");
        if (first_piece_of_creative) ++a.creatives;
    }
}

void TrendSums::add(const TrendPiece &piece) {
    if (!frozen_) freeze();
    if (piece.ad != last_ad_ || last_creative_ == -2) {
        auto it = creative_of_ad_.find(piece.ad);
        last_ad_ = piece.ad;
        last_creative_ = it == creative_of_ad_.end() ? -1 : it->second;
    }
    if (last_creative_ < 0) return; // an ad of no creative counted
    if (!weeks_ || weeks_->count(piece.week_start))
        add_to(block_of(TrendGrain::Week, piece.week_start, piece.currency), last_creative_, piece);
    if (!months_ || months_->count(piece.month_start))
        add_to(block_of(TrendGrain::Month, piece.month_start, piece.currency), last_creative_, piece);
}

std::vector<TrendRow> TrendSums::rows() const {
    std::vector<std::size_t> order(blocks_.size());
    for (std::size_t b = 0; b < order.size(); ++b)
        order[b] = b;
    std::sort(order.begin(), order.end(), [this](std::size_t x, std::size_t y) {
        const Block &a = blocks_[x], &b = blocks_[y];
        return std::tie(a.grain, a.period_start, a.currency) < std::tie(b.grain, b.period_start, b.currency);
    });
    std::vector<TrendRow> rows;
    for (std::size_t b : order) {
        for (std::size_t slot = 0; slot < slot_values_.size(); ++slot) {
            const Accumulator &a = accumulators_[b * slot_values_.size() + slot];
            if (a.creatives == 0) continue;
            TrendRow row;
            row.grain = blocks_[b].grain;
            row.period_start = blocks_[b].period_start;
            row.currency = blocks_[b].currency;
            row.dimension = slot_values_[slot].first;
            row.value = slot_values_[slot].second;
            row.sums = a.sums;
            row.creatives = a.creatives;
            row.last_day = a.last_day;
            rows.push_back(row);
        }
    }
    return rows;
}

} // namespace rolloy::insights
