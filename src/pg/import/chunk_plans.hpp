// The SPI steps both chunk writers share (ChunkWriter for 0.2.0's ad_days, LegacyChunkWriter
// for 0.1.0's performance_data): preparing their statements, the per-chunk memory context, and
// running the probe, the plain INSERT and the upsert of a chunk. Each runs under the guard.
#pragma once
#include "pg/common/postgres.hpp"

extern "C" {
#include "executor/spi.h"
}

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

// The SET list of a day's figures (the alias of the target is p, of the new figures N: EXCLUDED
// in the upserts both writers share, u in ChunkWriter's UPDATE): a row an earlier chunk of the
// same import wrote gets the line added, a row of an earlier import is replaced (the newest export
// is the truth for a day).
#define ROLLOY_CHUNK_FIGURES(N)                                                                              \
    " period_end = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                      \
    "                   THEN greatest(p.period_end, " N ".period_end) ELSE " N ".period_end END,"            \
    " source_lines = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                    \
    "                     THEN p.source_lines + " N ".source_lines ELSE " N ".source_lines END,"             \
    " impressions = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                     \
    "                    THEN p.impressions + " N ".impressions ELSE " N ".impressions END,"                 \
    " clicks = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                          \
    "               THEN p.clicks + " N ".clicks ELSE " N ".clicks END,"                                     \
    " reach = CASE WHEN p.import_batch_id = " N ".import_batch_id AND p.reach IS NOT NULL"                   \
    "              THEN p.reach + coalesce(" N ".reach, 0) ELSE " N ".reach END,"                            \
    " spend = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                           \
    "              THEN p.spend + " N ".spend ELSE " N ".spend END,"                                         \
    " conversions = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                     \
    "                    THEN p.conversions + " N ".conversions ELSE " N ".conversions END,"                 \
    " conversion_value = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                \
    "                         THEN p.conversion_value + " N ".conversion_value"                              \
    "                         ELSE " N ".conversion_value END,"                                              \
    " currency = CASE WHEN p.import_batch_id = " N ".import_batch_id"                                        \
    "                 THEN coalesce(p.currency, " N ".currency) ELSE " N ".currency END,"                    \
    " import_batch_id = " N ".import_batch_id, updated_at = now()"

// The upserts' SET list, then the counts of the statement.
#define ROLLOY_CHUNK_FIGURES_ON_CONFLICT                                                                     \
    ROLLOY_CHUNK_FIGURES("EXCLUDED")                                                                         \
    " RETURNING p.xmax = 0 AS inserted)"                                                                     \
    " SELECT count(*) FILTER (WHERE inserted), count(*) FROM written"

namespace rolloy::pg {

// A plan that lives until SPI_finish.
SPIPlanPtr prepare_chunk_plan(const char *sql, int nargs, Oid *types);
// A child of the SPI procedure context for one chunk's arrays: gone at SPI_finish, or with the
// transaction on error.
MemoryContext create_chunk_context();
void reset_chunk_context(MemoryContext context);

// SELECT EXISTS (...) over the chunk's keys, with a fresh snapshot.
bool run_chunk_probe(SPIPlanPtr plan, Datum *values, char *nulls);
// A plain INSERT; returns the rows inserted.
std::int64_t run_chunk_insert(SPIPlanPtr plan, Datum *values, char *nulls);
// The upsert, whose statement returns one row: (rows inserted, rows inserted or updated).
void run_chunk_upsert(SPIPlanPtr plan, Datum *values, char *nulls, std::int64_t *inserted,
                      std::int64_t *touched);

// The chunk's rows 0..n-1 in primary-key order (by `less`): consecutive index insertions land
// on the same leaf pages.
template <typename Less> void order_by_key(std::vector<std::uint32_t> &order, std::size_t n, Less less) {
    order.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = static_cast<std::uint32_t>(i);
    std::sort(order.begin(), order.end(), less);
}

} // namespace rolloy::pg
