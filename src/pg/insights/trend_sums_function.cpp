// rolloy_internal._trend_sums(owner uuid, weeks date[], months date[]) -> SETOF (is_week, period_start,
// currency, dimension, category, scene, action, driver, format, impressions, clicks, conversions,
// spend, conversion_value, creatives, last_day): the sums of the kind "trend"
// (63_insight_kind_trends.sql names and stores them), computed by src/core/insights/trend_sums
// in one pass over the rollup's pieces (that header says why not in SQL).
//
// owner NULL: every creative; else the creatives that user made (a member's trends at read
// time). weeks NULL: every period; else only these ISO weeks and months (a refresh after an
// import), a NULL months then meaning none.
//
// The pieces are read through a cursor in batches and copied into plain structs under the guard;
// the core adds them outside it, so its exceptions never cross a Postgres frame. Results go to a
// tuplestore after SPI is finished.
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"

#include "core/insights/trend_sums.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
}

using rolloy::insights::TrendPiece;
using rolloy::insights::TrendRow;
using rolloy::insights::TrendSums;
using rolloy::pg::call;

namespace {

constexpr long kBatchRows = 10000;
constexpr int kPieceColumns = 10;
constexpr int kResultColumns = 16;
const char *const kDimensionNames[] = {"category", "scene", "action", "driver", "format"};

// The creatives counted and their ads, with the ABCD as ids (the category is a code: mapped to ids
// here and back on the way out).
constexpr const char *kCreativesSql = R"(
    SELECT a.id, c.id, s.category_code, c.scene_id, c.action_id, c.driver_id, c.format_id
      FROM rolloy.ads a
      JOIN rolloy.creative_projects c ON c.id = a.project_id
      JOIN rolloy.scenes s ON s.id = c.scene_id
     WHERE $1::uuid IS NULL OR c.created_by = $1::uuid
     ORDER BY c.id, a.id)";

// Every piece (the brand's trends over all periods): one scan.
constexpr const char *kAllPiecesSql = R"(
    SELECT p.ad, p.week_start, p.month_start, p.currency, p.last_day, p.impressions, p.clicks, p.conversions,
           p.spend, p.conversion_value
      FROM rolloy_internal.insight_pieces p)";

// The pieces of some ads over all periods (a member's trends, read when she reads them): a range of
// the index on (ad, week_start) per ad, not a scan of every creative's pieces.
constexpr const char *kAdsPiecesSql = R"(
    SELECT p.ad, p.week_start, p.month_start, p.currency, p.last_day, p.impressions, p.clicks, p.conversions,
           p.spend, p.conversion_value
      FROM rolloy_internal.insight_pieces p
     WHERE p.ad = ANY ($1))";

// The pieces of the periods wanted, of the ads counted: their weeks lie within the span, a range
// of the index per ad (at 1M facts 3 ms for a new week, where a scan of all pieces took 15).
constexpr const char *kPeriodsPiecesSql = R"(
    SELECT p.ad, p.week_start, p.month_start, p.currency, p.last_day, p.impressions, p.clicks, p.conversions,
           p.spend, p.conversion_value
      FROM rolloy_internal.insight_pieces p
     WHERE p.ad = ANY ($1) AND p.week_start >= $2 AND p.week_start <= $3
       AND (p.week_start = ANY ($4) OR p.month_start = ANY ($5)))";

struct DateList {
    bool is_null;
    int count;
    DateADT *days; // palloc'd in the function's context, read before it ends
};

DateList date_array_arg(FunctionCallInfo fcinfo, int argno) {
    return call([fcinfo, argno] {
        if (PG_ARGISNULL(argno)) return DateList{true, 0, nullptr};
        ArrayType *array = PG_GETARG_ARRAYTYPE_P(argno);
        Datum *elements;
        bool *nulls;
        int count;
        deconstruct_array(array, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elements, &nulls, &count);
        auto *days = static_cast<DateADT *>(palloc(sizeof(DateADT) * (count > 0 ? count : 1)));
        int kept = 0;
        for (int i = 0; i < count; ++i)
            if (!nulls[i]) days[kept++] = DatumGetDateADT(elements[i]);
        return DateList{false, kept, days};
    });
}

std::vector<int32_t> to_vector(const DateList &list) {
    return std::vector<int32_t>(list.days, list.days + list.count);
}

// Creatives and ads into the sums (the ads also into `ads`); returns the category codes by id.
std::vector<std::string> add_creatives(rolloy::pg::SpiConnection &spi, const rolloy::pg::SqlValue &owner,
                                       TrendSums &sums, std::vector<int32_t> &ads) {
    std::vector<std::string> categories;
    std::map<std::string, int32_t> category_ids;
    std::unordered_map<std::string, int> creatives;
    for (const auto &row : spi.query(kCreativesSql, {owner}, true)) {
        auto [category, added] = category_ids.emplace(*row[2], static_cast<int32_t>(categories.size()));
        if (added) categories.push_back(*row[2]);
        auto [creative, is_new] = creatives.emplace(*row[1], 0);
        if (is_new)
            creative->second = sums.add_creative({category->second, std::stoi(*row[3]), std::stoi(*row[4]),
                                                  std::stoi(*row[5]), std::stoi(*row[6])});
        ads.push_back(std::stoi(*row[0]));
        sums.add_ad(ads.back(), creative->second);
    }
    return categories;
}

Datum int4_array(const std::vector<int32_t> &values) {
    const int32_t *data = values.data();
    const int count = static_cast<int>(values.size());
    return call([data, count] {
        auto *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
        for (int i = 0; i < count; ++i)
            elements[i] = Int32GetDatum(data[i]);
        return PointerGetDatum(construct_array(elements, count, INT4OID, sizeof(int32), true, TYPALIGN_INT));
    });
}

// owner: whether only some creatives count (then their ads' pieces are read by index).
Portal open_pieces(bool owner, const std::vector<int32_t> &ads, const DateList &weeks, const DateList &months,
                   Datum weeks_array, Datum months_array) {
    if (weeks.is_null && !owner)
        return call([] {
            return SPI_cursor_open_with_args(nullptr, kAllPiecesSql, 0, nullptr, nullptr, nullptr, true, 0);
        });
    const Datum ads_array = int4_array(ads);
    if (weeks.is_null)
        return call([ads_array] {
            Oid types[1] = {INT4ARRAYOID};
            Datum values[1] = {ads_array};
            return SPI_cursor_open_with_args(nullptr, kAdsPiecesSql, 1, types, values, nullptr, true, 0);
        });
    DateADT first = DATEVAL_NOEND, last = DATEVAL_NOBEGIN;
    for (const DateList *list : {&weeks, &months})
        for (int i = 0; i < list->count; ++i) {
            first = std::min(first, list->days[i]);
            last = std::max(last, list->days[i]);
        }
    // A piece's week starts at most 6 days before its month and at most 31 days after its month's start.
    const Datum first_week = DateADTGetDatum(first - 6), last_week = DateADTGetDatum(last + 31);
    const bool months_null = months.is_null;
    return call([ads_array, first_week, last_week, weeks_array, months_array, months_null] {
        Oid types[5] = {INT4ARRAYOID, DATEOID, DATEOID, DATEARRAYOID, DATEARRAYOID};
        Datum values[5] = {ads_array, first_week, last_week, weeks_array, months_array};
        char nulls[5] = {' ', ' ', ' ', ' ', months_null ? 'n' : ' '};
        return SPI_cursor_open_with_args(nullptr, kPeriodsPiecesSql, 5, types, values, nulls, true, 0);
    });
}

// Moves the next batch of pieces into `out`; returns how many (0 at the end).
uint64 fetch_pieces(Portal portal, std::vector<TrendPiece> &out) {
    const uint64 n = call([portal] {
        SPI_cursor_fetch(portal, true, kBatchRows);
        return SPI_processed;
    });
    out.resize(n);
    TrendPiece *pieces = out.data();
    call([pieces, n] {
        Datum v[kPieceColumns];
        bool isnull[kPieceColumns];
        for (uint64 i = 0; i < n; ++i) {
            heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, v, isnull);
            for (bool null : isnull)
                if (null) elog(ERROR, "rolloy: a piece of the insight rollup has a NULL");
            TrendPiece &p = pieces[i];
            p.ad = DatumGetInt32(v[0]);
            p.week_start = DatumGetDateADT(v[1]);
            p.month_start = DatumGetDateADT(v[2]);
            p.currency = DatumGetInt16(v[3]);
            p.last_day = DatumGetDateADT(v[4]);
            for (int m = 0; m < rolloy::insights::kTrendMetrics; ++m)
                p.sums[m] = DatumGetInt64(v[5 + m]);
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return n;
}

void put_rows(ReturnSetInfo *rsinfo, const std::vector<TrendRow> &rows,
              const std::vector<std::string> &categories) {
    const TrendRow *row_data = rows.data();
    const std::size_t count = rows.size();
    const std::string *category_codes = categories.data();
    call([rsinfo, row_data, count, category_codes] {
        Datum v[kResultColumns];
        bool isnull[kResultColumns];
        for (std::size_t i = 0; i < count; ++i) {
            const TrendRow &r = row_data[i];
            for (bool &n : isnull)
                n = false;
            v[0] = BoolGetDatum(r.grain == rolloy::insights::TrendGrain::Week);
            v[1] = DateADTGetDatum(r.period_start);
            v[2] = Int16GetDatum(r.currency);
            v[3] = CStringGetTextDatum(r.dimension < 0 ? "all" : kDimensionNames[r.dimension]);
            for (int d = 0; d < rolloy::insights::kTrendDimensions; ++d)
                isnull[4 + d] = d != r.dimension;
            if (r.dimension == 0) v[4] = CStringGetTextDatum(category_codes[r.value].c_str());
            for (int d = 1; d < rolloy::insights::kTrendDimensions; ++d)
                if (d == r.dimension) v[4 + d] = Int32GetDatum(r.value);
            for (int m = 0; m < rolloy::insights::kTrendMetrics; ++m)
                v[9 + m] = Int64GetDatum(r.sums[m]);
            v[14] = Int64GetDatum(r.creatives);
            v[15] = DateADTGetDatum(r.last_day);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, isnull);
        }
    });
}

} // namespace

ROLLOY_FUNCTION(rolloy_trend_sums) {
    call([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
    auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    rolloy::pg::SqlValue owner;
    if (!PG_ARGISNULL(0))
        owner = std::string(
            call([fcinfo] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0))); }));
    const DateList weeks = date_array_arg(fcinfo, 1), months = date_array_arg(fcinfo, 2);

    TrendSums sums;
    if (!weeks.is_null) sums.only_periods(to_vector(weeks), to_vector(months));
    rolloy::pg::SpiConnection spi;
    std::vector<int32_t> ads;
    const std::vector<std::string> categories = add_creatives(spi, owner, sums, ads);
    Portal portal =
        open_pieces(owner.has_value(), ads, weeks, months, weeks.is_null ? Datum(0) : PG_GETARG_DATUM(1),
                    months.is_null ? Datum(0) : PG_GETARG_DATUM(2));
    std::vector<TrendPiece> batch;
    while (fetch_pieces(portal, batch) > 0) {
        for (const TrendPiece &piece : batch)
            sums.add(piece);
        call([] { CHECK_FOR_INTERRUPTS(); });
    }
    call([portal] { SPI_cursor_close(portal); });
    spi.finish();
    put_rows(rsinfo, sums.rows(), categories);
    return Datum(0);
}
