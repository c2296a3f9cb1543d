#include "pg/import/legacy_chunk_writer.hpp"

#include "pg/common/spi.hpp"
#include "pg/import/array_builder.hpp"
#include "pg/import/chunk_plans.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

namespace rolloy::pg {
namespace {

// $1 platform, $2 batch id, $3.. one array per column. The arrays are unnested in the SELECT
// list (ProjectSet, row by row) rather than in FROM (which stores the whole chunk first).
#define ROLLOY_CHUNK_COLUMNS                                                                                 \
    "platform, ad_key, ad_id, ad_name, campaign, ad_group, report_date, period_end, project_id,"             \
    " image_id, creative_name, impressions, reach, clicks, spend, currency, conversions,"                    \
    " conversion_value, source_lines, import_batch_id"
#define ROLLOY_CHUNK_SOURCE                                                                                  \
    " SELECT $1::rolloy.ad_platform, u.ad_key, u.ad_id, u.ad_name, u.campaign, u.ad_group,"                  \
    "        u.report_date, u.period_end, u.project_id, u.image_id, u.creative_name,"                        \
    "        u.impressions, u.reach, u.clicks, u.spend * 0.000001, u.currency,"                              \
    "        u.conversions * 0.000001, u.conversion_value * 0.000001, u.source_lines, $2"                    \
    "   FROM (SELECT unnest($3::text[]) AS ad_key, unnest($4::text[]) AS ad_id,"                             \
    "                unnest($5::text[]) AS ad_name, unnest($6::text[]) AS campaign,"                         \
    "                unnest($7::text[]) AS ad_group, unnest($8::date[]) AS report_date,"                     \
    "                unnest($9::date[]) AS period_end, unnest($10::uuid[]) AS project_id,"                   \
    "                unnest($11::uuid[]) AS image_id, unnest($12::text[]) AS creative_name,"                 \
    "                unnest($13::int8[]) AS impressions, unnest($14::int8[]) AS reach,"                      \
    "                unnest($15::int8[]) AS clicks, unnest($16::int8[]) AS spend,"                           \
    "                unnest($17::text[]) AS currency, unnest($18::int8[]) AS conversions,"                   \
    "                unnest($19::int8[]) AS conversion_value, unnest($20::int4[]) AS source_lines) u"

constexpr const char *kInsert =
    "INSERT INTO rolloy.performance_data (" ROLLOY_CHUNK_COLUMNS ")" ROLLOY_CHUNK_SOURCE;

constexpr const char *kUpsert =
    "WITH written AS ("
    " INSERT INTO rolloy.performance_data AS p (" ROLLOY_CHUNK_COLUMNS ")" ROLLOY_CHUNK_SOURCE R"SQL(
    ON CONFLICT ON CONSTRAINT performance_data_natural_key DO UPDATE SET
        -- same import (an earlier chunk): add the line; an earlier import: replace the row.
        ad_id = CASE WHEN p.import_batch_id = EXCLUDED.import_batch_id THEN p.ad_id ELSE EXCLUDED.ad_id END,
        ad_name = CASE WHEN p.import_batch_id = EXCLUDED.import_batch_id THEN p.ad_name ELSE EXCLUDED.ad_name END,
        campaign = CASE WHEN p.import_batch_id = EXCLUDED.import_batch_id THEN p.campaign ELSE EXCLUDED.campaign END,
        ad_group = CASE WHEN p.import_batch_id = EXCLUDED.import_batch_id THEN p.ad_group ELSE EXCLUDED.ad_group END,
        creative_name = CASE WHEN p.import_batch_id = EXCLUDED.import_batch_id THEN p.creative_name
                             ELSE EXCLUDED.creative_name END,
        -- a link is never undone by an import: a name that matches nothing keeps the old link
        project_id = CASE WHEN EXCLUDED.project_id IS NULL THEN p.project_id ELSE EXCLUDED.project_id END,
        image_id = CASE WHEN EXCLUDED.project_id IS NULL THEN p.image_id ELSE EXCLUDED.image_id END,
)SQL" ROLLOY_CHUNK_FIGURES_ON_CONFLICT;

// Does any (ad, day) of the chunk exist? One index range scan per distinct ad of the chunk.
constexpr const char *kProbe =
    "SELECT EXISTS (SELECT 1 FROM unnest($2::text[]) AS k(ad_key)"
    "                WHERE EXISTS (SELECT 1 FROM rolloy.performance_data p"
    "                               WHERE p.ad_key = k.ad_key AND p.report_date BETWEEN $3 AND $4"
    "                                 AND p.platform = $1::rolloy.ad_platform))";

constexpr int kParams = 20;

std::optional<std::string_view> text_or_null(const std::string &s) {
    if (s.empty()) return std::nullopt;
    return std::string_view(s);
}

} // namespace

LegacyChunkWriter::LegacyChunkWriter(std::string platform, std::int64_t batch_id)
    : platform_(std::move(platform)), batch_id_(batch_id) {
    static Oid types[kParams] = {TEXTOID,      INT8OID,      TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
                                 TEXTARRAYOID, TEXTARRAYOID, DATEARRAYOID, DATEARRAYOID, UUIDARRAYOID,
                                 UUIDARRAYOID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
                                 INT8ARRAYOID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT4ARRAYOID};
    static Oid probe_types[4] = {TEXTOID, TEXTARRAYOID, DATEOID, DATEOID};
    insert_plan_ = prepare_chunk_plan(kInsert, kParams, types);
    upsert_plan_ = prepare_chunk_plan(kUpsert, kParams, types);
    probe_plan_ = prepare_chunk_plan(kProbe, 4, probe_types);
    chunk_context_ = create_chunk_context();
}

bool LegacyChunkWriter::any_key_exists(const PendingChunk &c, AdResolver &ads) {
    std::unordered_set<std::string_view> seen;
    std::vector<std::string_view> keys;
    std::int32_t first = c[0].report_date, last = c[0].report_date;
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (seen.insert(ads[c[i].ad].key).second) keys.push_back(ads[c[i].ad].key);
        first = std::min(first, c[i].report_date);
        last = std::max(last, c[i].report_date);
    }
    Datum values[4];
    char nulls[4] = {' ', ' ', ' ', ' '};
    values[0] = text_in(chunk_context_, platform_);
    values[1] = text_array(chunk_context_, keys.size(),
                           [&](std::size_t i) { return std::optional<std::string_view>(keys[i]); });
    values[2] = Int32GetDatum(first);
    values[3] = Int32GetDatum(last);
    return run_chunk_probe(probe_plan_, values, nulls);
}

LegacyChunkWriter::Written LegacyChunkWriter::write(const PendingChunk &c, bool known_to_exist,
                                                    AdResolver &ads) {
    Written written;
    if (c.empty()) return written;
    std::size_t n = c.size();
    {
        MemoryContext ctx = chunk_context_;
        written.upserted = known_to_exist || any_key_exists(c, ads);
        order_by_key(order_, n, [&c, &ads](std::uint32_t a, std::uint32_t b) {
            int k = ads[c[a].ad].key.compare(ads[c[b].ad].key); // bytewise, as COLLATE "C"
            return k != 0 ? k < 0 : c[a].report_date < c[b].report_date;
        });
        auto row = [this, &c](std::size_t i) -> const PendingRow & { return c[order_[i]]; };
        auto ad = [&](std::size_t i) -> const AdRecord & { return ads[row(i).ad]; };
        Datum values[kParams];
        char nulls[kParams];
        for (char &x : nulls)
            x = ' ';
        values[0] = text_in(ctx, platform_);
        values[1] = Int64GetDatum(batch_id_);
        values[2] =
            text_array(ctx, n, [&](std::size_t i) { return std::optional<std::string_view>(ad(i).key); });
        values[3] = text_array(ctx, n, [&](std::size_t i) { return text_or_null(ad(i).ad_id); });
        values[4] =
            text_array(ctx, n, [&](std::size_t i) { return std::optional<std::string_view>(ad(i).ad_name); });
        values[5] = text_array(ctx, n, [&](std::size_t i) { return text_or_null(ad(i).campaign); });
        values[6] = text_array(ctx, n, [&](std::size_t i) { return text_or_null(ad(i).ad_group); });
        values[7] = int4_array(ctx, n, DATEOID, [&](std::size_t i) { return row(i).report_date; });
        values[8] = int4_array(ctx, n, DATEOID, [&](std::size_t i) { return row(i).period_end; });
        values[9] =
            uuid_array(ctx, n, [&](std::size_t i) { return ad(i).has_project ? &ad(i).project : nullptr; });
        values[10] =
            uuid_array(ctx, n, [&](std::size_t i) { return ad(i).has_image ? &ad(i).image : nullptr; });
        values[11] = text_array(ctx, n, [&](std::size_t i) { return text_or_null(ad(i).creative_name); });
        values[12] = int8_array(
            ctx, n, [&](std::size_t i) { return std::optional<std::int64_t>(row(i).impressions); });
        values[13] = int8_array(ctx, n, [&](std::size_t i) {
            return row(i).has_reach ? std::optional<std::int64_t>(row(i).reach) : std::nullopt;
        });
        values[14] =
            int8_array(ctx, n, [&](std::size_t i) { return std::optional<std::int64_t>(row(i).clicks); });
        values[15] =
            int8_array(ctx, n, [&](std::size_t i) { return std::optional<std::int64_t>(row(i).spend); });
        values[16] = text_array(ctx, n, [&](std::size_t i) { return text_or_null(row(i).currency); });
        values[17] = int8_array(
            ctx, n, [&](std::size_t i) { return std::optional<std::int64_t>(row(i).conversions); });
        values[18] = int8_array(
            ctx, n, [&](std::size_t i) { return std::optional<std::int64_t>(row(i).conversion_value); });
        values[19] = int4_array(ctx, n, INT4OID, [&](std::size_t i) { return row(i).source_lines; });

        if (!written.upserted)
            written.inserted = written.touched = run_chunk_insert(insert_plan_, values, nulls);
        else
            run_chunk_upsert(upsert_plan_, values, nulls, &written.inserted, &written.touched);
    }
    reset_chunk_context(chunk_context_);
    return written;
}

} // namespace rolloy::pg
