#include "pg/import/day_update.hpp"

#include "pg/common/guard.hpp"
#include "pg/import/day_tuple.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/acl.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <cstring>

namespace rolloy::pg {
namespace {

// The one update trigger ad_days has (52_ad_performance.sql): BEFORE UPDATE FOR EACH ROW, sets
// updated_at = now() when the statement did not change it. This writer sets updated_at = now()
// itself, so the trigger would change nothing: skipping it is the same statement. Any other
// update trigger (or this one in another form) and the SQL upsert fires them.
bool only_touch_trigger(Relation rel) {
    TriggerDesc *t = rel->trigdesc;
    if (t == nullptr) return true;
    if (t->trig_update_after_row || t->trig_update_instead_row || t->trig_update_before_statement ||
        t->trig_update_after_statement || t->trig_update_old_table || t->trig_update_new_table)
        return false;
    for (int i = 0; i < t->numtriggers; ++i) {
        const Trigger &g = t->triggers[i];
        if (!TRIGGER_FOR_UPDATE(g.tgtype)) continue;
        if (!TRIGGER_FOR_ROW(g.tgtype) || !TRIGGER_FOR_BEFORE(g.tgtype)) return false;
        const char *fn = get_func_name(g.tgfoid);
        char *ns = get_namespace_name(get_func_namespace(g.tgfoid));
        if (fn == nullptr || ns == nullptr || std::strcmp(fn, "_touch_updated_at") != 0 ||
            std::strcmp(ns, "rolloy_internal") != 0)
            return false;
    }
    return true;
}

bool plain_update_target(Relation rel) {
    if (!plain_insert_target(rel) || !only_touch_trigger(rel)) return false;
    // Both: pg_class_aclcheck() of a mask answers OK when any one of its bits is granted.
    Oid relid = RelationGetRelid(rel);
    return pg_class_aclcheck(relid, GetUserId(), ACL_UPDATE) == ACLCHECK_OK &&
           pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

// The primary key (ad, report_date) among the result relation's open indexes, or nullptr.
Relation primary_key(ResultRelInfo *result, const int *index) {
    Oid pk = RelationGetPrimaryKeyIndex(result->ri_RelationDesc);
    for (int i = 0; i < result->ri_NumIndices; ++i) {
        Relation idx = result->ri_IndexRelationDescs[i];
        if (RelationGetRelid(idx) != pk) continue;
        Form_pg_index form = idx->rd_index;
        if (form->indnkeyatts != 2 || form->indkey.values[0] != index[kAd] + 1 ||
            form->indkey.values[1] != index[kReportDate] + 1 || idx->rd_rel->relam != BTREE_AM_OID)
            return nullptr;
        return idx;
    }
    return nullptr;
}

std::int64_t add_int8(std::int64_t a, std::int64_t b) {
    std::int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("bigint out of range")));
    return sum;
}

// The figures of ROLLOY_CHUNK_FIGURES("u") for an existing row `old` (its datums by DayColumn).
DayValues merged(const DayValues &r, const Datum *v, const bool *null, const int *index,
                 std::int64_t batch_id) {
    DayValues d = r;
    bool same_import = !null[index[kImportBatchId]] && DatumGetInt64(v[index[kImportBatchId]]) == batch_id;
    if (!same_import) return d;
    d.period_end = std::max(d.period_end, static_cast<std::int32_t>(DatumGetDateADT(v[index[kPeriodEnd]])));
    std::int32_t lines;
    if (__builtin_add_overflow(DatumGetInt32(v[index[kSourceLines]]), r.source_lines, &lines))
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("integer out of range")));
    d.source_lines = lines;
    d.impressions = add_int8(DatumGetInt64(v[index[kImpressions]]), r.impressions);
    d.clicks = add_int8(DatumGetInt64(v[index[kClicks]]), r.clicks);
    if (!null[index[kReach]]) {
        d.reach = add_int8(DatumGetInt64(v[index[kReach]]), r.has_reach ? r.reach : 0);
        d.has_reach = true;
    }
    d.spend = add_int8(DatumGetInt64(v[index[kSpend]]), r.spend);
    d.conversions = add_int8(DatumGetInt64(v[index[kConversions]]), r.conversions);
    d.conversion_value = add_int8(DatumGetInt64(v[index[kConversionValue]]), r.conversion_value);
    if (!null[index[kCurrency]]) {
        d.currency = DatumGetInt16(v[index[kCurrency]]);
        d.has_currency = true;
    }
    return d;
}

struct Work {
    Relation rel;
    ResultRelInfo *result;
    EState *estate;
    Relation pk;
    const int *map, *index;
    Snapshot snapshot;
    CommandId cid;
    Datum batch, now;
    std::int64_t batch_id;
    bool check;
};

// Updates the row `old` (the visible version of rows[i]'s key) to rows[i]'s figures; false when
// a concurrent transaction changed or deleted it first.
bool update_one(Work &w, TupleTableSlot *old, TupleTableSlot *next, const DayValues &r) {
    slot_getallattrs(old);
    DayValues d = merged(r, old->tts_values, old->tts_isnull, w.index, w.batch_id);
    fill_day_slot(next, w.map, d, w.batch, w.now);
    next->tts_values[w.index[kCreatedAt]] = old->tts_values[w.index[kCreatedAt]]; // an UPDATE keeps it
    next->tts_isnull[w.index[kCreatedAt]] = old->tts_isnull[w.index[kCreatedAt]];
    if (w.check) ExecConstraints(w.result, next, w.estate);
    ItemPointerData tid = old->tts_tid;
    TM_FailureData failure;
    LockTupleMode lock_mode;
    bool update_indexes = false;
    TM_Result status = table_tuple_update(w.rel, &tid, next, w.cid, w.snapshot, InvalidSnapshot, true,
                                          &failure, &lock_mode, &update_indexes);
    switch (status) {
    case TM_Ok:
        break;
    case TM_Updated:
    case TM_Deleted:
        return false; // the SQL upsert decides on the newest version
    default:
        // TM_SelfModified cannot happen (the chunk's keys are distinct, each written once) and
        // TM_Invisible only for a tuple the snapshot does not see.
        elog(ERROR, "rolloy: unexpected result %d updating a day row", static_cast<int>(status));
    }
    if (update_indexes) // not HOT: the new version needs its index entries
        list_free(ExecInsertIndexTuples(w.result, next, w.estate, true, false, nullptr, NIL));
    ResetPerTupleExprContext(w.estate);
    return true;
}

// -1: not a plain update target (nothing written). Allocates in the current memory context.
std::int64_t update_days_in(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                            std::uint32_t *absent, std::uint32_t *contended, std::size_t *n_absent,
                            std::size_t *n_contended) {
    int *map = nullptr;
    int index[kDayColumns];
    Relation rel = open_plain_ad_days(plain_update_target, &map, index);
    if (rel == nullptr) return -1;
    TupleDesc desc = RelationGetDescr(rel);
    Work w{};
    w.rel = rel;
    w.map = map;
    w.index = index;
    w.estate = CreateExecutorState();
    w.result = makeNode(ResultRelInfo);
    InitResultRelInfo(w.result, rel, 0, nullptr, 0); // as bulk_day_insert.cpp
    ExecOpenIndices(w.result, false);
    w.pk = primary_key(w.result, index);
    if (w.pk == nullptr) {
        ExecCloseIndices(w.result);
        FreeExecutorState(w.estate);
        table_close(rel, RowExclusiveLock);
        return -1;
    }
    // What the next SQL statement of the import would read with: earlier chunks' rows are seen,
    // the versions written here (this command id) are not.
    w.snapshot = RegisterSnapshot(GetTransactionSnapshot());
    w.cid = GetCurrentCommandId(true);
    w.batch_id = batch_id;
    w.batch = Int64GetDatum(batch_id);
    w.now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()); // what now() gives
    w.check = desc->constr != nullptr;
    TupleTableSlot *old = table_slot_create(rel, nullptr);
    TupleTableSlot *next = table_slot_create(rel, nullptr);
    IndexScanDesc scan = index_beginscan(rel, w.pk, w.snapshot, 3, 0);
    ScanKeyData keys[3];
    std::int64_t updated = 0;

    for (std::size_t first = 0; first < n;) {
        std::size_t end = first;
        while (end < n && rows[end].ad == rows[first].ad)
            ++end;
        // ad = x AND report_date BETWEEN the chunk's first and last day of x: one descent, then
        // the leaf pages in order, merged with the chunk's rows (both in key order).
        ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(rows[first].ad));
        ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_DATE_GE,
                    DateADTGetDatum(rows[first].report_date));
        ScanKeyInit(&keys[2], 2, BTLessEqualStrategyNumber, F_DATE_LE,
                    DateADTGetDatum(rows[end - 1].report_date));
        index_rescan(scan, keys, 3, nullptr, 0);
        std::size_t i = first;
        while (i < end && index_getnext_slot(scan, ForwardScanDirection, old)) {
            bool null;
            DateADT day = DatumGetDateADT(slot_getattr(old, index[kReportDate] + 1, &null));
            while (i < end && rows[i].report_date < day)
                absent[(*n_absent)++] = static_cast<std::uint32_t>(i++);
            if (i < end && rows[i].report_date == day) {
                if (update_one(w, old, next, rows[i]))
                    ++updated;
                else
                    contended[(*n_contended)++] = static_cast<std::uint32_t>(i);
                ++i;
            }
        }
        while (i < end)
            absent[(*n_absent)++] = static_cast<std::uint32_t>(i++);
        first = end;
        CHECK_FOR_INTERRUPTS();
    }

    index_endscan(scan);
    ExecDropSingleTupleTableSlot(old);
    ExecDropSingleTupleTableSlot(next);
    UnregisterSnapshot(w.snapshot);
    ExecCloseIndices(w.result);
    FreeExecutorState(w.estate);
    table_close(rel, NoLock);  // the lock is kept to the end of the transaction, as an UPDATE's
    CommandCounterIncrement(); // the next statement of the import sees these versions
    return updated;
}

} // namespace

InPlaceUpdate update_days_in_place(const DayValues *rows, std::size_t n, std::int64_t batch_id,
                                   std::uint32_t *absent, std::uint32_t *contended) {
    InPlaceUpdate out;
    if (n == 0) {
        out.applied = true;
        return out;
    }
    std::size_t *n_absent = &out.absent, *n_contended = &out.contended;
    std::int64_t updated = call([=] {
        // table_tuple_update and the index scan leave memory in the current context: a context
        // of the chunk's own takes it.
        MemoryContext work =
            AllocSetContextCreate(CurrentMemoryContext, "rolloy day update", ALLOCSET_DEFAULT_SIZES);
        MemoryContext caller = MemoryContextSwitchTo(work);
        std::int64_t written = update_days_in(rows, n, batch_id, absent, contended, n_absent, n_contended);
        MemoryContextSwitchTo(caller);
        MemoryContextDelete(work);
        return written;
    });
    if (updated < 0) return InPlaceUpdate{};
    out.applied = true;
    out.updated = updated;
    return out;
}

} // namespace rolloy::pg
