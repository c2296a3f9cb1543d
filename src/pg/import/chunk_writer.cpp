#include "pg/import/chunk_writer.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/import/array_builder.hpp"
#include "pg/import/bulk_day_insert.hpp"
#include "pg/import/chunk_plans.hpp"
#include "pg/import/day_update.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

namespace rolloy::pg {
namespace {

// $1 batch id, $2.. one array per column. The arrays are unnested in the SELECT list
// (ProjectSet, row by row) rather than in FROM (which stores the whole chunk first).
#define ROLLOY_CHUNK_COLUMNS                                                                                 \
    "ad, report_date, period_end, source_lines, impressions, clicks, reach, spend, conversions,"             \
    " conversion_value, import_batch_id, currency"
#define ROLLOY_CHUNK_SOURCE                                                                                  \
    " SELECT u.ad, u.report_date, u.period_end, u.source_lines, u.impressions, u.clicks, u.reach, u.spend,"  \
    "        u.conversions, u.conversion_value, $1, u.currency::smallint"                                    \
    "   FROM (SELECT unnest($2::int4[]) AS ad, unnest($3::date[]) AS report_date,"                           \
    "                unnest($4::date[]) AS period_end, unnest($5::int4[]) AS source_lines,"                  \
    "                unnest($6::int8[]) AS impressions, unnest($7::int8[]) AS clicks,"                       \
    "                unnest($8::int8[]) AS reach, unnest($9::int8[]) AS spend,"                              \
    "                unnest($10::int8[]) AS conversions, unnest($11::int8[]) AS conversion_value,"           \
    "                unnest($12::int4[]) AS currency) u"

constexpr const char *kInsert =
    "INSERT INTO rolloy_internal.ad_days (" ROLLOY_CHUNK_COLUMNS ")" ROLLOY_CHUNK_SOURCE;

constexpr const char *kUpsert =
    "WITH written AS ("
    " INSERT INTO rolloy_internal.ad_days AS p (" ROLLOY_CHUNK_COLUMNS ")" ROLLOY_CHUNK_SOURCE
    " ON CONFLICT ON CONSTRAINT ad_days_pkey DO UPDATE SET" ROLLOY_CHUNK_FIGURES_ON_CONFLICT;

// Does any (ad, day) of the chunk exist? One index range scan per distinct ad of the chunk.
constexpr const char *kProbe =
    "SELECT EXISTS (SELECT 1 FROM unnest($1::int4[]) AS k(ad)"
    "                WHERE EXISTS (SELECT 1 FROM rolloy_internal.ad_days p"
    "                               WHERE p.ad = k.ad AND p.report_date BETWEEN $2 AND $3))";

// "USD" -> 20*676 + 18*26 + 3 (AAA = 0 .. ZZZ = 17575), as rolloy.performance_data decodes it.
std::optional<std::int64_t> currency_number(const std::string &code) {
    if (code.size() != 3) return std::nullopt;
    return (code[0] - 'A') * 676 + (code[1] - 'A') * 26 + (code[2] - 'A');
}

constexpr int kParams = 12;

} // namespace

ChunkWriter::ChunkWriter(std::int64_t batch_id) : batch_id_(batch_id) {
    static Oid types[kParams] = {INT8OID,      INT4ARRAYOID, DATEARRAYOID, DATEARRAYOID,
                                 INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
                                 INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT4ARRAYOID};
    static Oid probe_types[3] = {INT4ARRAYOID, DATEOID, DATEOID};
    insert_plan_ = prepare_chunk_plan(kInsert, kParams, types);
    upsert_plan_ = prepare_chunk_plan(kUpsert, kParams, types);
    probe_plan_ = prepare_chunk_plan(kProbe, 3, probe_types);
    chunk_context_ = create_chunk_context();
    bulk_state_ = begin_bulk_insert();
}

bool ChunkWriter::any_key_exists(const PendingChunk &c, AdResolver &ads) {
    std::unordered_set<std::int32_t> seen;
    std::vector<std::int32_t> keys;
    std::int32_t first = c[0].report_date, last = c[0].report_date;
    for (std::size_t i = 0; i < c.size(); ++i) {
        std::int32_t id = ads[c[i].ad].id;
        if (seen.insert(id).second) keys.push_back(id);
        first = std::min(first, c[i].report_date);
        last = std::max(last, c[i].report_date);
    }
    Datum values[3];
    char nulls[3] = {' ', ' ', ' '};
    values[0] = int4_array(chunk_context_, keys.size(), INT4OID, [&](std::size_t i) { return keys[i]; });
    values[1] = Int32GetDatum(first);
    values[2] = Int32GetDatum(last);
    return run_chunk_probe(probe_plan_, values, nulls);
}

ChunkWriter::Written ChunkWriter::write(const PendingChunk &c, bool known_to_exist, AdResolver &ads) {
    Written written;
    if (c.empty()) return written;
    std::size_t n = c.size();
    order_by_key(order_, n, [&c, &ads](std::uint32_t a, std::uint32_t b) {
        std::int32_t x = ads[c[a].ad].id, y = ads[c[b].ad].id;
        return x != y ? x < y : c[a].report_date < c[b].report_date;
    });
    days_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const PendingRow &r = c[order_[i]];
        DayValues &d = days_[i];
        d.ad = ads[r.ad].id;
        d.report_date = r.report_date;
        d.period_end = r.period_end;
        d.source_lines = r.source_lines;
        d.impressions = r.impressions;
        d.clicks = r.clicks;
        d.has_reach = r.has_reach;
        d.reach = r.reach;
        d.spend = r.spend;
        d.conversions = r.conversions;
        d.conversion_value = r.conversion_value;
        std::optional<std::int64_t> cur = currency_number(r.currency);
        d.has_currency = cur.has_value();
        d.currency = static_cast<std::int32_t>(cur.value_or(0));
    }

    absent_.resize(n);
    contended_.resize(n);
    // Ads this import created have no days but those it wrote (the first import of a platform,
    // new ads of a daily export): with no key written by an earlier chunk, nothing to look up.
    bool all_new = !known_to_exist;
    for (std::size_t i = 0; all_new && i < n; ++i)
        all_new = ads[c[i].ad].created;
    if (all_new) {
        for (std::size_t i = 0; i < n; ++i)
            absent_[i] = static_cast<std::uint32_t>(i);
        if (bulk_insert(absent_, n, &written)) return written;
    }

    // Existing days in place, then the keys not found as new days, then the contended rows by SQL.
    InPlaceUpdate in_place =
        update_days_in_place(days_.data(), n, batch_id_, absent_.data(), contended_.data());
    if (in_place.applied) {
        paths_.updated_in_place += in_place.updated;
        written.touched = in_place.updated;
        if (in_place.absent > 0 && !bulk_insert(absent_, in_place.absent, &written))
            add_by_sql(c, absent_, in_place.absent, false, ads, &written);
        if (in_place.contended > 0) add_by_sql(c, contended_, in_place.contended, true, ads, &written);
        return written;
    }

    // The table is not plain enough for the update path: one probe decides between COPY's way
    // (new keys only) and SQL.
    bool upsert = known_to_exist || any_key_exists(c, ads);
    reset_chunk_context(chunk_context_);
    for (std::size_t i = 0; i < n; ++i)
        absent_[i] = static_cast<std::uint32_t>(i);
    if (!upsert && !all_new && bulk_insert(absent_, n, &written)) return written;
    subset_.assign(order_.begin(), order_.end());
    return write_by_sql(c, upsert, ads);
}

void ChunkWriter::report_paths() const {
    const Paths *p = &paths_;
    call([p] {
        elog(DEBUG1,
             "rolloy import: %lld days inserted in bulk, %lld by SQL INSERT; %lld updated in place, %lld by "
             "SQL "
             "upsert",
             static_cast<long long>(p->bulk_inserted), static_cast<long long>(p->sql_inserted),
             static_cast<long long>(p->updated_in_place), static_cast<long long>(p->sql_upserted));
    });
}

void ChunkWriter::add_by_sql(const PendingChunk &c, const std::vector<std::uint32_t> &which, std::size_t n,
                             bool upsert, AdResolver &ads, Written *written) {
    subset_.clear();
    for (std::size_t k = 0; k < n; ++k)
        subset_.push_back(order_[which[k]]);
    Written w = write_by_sql(c, upsert, ads);
    written->inserted += w.inserted;
    written->touched += w.touched;
}

bool ChunkWriter::bulk_insert(const std::vector<std::uint32_t> &which, std::size_t n, Written *written) {
    new_days_.resize(n);
    for (std::size_t k = 0; k < n; ++k)
        new_days_[k] = days_[which[k]];
    std::optional<std::int64_t> bulk = bulk_insert_days(new_days_.data(), n, batch_id_, bulk_state_);
    if (!bulk) return false;
    paths_.bulk_inserted += *bulk;
    written->inserted += *bulk;
    written->touched += *bulk;
    return true;
}

ChunkWriter::Written ChunkWriter::write_by_sql(const PendingChunk &c, bool upsert, AdResolver &ads) {
    Written written;
    std::size_t n = subset_.size();
    {
        MemoryContext ctx = chunk_context_;
        auto row = [this, &c](std::size_t i) -> const PendingRow & { return c[subset_[i]]; };
        auto some = [](std::int64_t v) { return std::optional<std::int64_t>(v); };
        Datum values[kParams];
        char nulls[kParams];
        for (char &x : nulls)
            x = ' ';
        values[0] = Int64GetDatum(batch_id_);
        values[1] = int4_array(ctx, n, INT4OID, [&](std::size_t i) { return ads[row(i).ad].id; });
        values[2] = int4_array(ctx, n, DATEOID, [&](std::size_t i) { return row(i).report_date; });
        values[3] = int4_array(ctx, n, DATEOID, [&](std::size_t i) { return row(i).period_end; });
        values[4] = int4_array(ctx, n, INT4OID, [&](std::size_t i) { return row(i).source_lines; });
        values[5] = int8_array(ctx, n, [&](std::size_t i) { return some(row(i).impressions); });
        values[6] = int8_array(ctx, n, [&](std::size_t i) { return some(row(i).clicks); });
        values[7] = int8_array(
            ctx, n, [&](std::size_t i) { return row(i).has_reach ? some(row(i).reach) : std::nullopt; });
        values[8] = int8_array(ctx, n, [&](std::size_t i) { return some(row(i).spend); });
        values[9] = int8_array(ctx, n, [&](std::size_t i) { return some(row(i).conversions); });
        values[10] = int8_array(ctx, n, [&](std::size_t i) { return some(row(i).conversion_value); });
        values[11] =
            nullable_int4_array(ctx, n, [&](std::size_t i) { return currency_number(row(i).currency); });

        if (!upsert) {
            written.inserted = written.touched = run_chunk_insert(insert_plan_, values, nulls);
            paths_.sql_inserted += written.inserted;
        } else {
            run_chunk_upsert(upsert_plan_, values, nulls, &written.inserted, &written.touched);
            paths_.sql_upserted += written.touched;
        }
    }
    reset_chunk_context(chunk_context_);
    return written;
}

} // namespace rolloy::pg
