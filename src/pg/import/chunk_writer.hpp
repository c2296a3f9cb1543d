// Writes one PendingChunk into rolloy_internal.ad_days (integer keys: the ads are resolved
// before, by AdResolver) with one prepared statement over arrays
// (one array per column, unnested in the SELECT list: no materialisation of the chunk).
//
// Two statements, chosen per chunk by one cheap probe (does any (ad, day) of the chunk exist?):
//   - none exists: the rows are written as COPY writes them (bulk_day_insert.hpp), or by a plain
//     INSERT where that path does not apply. The common case (new days) skips the
//     speculative-insertion probe of ON CONFLICT; concurrent imports of one platform are
//     serialised by the importer.
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
        bool upserted = false;     // the ON CONFLICT statement was needed
    };
    // known_to_exist: the chunk has keys an earlier chunk wrote (skip the probe).
    // The chunk's ads must have their ids (AdResolver::write_new).
    Written write(const PendingChunk &chunk, bool known_to_exist, AdResolver &ads);

  private:
    bool any_key_exists(const PendingChunk &chunk, AdResolver &ads);

    std::int64_t batch_id_;
    SPIPlanPtr insert_plan_ = nullptr, upsert_plan_ = nullptr, probe_plan_ = nullptr;
    MemoryContext chunk_context_ = nullptr; // arrays of one chunk; reset after each write
    std::vector<std::uint32_t> order_;      // the chunk's rows in key order
    std::vector<DayValues> days_;           // a chunk of new keys, for bulk_insert_days()
};

} // namespace rolloy::pg
