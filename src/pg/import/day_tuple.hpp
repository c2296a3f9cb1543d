// What the two C++ writers of rolloy_internal.ad_days share (bulk_day_insert.cpp for new days,
// day_update.cpp for days that exist): the table, which of its columns is which, a day row into a
// slot, and the test that the table is plain enough for writing it without the executor.
// Postgres types: call only under the guard.
#pragma once
#include "pg/common/postgres.hpp"
#include "pg/import/bulk_day_insert.hpp"

extern "C" {
#include "executor/tuptable.h"
#include "utils/relcache.h"
}

namespace rolloy::pg {

// The columns of ad_days the writers fill, found by name (an upgraded table may order them
// otherwise than a fresh one).
enum DayColumn {
    kAd,
    kReportDate,
    kPeriodEnd,
    kSourceLines,
    kImpressions,
    kClicks,
    kReach,
    kSpend,
    kConversions,
    kConversionValue,
    kImportBatchId,
    kCreatedAt,
    kUpdatedAt,
    kCurrency,
    kDayColumns
};

// rolloy_internal.ad_days opened with RowExclusiveLock when `plain(rel)` holds and every live
// column is one the writers know, with *map (palloc'd) attnum - 1 -> DayColumn (-1 for a dropped
// column) and index[kDayColumns] DayColumn -> attnum - 1; else nullptr (nothing kept open).
Relation open_plain_ad_days(bool (*plain)(Relation), int **map, int *index);

// What an INSERT into the table would do beyond writing the heap and its indexes (a trigger on
// insert, row-level security in force, a generated column, a missing INSERT privilege): any of
// it, and writing it without the executor is not the same statement.
bool plain_insert_target(Relation rel);

// `r` into `slot` as a virtual tuple: import_batch_id `batch`, created_at = updated_at = `now`.
void fill_day_slot(TupleTableSlot *slot, const int *map, const DayValues &r, Datum batch, Datum now);

} // namespace rolloy::pg
