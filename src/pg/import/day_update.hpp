// Day rows of (ad, day) keys that EXIST updated the way an UPDATE's executor does it, without the
// executor: one primary-key range scan per ad of the chunk finds each day's tuple, the new figures
// are computed here (the SET list of ROLLOY_CHUNK_FIGURES in chunk_plans.hpp: a row an earlier
// chunk of the same import wrote gets the line added, a row of an earlier import is replaced), the
// CHECK and NOT NULL constraints are checked with ExecConstraints(), and table_tuple_update()
// writes the new version — HOT when it fits on the page (the table keeps half of each page free),
// with new index entries (ExecInsertIndexTuples) only when it is not.
//
// Concurrency, as an UPDATE in the caller's isolation level: the scan reads with the statement's
// snapshot (READ COMMITTED: a fresh one), table_tuple_update() waits for a transaction that is
// changing the same row and reports whether it changed or deleted it; such rows are NOT written
// here but handed back (`contended`) for the SQL upsert, whose ON CONFLICT re-checks the newest
// version (or fails with a serialization error, as an UPDATE would, under REPEATABLE READ). Keys
// not found are handed back (`absent`) for the insertion of new days. Imports of one platform are
// serialised by rolloy_internal.import_locks; besides them only admins write ad_days (through the
// flat view's INSTEAD OF triggers and delete_performance_data), which is the contended case.
//
// Only where that is what the SQL upsert would do: the conditions of bulk_day_insert.hpp (no
// insert trigger, no row-level security, known columns) plus no update trigger but
// rolloy_internal._touch_updated_at's (whose effect, updated_at = now(), is written here), no
// generated column, and the UPDATE privilege. Otherwise nothing is written and the caller keeps
// its SQL upsert.
#pragma once
#include "pg/import/bulk_day_insert.hpp"

#include <cstddef>
#include <cstdint>

namespace rolloy::pg {

struct InPlaceUpdate {
    bool applied = false;      // false: the table is not plain enough, nothing was written
    std::int64_t updated = 0;  // rows updated here
    std::size_t absent = 0;    // entries written to absent[]
    std::size_t contended = 0; // entries written to contended[]
};

// rows[0..n) in primary-key order with distinct keys. absent and contended have room for n
// indexes into rows each.
InPlaceUpdate update_days_in_place(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                                   std::uint32_t *absent, std::uint32_t *contended);

} // namespace rolloy::pg
