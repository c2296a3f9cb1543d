// TrendSums against the SQL's definition computed the slow way: pieces summed per creative, period
// and currency first (what the query's first aggregate did), then those rows grouped per
// dimension value, a creative counting once per group.
#include "core/common/error.hpp"
#include "core/insights/trend_sums.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

using rolloy::insights::TrendGrain;
using rolloy::insights::TrendPiece;
using rolloy::insights::TrendRow;
using rolloy::insights::TrendSums;
using rolloy::insights::TrendValues;

namespace {

using Key = std::tuple<int, int32_t, int16_t, int, int32_t>; // grain, period, currency, dimension, value

struct Expected {
    std::array<int64_t, 5> sums{};
    std::set<int> creatives;
    int32_t last_day = std::numeric_limits<int32_t>::min();
};

std::map<Key, Expected> reference(const std::vector<TrendValues> &creatives,
                                  const std::map<int32_t, int> &ad_creative,
                                  const std::vector<TrendPiece> &pieces, const std::set<int32_t> *weeks,
                                  const std::set<int32_t> *months) {
    std::map<Key, Expected> out;
    for (const TrendPiece &p : pieces) {
        auto it = ad_creative.find(p.ad);
        if (it == ad_creative.end()) continue;
        for (int grain = 0; grain < 2; ++grain) {
            const int32_t period = grain == 0 ? p.week_start : p.month_start;
            const std::set<int32_t> *wanted = grain == 0 ? weeks : months;
            if (wanted && !wanted->count(period)) continue;
            for (int d = -1; d < 5; ++d) {
                Expected &e = out[{grain, period, p.currency, d, d < 0 ? 0 : creatives[it->second][d]}];
                for (int m = 0; m < 5; ++m)
                    e.sums[m] += p.sums[m];
                e.creatives.insert(it->second);
                e.last_day = std::max(e.last_day, p.last_day);
            }
        }
    }
    return out;
}

void expect_same(const std::map<Key, Expected> &expected, const std::vector<TrendRow> &rows) {
    ASSERT_EQ(rows.size(), expected.size());
    auto e = expected.begin();
    for (const TrendRow &r : rows) {
        const Key key{r.grain == TrendGrain::Week ? 0 : 1, r.period_start, r.currency, r.dimension, r.value};
        ASSERT_EQ(e->first, key);
        EXPECT_EQ(r.sums, e->second.sums);
        EXPECT_EQ(r.creatives, static_cast<int64_t>(e->second.creatives.size()));
        EXPECT_EQ(r.last_day, e->second.last_day);
        ++e;
    }
}

// Ads with days over about a year and a half: a piece per ISO week within a month (a week that
// crosses a month boundary gives two pieces), some ads in a second currency, some ads of a
// creative not counted.
struct World {
    std::vector<TrendValues> creatives;
    std::map<int32_t, int> ad_creative;
    std::vector<TrendPiece> pieces;
};

World random_world(unsigned seed) {
    std::mt19937 rng(seed);
    World w;
    for (int c = 0; c < 70; ++c)
        w.creatives.push_back({int32_t(rng() % 3), int32_t(10 + rng() % 5), int32_t(rng() % 4),
                               int32_t(rng() % 3), int32_t(100 + rng() % 2)});
    for (int32_t ad = 1; ad <= 150; ++ad) {
        if (ad % 17 != 0)
            w.ad_creative[ad] = int(rng() % w.creatives.size()); // every 17th: counted by nobody
        const int16_t currency = ad % 5 == 0 ? 1 : 0;
        for (int32_t week = 2 + 7 * int32_t(rng() % 10); week < 600; week += 7 * (1 + rng() % 3)) {
            const int32_t month = (week / 30) * 30; // a calendar in 30-day months is enough here
            TrendPiece p;
            p.ad = ad;
            p.currency = currency;
            p.week_start = week;
            p.month_start = month;
            p.last_day = week + int32_t(rng() % 7);
            for (auto &s : p.sums)
                s = int64_t(rng() % 1000000);
            if (week + 6 >= month + 30) { // the week runs into the next month: its second piece
                TrendPiece next = p;
                next.month_start = month + 30;
                next.last_day = month + 30 + int32_t(rng() % (week + 7 - month - 30));
                p.last_day = std::min(p.last_day, month + 29);
                w.pieces.push_back(p);
                w.pieces.push_back(next);
            } else {
                w.pieces.push_back(p);
            }
        }
    }
    std::shuffle(w.pieces.begin(), w.pieces.end(), rng);
    return w;
}

TrendSums summed(const World &w) {
    TrendSums sums;
    for (const TrendValues &v : w.creatives)
        sums.add_creative(v);
    for (const auto &[ad, creative] : w.ad_creative)
        sums.add_ad(ad, creative);
    return sums;
}

} // namespace

TEST(TrendSums, EqualsTheSqlDefinitionOnRandomData) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const World w = random_world(seed);
        TrendSums sums = summed(w);
        for (const TrendPiece &p : w.pieces)
            sums.add(p);
        expect_same(reference(w.creatives, w.ad_creative, w.pieces, nullptr, nullptr), sums.rows());
    }
}

TEST(TrendSums, OnlyTheChangedPeriods) {
    const World w = random_world(7);
    const std::set<int32_t> weeks{16, 303, 597}, months{0, 270};
    TrendSums sums = summed(w);
    sums.only_periods({weeks.begin(), weeks.end()}, {months.begin(), months.end()});
    for (const TrendPiece &p : w.pieces)
        sums.add(p);
    const auto expected = reference(w.creatives, w.ad_creative, w.pieces, &weeks, &months);
    ASSERT_FALSE(expected.empty());
    expect_same(expected, sums.rows());
}

TEST(TrendSums, CountsACreativeOncePerPeriodAcrossItsAdsAndPieces) {
    TrendSums sums;
    const int c = sums.add_creative({1, 2, 3, 4, 5});
    sums.add_ad(10, c);
    sums.add_ad(11, c);
    // Ad 10's week 7 split by a month boundary (two pieces), ad 11 in the same week.
    sums.add({10, 7, 0, 0, 8, {100, 1, 0, 0, 0}});
    sums.add({10, 7, 10, 0, 12, {50, 2, 0, 0, 0}});
    sums.add({11, 7, 10, 0, 13, {25, 3, 0, 0, 0}});
    const std::vector<TrendRow> rows = sums.rows();
    ASSERT_EQ(rows.size(), 3u * 6); // week 7, month 0, month 10: all + five dimensions each
    for (const TrendRow &r : rows)
        EXPECT_EQ(r.creatives, 1);
    EXPECT_EQ(rows[0].grain, TrendGrain::Week);
    EXPECT_EQ(rows[0].sums[0], 175);
    EXPECT_EQ(rows[0].last_day, 13);
    EXPECT_EQ(rows[6].grain, TrendGrain::Month);
    EXPECT_EQ(rows[6].period_start, 0);
    EXPECT_EQ(rows[6].sums[1], 1);
    EXPECT_EQ(rows[12].sums[1], 5);
}

TEST(TrendSums, NoCreativesNoRows) {
    TrendSums sums;
    sums.add({1, 7, 0, 0, 8, {1, 1, 1, 1, 1}});
    EXPECT_TRUE(sums.rows().empty());
}

TEST(TrendSums, ASumBeyondBigintIsAnError) {
    TrendSums sums;
    sums.add_ad(1, sums.add_creative({0, 0, 0, 0, 0}));
    const int64_t max = std::numeric_limits<int64_t>::max();
    sums.add({1, 7, 0, 0, 8, {0, 0, 0, max, 0}});
    try {
        sums.add({1, 14, 0, 0, 15, {0, 0, 0, 1, 0}});
        FAIL() << "no error";
    } catch (const rolloy::Error &e) {
        EXPECT_EQ(e.kind(), rolloy::ErrorKind::OutOfRange);
        EXPECT_NE(std::string(e.what()).find("spend"), std::string::npos) << e.what();
    }
}

TEST(TrendSums, CallsOutOfOrderAreBugs) {
    TrendSums sums;
    EXPECT_THROW(sums.add_ad(1, 0), rolloy::Error); // no such creative
    const int c = sums.add_creative({0, 0, 0, 0, 0});
    sums.add_ad(1, c);
    EXPECT_THROW(sums.add_ad(1, c), rolloy::Error);
    sums.add({1, 7, 0, 0, 8, {1, 1, 1, 1, 1}});
    EXPECT_THROW(sums.add_creative({0, 0, 0, 0, 0}), rolloy::Error);
}
