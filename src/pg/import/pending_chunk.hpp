// The export lines of one chunk, owned and summed per (ad, day) before they are written: an
// INSERT ... ON CONFLICT DO UPDATE may not touch the same row twice, and lines of one key are
// breakdowns (age, placement, ...) of the same ad and day, whose metrics add up.
// Buffers are reused from chunk to chunk, so after the first chunk a line costs no allocation
// unless its text is longer than any before it in that slot.
#pragma once
#include "pg/import/key_ledger.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::pg {

// One accepted export line, with its views valid until the parser's next call.
struct ImportLine {
    std::size_t line = 0;
    std::uint32_t ad = 0; // the AdResolver's number of the line's ad
    std::string_view currency;
    std::int32_t report_date = 0, period_end = 0; // days since 2000-01-01 (Postgres' DateADT)
    std::int64_t impressions = 0, clicks = 0;
    std::optional<std::int64_t> reach;
    std::int64_t spend = 0, conversions = 0, conversion_value = 0; // micros (millionths)
};

struct PendingRow {
    std::uint32_t ad = 0;
    std::string currency;
    std::int32_t report_date = 0, period_end = 0;
    std::int64_t impressions = 0, clicks = 0, spend = 0, conversions = 0, conversion_value = 0;
    bool has_reach = false;
    std::int64_t reach = 0;
    std::int32_t source_lines = 0;
    std::size_t first_line = 0;
};

class PendingChunk {
  public:
    explicit PendingChunk(std::size_t capacity);

    enum class Outcome {
        Added,          // a key new to this import
        AddedToEarlier, // a key an earlier chunk of this import wrote: SQL adds the line to that row
        Summed,         // added to the line of the same key already in this chunk
        OtherCurrency,  // same key seen before in another currency: refused
        TooLarge,       // the sum would overflow: refused
    };
    struct Result {
        Outcome outcome;
        std::size_t other_line = 0;       // line of the key's first line, when in this chunk
        std::uint32_t other_currency = 0; // currency the key was first read in (packed)
    };
    // Keys new to the chunk are looked up in (and added to) the import's ledger.
    Result add(const ImportLine &line, KeyLedger &ledger);

    bool full() const noexcept { return used_ >= capacity_; }
    bool empty() const noexcept { return used_ == 0; }
    std::size_t size() const noexcept { return used_; }
    const PendingRow &operator[](std::size_t i) const noexcept { return rows_[i]; }
    void clear();

  private:
    std::size_t find_slot(std::uint32_t ad, std::int32_t day, std::uint64_t hash) const noexcept;

    std::size_t capacity_;
    std::vector<PendingRow> rows_;
    std::size_t used_ = 0;
    std::vector<std::int32_t> slots_; // open addressing over rows_, -1 = empty
};

} // namespace rolloy::pg
