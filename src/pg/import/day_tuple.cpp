#include "pg/import/day_tuple.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "utils/acl.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

#include <cstring>

namespace rolloy::pg {
namespace {

constexpr const char *kColumnNames[kDayColumns] = {
    "ad",    "report_date", "period_end",       "source_lines",    "impressions", "clicks",     "reach",
    "spend", "conversions", "conversion_value", "import_batch_id", "created_at",  "updated_at", "currency"};

} // namespace

namespace {

bool map_day_columns(TupleDesc desc, int *map, int *index) {
    for (int c = 0; c < kDayColumns; ++c)
        index[c] = -1;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        map[i] = -1;
        if (att->attisdropped) continue;
        for (int c = 0; c < kDayColumns; ++c)
            if (std::strcmp(NameStr(att->attname), kColumnNames[c]) == 0) {
                map[i] = c;
                index[c] = i;
            }
        if (map[i] < 0) return false;
    }
    for (int c = 0; c < kDayColumns; ++c)
        if (index[c] < 0) return false;
    return true;
}

} // namespace

Relation open_plain_ad_days(bool (*plain)(Relation), int **map, int *index) {
    Oid relid = get_relname_relid("ad_days", get_namespace_oid("rolloy_internal", false));
    if (!OidIsValid(relid)) return nullptr;
    Relation rel = table_open(relid, RowExclusiveLock);
    TupleDesc desc = RelationGetDescr(rel);
    *map = static_cast<int *>(palloc(sizeof(int) * static_cast<std::size_t>(desc->natts)));
    if (plain(rel) && map_day_columns(desc, *map, index)) return rel;
    pfree(*map);
    table_close(rel, RowExclusiveLock);
    return nullptr;
}

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

void fill_day_slot(TupleTableSlot *slot, const int *map, const DayValues &r, Datum batch, Datum now) {
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

} // namespace rolloy::pg
