#include "pg/import/bulk_day_insert.hpp"

#include "pg/common/guard.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/acl.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"
}

#include <cstring>

namespace rolloy::pg {
namespace {

// The columns of rolloy_internal.ad_days this writer fills, found by name (an upgraded table may
// order them otherwise than a fresh one).
enum Column {
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
    kColumns
};
constexpr const char *kColumnNames[kColumns] = {
    "ad",    "report_date", "period_end",       "source_lines",    "impressions", "clicks",     "reach",
    "spend", "conversions", "conversion_value", "import_batch_id", "created_at",  "updated_at", "currency"};

// COPY's batch (copyfrom.c: MAX_BUFFERED_TUPLES): large enough for bulk page writes, small enough
// that the materialised tuples of one batch stay a few hundred kB.
constexpr int kBatch = 1000;

// What an INSERT into the table would do beyond writing the heap and its indexes: any of it, and
// the bulk path is not the same statement.
bool plain_insert_target(Relation rel) {
    if (rel->rd_rel->relkind != RELKIND_RELATION) return false;
    TriggerDesc *t = rel->trigdesc;
    if (t != nullptr &&
        (t->trig_insert_before_row || t->trig_insert_after_row || t->trig_insert_instead_row ||
         t->trig_insert_before_statement || t->trig_insert_after_statement || t->trig_insert_new_table))
        return false;
    TupleDesc desc = RelationGetDescr(rel);
    if (desc->constr != nullptr && desc->constr->has_generated_stored) return false;
    if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED) return false;
    return pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) == ACLCHECK_OK;
}

// attnum - 1 -> Column, or -1 for a dropped column; false when a live column is unknown.
bool map_columns(TupleDesc desc, int *map) {
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        map[i] = -1;
        if (att->attisdropped) continue;
        for (int c = 0; c < kColumns; ++c)
            if (std::strcmp(NameStr(att->attname), kColumnNames[c]) == 0) map[i] = c;
        if (map[i] < 0) return false;
    }
    return true;
}

void fill(TupleTableSlot *slot, const int *map, const DayValues &r, Datum batch, Datum now) {
    ExecClearTuple(slot);
    int natts = slot->tts_tupleDescriptor->natts;
    for (int i = 0; i < natts; ++i) {
        Datum v = 0;
        bool null = false;
        switch (map[i]) {
        case kAd:
            v = Int32GetDatum(r.ad);
            break;
        case kReportDate:
            v = DateADTGetDatum(r.report_date);
            break;
        case kPeriodEnd:
            v = DateADTGetDatum(r.period_end);
            break;
        case kSourceLines:
            v = Int32GetDatum(r.source_lines);
            break;
        case kImpressions:
            v = Int64GetDatum(r.impressions);
            break;
        case kClicks:
            v = Int64GetDatum(r.clicks);
            break;
        case kReach:
            v = Int64GetDatum(r.reach);
            null = !r.has_reach;
            break;
        case kSpend:
            v = Int64GetDatum(r.spend);
            break;
        case kConversions:
            v = Int64GetDatum(r.conversions);
            break;
        case kConversionValue:
            v = Int64GetDatum(r.conversion_value);
            break;
        case kImportBatchId:
            v = batch;
            break;
        case kCreatedAt:
        case kUpdatedAt:
            v = now;
            break;
        case kCurrency:
            v = Int16GetDatum(static_cast<int16>(r.currency));
            null = !r.has_currency;
            break;
        default:
            null = true; // a dropped column
        }
        slot->tts_values[i] = v;
        slot->tts_isnull[i] = null;
    }
    ExecStoreVirtualTuple(slot);
}

// -1: not a plain insert target (nothing written). Allocates in the current memory context.
std::int64_t insert_days_in(const DayValues *rows, std::size_t n, std::int64_t batch_id) {
    Oid relid = get_relname_relid("ad_days", get_namespace_oid("rolloy_internal", false));
    if (!OidIsValid(relid)) return -1;
    Relation rel = table_open(relid, RowExclusiveLock);
    TupleDesc desc = RelationGetDescr(rel);
    int *map = static_cast<int *>(palloc(sizeof(int) * static_cast<std::size_t>(desc->natts)));
    if (!plain_insert_target(rel) || !map_columns(desc, map)) {
        pfree(map);
        table_close(rel, RowExclusiveLock);
        return -1;
    }

    EState *estate = CreateExecutorState();
    ResultRelInfo *result = makeNode(ResultRelInfo);
    // Range table index 0: no range table; ExecConstraints' error message then shows the values
    // the caller may read (it reads the whole table: it is the definer).
    InitResultRelInfo(result, rel, 0, nullptr, 0);
    ExecOpenIndices(result, false);
    CommandId cid = GetCurrentCommandId(true);
    BulkInsertState bulk = GetBulkInsertState();
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
            fill(slots[j], map, rows[start + static_cast<std::size_t>(j)], batch, now);
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

    FreeBulkInsertState(bulk);
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
std::int64_t insert_days(const DayValues *rows, std::size_t n, std::int64_t batch_id) {
    MemoryContext work =
        AllocSetContextCreate(CurrentMemoryContext, "rolloy bulk day insert", ALLOCSET_DEFAULT_SIZES);
    MemoryContext caller = MemoryContextSwitchTo(work);
    std::int64_t written = insert_days_in(rows, n, batch_id);
    MemoryContextSwitchTo(caller);
    MemoryContextDelete(work);
    return written;
}

} // namespace

std::optional<std::int64_t> bulk_insert_days(const DayValues *rows, std::size_t n, std::int64_t batch_id) {
    if (n == 0) return 0;
    std::int64_t written = call([rows, n, batch_id] { return insert_days(rows, n, batch_id); });
    if (written < 0) return std::nullopt;
    return written;
}

} // namespace rolloy::pg
