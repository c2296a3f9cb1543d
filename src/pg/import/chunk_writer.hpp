// Writes one PendingChunk into rolloy_internal.ad_days (integer keys: the ads are resolved
// before, by AdResolver) with one prepared statement over arrays
// (one array per column, unnested in the SELECT list: no materialisation of the chunk).
//
// Without the executor where the table allows it (no trigger but the updated_at one, no row-level
// security, known columns, the privileges):
//   - the days that exist are updated in place (day_update.hpp: a primary-key range scan per ad
//     of the chunk, then an UPDATE's heap and index writes);
//   - the keys that scan did not find are new: written as COPY writes them (bulk_day_insert.hpp);
//   - rows a concurrent transaction changed meanwhile go through the SQL upsert below.
// Otherwise by SQL, chosen per chunk by one cheap probe (does any (ad, day) of the chunk exist?):
//   - none exists: a plain INSERT (concurrent imports of one platform are serialised by the
//     importer), or COPY's way when only the update path does not apply;
//   - some exist: INSERT ... ON CONFLICT (ad, report_date) DO UPDATE. A row an
//     earlier chunk of the same import wrote gets the line added; a row of an earlier import is
//     replaced: the newest export is the truth for that ad and day.
// Needs an open SPI connection; the plans live until SPI_finish.
#pragma once
#include "pg/common/postgres.hpp"
#include "pg/import/ad_resolver.hpp"
#include "pg/import/bulk_day_insert.hpp"
#include "pg/import/pending_chunk.hpp"

extern "C" {
#include "executor/spi.h"
}

#include <cstdint>
#include <string>
#include <vector>

namespace rolloy::pg {

class ChunkWriter {
  public:
    explicit ChunkWriter(std::int64_t batch_id);
    ChunkWriter(const ChunkWriter &) = delete;
    ChunkWriter &operator=(const ChunkWriter &) = delete;

    struct Written {
        std::int64_t inserted = 0; // new (ad, day) rows
        std::int64_t touched = 0;  // rows inserted or updated
    };
    // Rows written by each path, over all chunks (the import reports them at DEBUG1: tests read
    // which path ran).
    struct Paths {
        std::int64_t bulk_inserted = 0, sql_inserted = 0, updated_in_place = 0, sql_upserted = 0;
    };
    // known_to_exist: the chunk has keys an earlier chunk wrote (skip the probe).
    // The chunk's ads must have their ids (AdResolver::write_new).
    Written write(const PendingChunk &chunk, bool known_to_exist, AdResolver &ads);
    const Paths &paths() const noexcept { return paths_; }
    // paths() as a DEBUG1 message: tests read it to know the fast paths ran (not timings).
    void report_paths() const;

  private:
    bool any_key_exists(const PendingChunk &chunk, AdResolver &ads);
    // The rows subset_ names (indexes into the chunk) by SQL: a plain INSERT, or the upsert.
    Written write_by_sql(const PendingChunk &chunk, bool upsert, AdResolver &ads);
    // The rows which[0..n) (indexes into days_) by write_by_sql, added to *written.
    void add_by_sql(const PendingChunk &chunk, const std::vector<std::uint32_t> &which, std::size_t n,
                    bool upsert, AdResolver &ads, Written *written);
    // days_[which[0..n)] as new days, COPY's way; false when the bulk path did not apply.
    bool bulk_insert(const std::vector<std::uint32_t> &which, std::size_t n, Written *written);

    std::int64_t batch_id_;
    SPIPlanPtr insert_plan_ = nullptr, upsert_plan_ = nullptr, probe_plan_ = nullptr;
    MemoryContext chunk_context_ = nullptr;     // arrays of one chunk; reset after each write
    BulkInsertStateData *bulk_state_ = nullptr; // one for the whole import (bulk_day_insert.hpp)
    std::vector<std::uint32_t> order_;          // the chunk's rows in key order
    std::vector<DayValues> days_;               // the chunk's rows in key order, as stored
    std::vector<DayValues> new_days_;           // the keys not found, for bulk_insert_days()
    std::vector<std::uint32_t> absent_, contended_, subset_;
    Paths paths_;
};

} // namespace rolloy::pg
