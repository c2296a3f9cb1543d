#include "pg/import/bulk_day_insert.hpp"

#include "pg/common/guard.hpp"
#include "pg/import/day_tuple.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/timestamp.h"
}

namespace rolloy::pg {
namespace {

// COPY's batch (copyfrom.c: MAX_BUFFERED_TUPLES): large enough for bulk page writes, small enough
// that the materialised tuples of one batch stay a few hundred kB.
constexpr int kBatch = 1000;

// -1: not a plain insert target (nothing written). Allocates in the current memory context.
std::int64_t insert_days_in(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                            BulkInsertState bulk) {
    int *map = nullptr;
    int index[kDayColumns];
    Relation rel = open_plain_ad_days(plain_insert_target, &map, index);
    if (rel == nullptr) return -1;
    TupleDesc desc = RelationGetDescr(rel);

    EState *estate = CreateExecutorState();
    ResultRelInfo *result = makeNode(ResultRelInfo);
    // Range table index 0: no range table; ExecConstraints' error message then shows the values
    // the caller may read (it reads the whole table: it is the definer).
    InitResultRelInfo(result, rel, 0, nullptr, 0);
    ExecOpenIndices(result, false);
    CommandId cid = GetCurrentCommandId(true);
    TupleTableSlot *slots[kBatch];
    int made = 0;
    Datum batch = Int64GetDatum(batch_id);
    Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()); // what now() gives
    bool check = desc->constr != nullptr;

    for (std::size_t start = 0; start < n; start += kBatch) {
        int m = static_cast<int>(n - start < static_cast<std::size_t>(kBatch) ? n - start : kBatch);
        for (; made < m; ++made)
            slots[made] = table_slot_create(rel, nullptr);
        for (int j = 0; j < m; ++j) {
            fill_day_slot(slots[j], map, rows[start + static_cast<std::size_t>(j)], batch, now);
            if (check) ExecConstraints(result, slots[j], estate);
            ResetPerTupleExprContext(estate);
        }
        table_multi_insert(rel, slots, m, cid, 0, bulk);
        for (int j = 0; j < m; ++j) {
            List *recheck = ExecInsertIndexTuples(result, slots[j], estate, false, false, nullptr, NIL);
            list_free(recheck); // deferred unique checks only: ad_days has none
            ResetPerTupleExprContext(estate);
        }
        CHECK_FOR_INTERRUPTS();
    }

    ReleaseBulkInsertStatePin(bulk); // no pin between chunks: other statements run there
    for (int j = 0; j < made; ++j)
        ExecDropSingleTupleTableSlot(slots[j]);
    ExecCloseIndices(result);
    FreeExecutorState(estate);
    pfree(map);
    table_close(rel, NoLock);  // the lock is kept to the end of the transaction, as an INSERT's
    CommandCounterIncrement(); // the next statement of the import sees these rows
    return static_cast<std::int64_t>(n);
}

// table_multi_insert leaves memory in the current context (an array per batch), as do the
// result relation and its index list: all of it goes with a context of the chunk's own.
std::int64_t insert_days(const DayValues *rows, std::size_t n, std::int64_t batch_id, BulkInsertState bulk) {
    MemoryContext work =
        AllocSetContextCreate(CurrentMemoryContext, "rolloy bulk day insert", ALLOCSET_DEFAULT_SIZES);
    MemoryContext caller = MemoryContextSwitchTo(work);
    std::int64_t written = insert_days_in(rows, n, batch_id, bulk);
    MemoryContextSwitchTo(caller);
    MemoryContextDelete(work);
    return written;
}

} // namespace

BulkInsertStateData *begin_bulk_insert() {
    return call([] { return GetBulkInsertState(); });
}

std::optional<std::int64_t> bulk_insert_days(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                                             BulkInsertStateData *bulk) {
    if (n == 0) return 0;
    std::int64_t written = call([rows, n, batch_id, bulk] { return insert_days(rows, n, batch_id, bulk); });
    if (written < 0) return std::nullopt;
    return written;
}

} // namespace rolloy::pg
