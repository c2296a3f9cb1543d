#include "pg/import/pending_chunk.hpp"

#include "pg/import/key_ledger.hpp"

#include <algorithm>

namespace rolloy::pg {
namespace {

std::size_t slot_count_for(std::size_t capacity) {
    std::size_t n = 16;
    while (n < capacity * 2)
        n *= 2;
    return n;
}

bool add_checked(std::int64_t &sum, std::int64_t value) {
    return !__builtin_add_overflow(sum, value, &sum);
}

} // namespace

PendingChunk::PendingChunk(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), rows_(capacity_), slots_(slot_count_for(capacity_), -1) {}

void PendingChunk::clear() {
    used_ = 0;
    std::fill(slots_.begin(), slots_.end(), -1);
}

std::size_t PendingChunk::find_slot(std::uint32_t ad, std::int32_t day, std::uint64_t hash) const noexcept {
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        std::int32_t r = slots_[i];
        if (r < 0) return i;
        const PendingRow &row = rows_[static_cast<std::size_t>(r)];
        if (row.report_date == day && row.ad == ad) return i;
    }
}

PendingChunk::Result PendingChunk::add(const ImportLine &line, KeyLedger &ledger) {
    std::uint64_t hash = key_hash(line.ad, line.report_date);
    std::size_t slot = find_slot(line.ad, line.report_date, hash);
    if (slots_[slot] >= 0) {
        PendingRow &row = rows_[static_cast<std::size_t>(slots_[slot])];
        Result result{Outcome::Summed, row.first_line, pack_currency(row.currency)};
        if (!line.currency.empty() && !row.currency.empty() && row.currency != line.currency) {
            result.outcome = Outcome::OtherCurrency;
            return result;
        }
        // All or nothing: an overflow leaves the row as it was.
        std::int64_t impressions = row.impressions, clicks = row.clicks, spend = row.spend,
                     conversions = row.conversions, conversion_value = row.conversion_value,
                     reach = row.reach;
        bool ok = add_checked(impressions, line.impressions) && add_checked(clicks, line.clicks) &&
                  add_checked(spend, line.spend) && add_checked(conversions, line.conversions) &&
                  add_checked(conversion_value, line.conversion_value) &&
                  (!line.reach || add_checked(reach, *line.reach));
        if (!ok) {
            result.outcome = Outcome::TooLarge;
            return result;
        }
        row.impressions = impressions;
        row.clicks = clicks;
        row.spend = spend;
        row.conversions = conversions;
        row.conversion_value = conversion_value;
        row.reach = reach;
        row.has_reach = row.has_reach || line.reach.has_value();
        if (row.currency.empty()) row.currency.assign(line.currency);
        if (line.period_end > row.period_end) row.period_end = line.period_end;
        row.source_lines += 1;
        return result;
    }

    Result result{Outcome::Added};
    std::uint32_t currency = pack_currency(line.currency);
    if (ledger.note(hash, currency, &result.other_currency) == KeyLedger::Seen::Before) {
        if (currency != 0 && result.other_currency != 0 && currency != result.other_currency) {
            result.outcome = Outcome::OtherCurrency;
            return result;
        }
        result.outcome = Outcome::AddedToEarlier;
    }
    PendingRow &row = rows_[used_];
    slots_[slot] = static_cast<std::int32_t>(used_++);
    row.ad = line.ad;
    row.currency.assign(line.currency);
    row.report_date = line.report_date;
    row.period_end = line.period_end;
    row.impressions = line.impressions;
    row.clicks = line.clicks;
    row.spend = line.spend;
    row.conversions = line.conversions;
    row.conversion_value = line.conversion_value;
    row.has_reach = line.reach.has_value();
    row.reach = line.reach.value_or(0);
    row.source_lines = 1;
    row.first_line = line.line;
    return result;
}

} // namespace rolloy::pg
