// The sums behind the kind "trend" of refresh_insights() (63_insight_kind_trends.sql): per ISO
// week and per calendar month, per currency, over all creatives and per value of each ABCD
// dimension, the sums of the rollup's pieces and how many creatives have data there.
//
// Why not SQL: the same computation as a query groups every piece by creative and period first
// (one hash table entry per creative and period: 1.8 million at 10 million facts, 368 MB), then
// hashes those rows six more times for the grouping sets; at 10 million facts that took 15-20 s,
// as long as the rollup's whole pass over the facts. Here a piece is added to six accumulators
// found by index (the period's block, the creative's slots), and a creative is counted once per
// period with one bit: a pass over the pieces and nothing else.
//
// Memory: per period and currency seen, one accumulator per dimension value the creatives use
// plus one bit per creative (10,000 creatives over ten years of weeks and months in two
// currencies: ~8 MB of accumulators, 2 MB of bits).
#pragma once
#include "core/common/core_only.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rolloy::insights {

// category, scene, action, driver, format: the order of the SQL's grouping sets
constexpr int kTrendDimensions = 5;
// impressions, clicks, conversions, spend, conversion_value (the last three in micro-units)
constexpr int kTrendMetrics = 5;

// One piece of the rollup: an ad's sums over its days of one ISO week within one month, in one
// currency. Days are counted from any fixed epoch (the glue passes Postgres' DateADT).
struct TrendPiece {
    int32_t ad = 0;
    int32_t week_start = 0;
    int32_t month_start = 0;
    int16_t currency = 0;
    int32_t last_day = 0;
    std::array<int64_t, kTrendMetrics> sums{};
};

enum class TrendGrain : uint8_t { Week, Month };

struct TrendRow {
    TrendGrain grain = TrendGrain::Week;
    int32_t period_start = 0;
    int16_t currency = 0;
    int dimension = -1; // -1: all creatives; else an index into the dimensions
    int32_t value = 0;  // the dimension's value as the caller gave it (0 for all creatives)
    std::array<int64_t, kTrendMetrics> sums{};
    int64_t creatives = 0; // creatives with at least one piece in the period and currency
    int32_t last_day = 0;  // the latest day with data among those pieces
};

using TrendValues = std::array<int32_t, kTrendDimensions>;

class TrendSums {
  public:
    // A creative that counts, with its value of each dimension (ids: a dimension named by text
    // is mapped to ids by the caller). Returns its index for add_ad. All creatives and ads come
    // before the first piece.
    int add_creative(const TrendValues &values);
    // The creative an ad's pieces count for. Pieces of ads never added are not counted.
    void add_ad(int32_t ad, int creative);
    // Only these periods (after an import: those whose pieces changed); by default all.
    void only_periods(const std::vector<int32_t> &week_starts, const std::vector<int32_t> &month_starts);

    // Throws rolloy::Error(OutOfRange) when a sum leaves int64 (as Postgres' bigint addition).
    void add(const TrendPiece &piece);

    // Every (grain, period, currency) and (…, dimension value) with data, in that order.
    std::vector<TrendRow> rows() const;

  private:
    struct Accumulator {
        std::array<int64_t, kTrendMetrics> sums{};
        int64_t creatives = 0;
        int32_t last_day = 0;
    };
    struct Block {
        TrendGrain grain;
        int32_t period_start;
        int16_t currency;
    };
    // The slots of a block: 0 for all creatives, then one per dimension value in use.
    using CreativeSlots = std::array<uint32_t, kTrendDimensions + 1>;

    void freeze();
    std::size_t block_of(TrendGrain grain, int32_t period_start, int16_t currency);
    void add_to(std::size_t block, int creative, const TrendPiece &piece);

    std::vector<TrendValues> creative_values_;
    std::unordered_map<int32_t, int> creative_of_ad_;
    std::optional<std::unordered_set<int32_t>> weeks_;
    std::optional<std::unordered_set<int32_t>> months_;

    bool frozen_ = false;
    std::vector<CreativeSlots> creative_slots_;
    std::vector<std::pair<int, int32_t>> slot_values_; // slot -> (dimension, value)
    std::size_t words_per_block_ = 0;
    std::unordered_map<uint64_t, std::size_t> block_index_;
    std::vector<Block> blocks_;
    std::vector<Accumulator> accumulators_; // blocks_.size() x slot_values_.size()
    std::vector<uint64_t> counted_;         // blocks_.size() x words_per_block_: creatives counted
    // The last ad looked up and its creative (-1: not counted; -2: none looked up yet).
    int32_t last_ad_ = 0;
    int last_creative_ = -2;
};

} // namespace rolloy::insights
