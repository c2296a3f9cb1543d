// Day rows of NEW (ad, day) keys written the way COPY FROM writes (copyfrom.c's
// CopyMultiInsertBuffer): table_multi_insert() of up to 1000 tuples at a time (pages extended in
// bulk, one WAL record per page, no executor per row), then the index entries with
// ExecInsertIndexTuples() — the primary key checks uniqueness as an INSERT does, so a duplicate
// (a concurrent import of the same key, which the platform lock already prevents) is still an
// error — and the CHECK and NOT NULL constraints with ExecConstraints().
//
// Only where that is what an INSERT would do: rolloy_internal.ad_days a plain table with no
// insert trigger (statement or row), no row-level security in force, every column one this writer
// knows, and the INSERT privilege. Otherwise bulk_insert_days() answers nullopt and the caller
// keeps its SQL INSERT. Runs entirely under the guard: no Postgres memory outlives the call but
// the rows themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

struct BulkInsertStateData; // access/heapam.h

namespace rolloy::pg {

// One day row as it is stored (money in millionths, currency as its number).
struct DayValues {
    std::int32_t ad = 0, report_date = 0, period_end = 0, source_lines = 1;
    std::int64_t impressions = 0, clicks = 0, reach = 0, spend = 0, conversions = 0, conversion_value = 0;
    std::int32_t currency = 0;
    bool has_reach = false, has_currency = false;
};

// One insertion state for all chunks of an import, as COPY keeps one for a whole file: its ring
// of 16 MB of shared buffers is reused by every chunk. A state per chunk took fresh buffers each
// time, and the backend paid a page fault for every shared buffer page it touched the first time
// (200,000 rows: 35,000 faults instead of 26,500, 12 % of the import's CPU). Allocated in the
// current memory context, which must last the import; no buffer stays pinned between chunks.
BulkInsertStateData *begin_bulk_insert();

// Inserts rows[0..n) (in primary-key order for local index insertions) with import_batch_id
// batch_id, created_at = updated_at = now(); the rows inserted, or nullopt when the bulk path does
// not apply (nothing written).
std::optional<std::int64_t> bulk_insert_days(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                                             BulkInsertStateData *bulk);

} // namespace rolloy::pg
