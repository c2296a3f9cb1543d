#include "pg/import/ad_resolver.hpp"

#include "pg/common/guard.hpp"
#include "pg/import/array_builder.hpp"

extern "C" {
#include "executor/spi.h"
}

#include "core/common/error.hpp"
#include "core/import/ad_id_damage.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace rolloy::pg {
namespace {

std::optional<std::string_view> text_or_null(const std::string &s) {
    if (s.empty()) return std::nullopt;
    return std::string_view(s);
}

// Runs `sql` with array parameters built in a context of its own (freed afterwards); `each` sees
// every result row (column 1 int4, column 2 text) while the SPI result is alive.
template <typename Build, typename Each>
void run_with_arrays(const char *sql, int nargs, const Oid *types, Build build, Each each) {
    MemoryContext context = call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "rolloy import ads", ALLOCSET_SMALL_SIZES);
    });
    std::vector<Datum> values(static_cast<std::size_t>(nargs));
    std::vector<char> nulls(static_cast<std::size_t>(nargs), ' ');
    build(context, values.data());
    Datum *v = values.data();
    char *n = nulls.data();
    Oid *t = const_cast<Oid *>(types);
    SPITupleTable *table = call([sql, nargs, t, v, n] {
        int rc = SPI_execute_with_args(sql, nargs, t, v, n, false, 0);
        if (rc < 0) elog(ERROR, "rolloy: writing the import's ads failed: %s", SPI_result_code_string(rc));
        return SPI_tuptable;
    });
    uint64 processed = SPI_processed;
    for (uint64 i = 0; table != nullptr && i < processed; ++i) {
        HeapTuple tuple = table->vals[i];
        TupleDesc desc = table->tupdesc;
        std::int32_t id = call([tuple, desc] {
            bool isnull;
            return DatumGetInt32(SPI_getbinval(tuple, desc, 1, &isnull));
        });
        const char *key =
            call([tuple, desc] { return static_cast<const char *>(SPI_getvalue(tuple, desc, 2)); });
        each(id, std::string(key));
    }
    if (table != nullptr) call([table] { SPI_freetuptable(table); });
    call([context] { MemoryContextDelete(context); });
}

} // namespace

void AdResolver::load(SpiConnection &spi, const std::string &platform) {
    auto rows = spi.query(
        "SELECT a.id::text, a.ad_key, a.ad_id, coalesce(a.creative_name, a.ad_name), a.damaged_ad_id"
        "  FROM rolloy.ads a WHERE a.platform = $1::rolloy.ad_platform ORDER BY a.id",
        {platform});
    for (auto &row : rows) {
        std::uint32_t i = add(std::move(*row.at(1)), row.at(2).value_or(""), std::move(*row.at(3)));
        ads_[i].id = static_cast<std::int32_t>(std::stol(*row.at(0)));
        ads_[i].damaged_id = row.at(4).value_or("");
    }
    unwritten_.clear();
}

std::uint32_t AdResolver::add(std::string key, std::string ad_id, std::string name_key) {
    auto i = static_cast<std::uint32_t>(ads_.size());
    ads_.emplace_back();
    AdRecord &ad = ads_.back();
    ad.key = std::move(key);
    ad.ad_id = std::move(ad_id);
    by_key_.emplace(ad.key, i);
    note_name(i, name_key);
    unwritten_.push_back(i);
    return i;
}

void AdResolver::note_name(std::uint32_t i, const std::string &name_key) {
    AdRecord &ad = ads_[i];
    ad.name_key = name_key;
    NameEntry &entry = by_name_[name_key];
    if (ad.ad_id.empty()) {
        if (entry.by_name == kNone) entry.by_name = i;
    } else if (entry.with_id == kNone) {
        entry.with_id = i;
    } else if (entry.with_id != i) {
        entry.several = true;
    }
}

std::uint32_t AdResolver::resolve(const AdLine &line) {
    std::string_view name_key =
        line.match->creative_name.empty() ? line.ad_name : std::string_view(line.match->creative_name);
    std::uint32_t i = kNone;
    if (!line.ad_id.empty()) {
        probe_.assign(line.ad_id); // reused: no allocation per line
        auto found = by_key_.find(probe_);
        if (found != by_key_.end()) {
            i = found->second;
            if (ads_[i].name_key != name_key)
                note_name(i, std::string(name_key)); // renamed: found by its new name too
        } else {
            probe_.assign(name_key);
            auto named = by_name_.find(probe_);
            if (named != by_name_.end() && named->second.by_name != kNone &&
                !ads_[named->second.by_name].damaged_id.empty() &&
                !import::damaged_id_fits(ads_[named->second.by_name].damaged_id, line.ad_id)) {
                // A re-saved file named an ad of this name with another id: this is another ad.
                if (kept_apart_ads_++ == 0)
                    kept_apart_example_ =
                        std::string(line.ad_id) + " vs " + ads_[named->second.by_name].damaged_id;
                i = add(std::string(line.ad_id), std::string(line.ad_id), std::string(name_key));
            } else if (named != by_name_.end() && named->second.by_name != kNone) {
                // Lines of this name came without an id before: the ad takes the id.
                i = named->second.by_name;
                named->second.by_name = kNone;
                AdRecord &ad = ads_[i];
                by_key_.erase(ad.key);
                ad.key.assign(line.ad_id);
                ad.ad_id.assign(line.ad_id);
                by_key_.emplace(ad.key, i);
                note_name(i, std::string(name_key));
                if (ad.id != 0 && !ad.rekeyed) {
                    ad.rekeyed = true;
                    unwritten_.push_back(i);
                }
            } else {
                i = add(std::string(line.ad_id), std::string(line.ad_id), std::string(name_key));
            }
        }
    } else {
        probe_.assign(name_key);
        auto named = by_name_.find(probe_);
        if (named != by_name_.end() && named->second.by_name != kNone) {
            i = named->second.by_name;
        } else if (named != by_name_.end() && named->second.with_id != kNone && !named->second.several) {
            i = named->second.with_id;
        } else {
            if (named != by_name_.end() && named->second.several) ++ambiguous_lines_;
            auto found = by_key_.find(std::string(name_key));
            i = found != by_key_.end() ? found->second
                                       : add(std::string(name_key), "", std::string(name_key));
        }
        // Only an ad with a stored id can contradict; one known by name alone has nothing to
        // compare, and keeps what is left of the id for the lines with an id that come later.
        if (!line.damaged_ad_id.empty() && !ads_[i].ad_id.empty() &&
            !import::damaged_id_fits(line.damaged_ad_id, ads_[i].ad_id)) {
            contradicted_ = i;
            return kContradicts;
        }
        if (!line.damaged_ad_id.empty() && ads_[i].ad_id.empty() && ads_[i].damaged_id.empty())
            ads_[i].damaged_id.assign(line.damaged_ad_id);
    }

    AdRecord &ad = ads_[i];
    if (!ad.touched) {
        ad.touched = true;
        ad.first_seen = line.report_date;
        ad.last_seen = line.period_end;
    }
    ad.first_seen = std::min(ad.first_seen, line.report_date);
    ad.last_seen = std::max(ad.last_seen, line.period_end);
    if (line.report_date >= ad.latest_day) {
        ad.latest_day = line.report_date;
        ad.ad_name.assign(line.ad_name);
        ad.campaign.assign(line.campaign);
        ad.ad_group.assign(line.ad_group);
        const CreativeMatch &m = *line.match;
        ad.creative_name.assign(m.creative_name);
        ad.has_project = m.has_project;
        ad.has_image = m.has_image;
        ad.project = m.project;
        ad.image = m.image;
    }
    return i;
}

void AdResolver::write_new(SpiConnection &, const std::string &platform) {
    std::vector<std::uint32_t> fresh, rekeyed;
    for (std::uint32_t i : unwritten_)
        (ads_[i].id == 0 ? fresh : rekeyed).push_back(i);
    unwritten_.clear();
    if (!rekeyed.empty()) {
        static const Oid types[2] = {INT4ARRAYOID, TEXTARRAYOID};
        run_with_arrays(
            "UPDATE rolloy.ads a SET ad_key = u.ad_key, ad_id = u.ad_key"
            "  FROM unnest($1::int4[], $2::text[]) AS u(id, ad_key) WHERE a.id = u.id",
            2, types,
            [&](MemoryContext ctx, Datum *v) {
                v[0] = int4_array(ctx, rekeyed.size(), INT4OID,
                                  [&](std::size_t k) { return ads_[rekeyed[k]].id; });
                v[1] = text_array(ctx, rekeyed.size(), [&](std::size_t k) {
                    return std::optional<std::string_view>(ads_[rekeyed[k]].key);
                });
            },
            [](std::int32_t, const std::string &) {});
    }
    if (fresh.empty()) return;
    // Names and match are set here as the line that introduced the ad gives them, and again by
    // write_touched() from the latest line.
    static const Oid types[9] = {TEXTOID,      TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
                                 TEXTARRAYOID, DATEARRAYOID, DATEARRAYOID, TEXTARRAYOID};
    run_with_arrays(
        "INSERT INTO rolloy.ads (platform, ad_key, ad_id, ad_name, campaign, ad_group, first_seen, last_seen,"
        "                        damaged_ad_id)"
        " SELECT $1::rolloy.ad_platform, u.ad_key, u.ad_id, u.ad_name, u.campaign, u.ad_group, u.f, u.l, u.d"
        "   FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[],"
        "               $9::text[]) AS u(ad_key, ad_id, ad_name, campaign, ad_group, f, l, d)"
        " RETURNING id, ad_key",
        9, types,
        [&](MemoryContext ctx, Datum *v) {
            auto ad = [&](std::size_t k) -> const AdRecord & { return ads_[fresh[k]]; };
            std::size_t n = fresh.size();
            v[0] = text_in(ctx, platform);
            v[1] =
                text_array(ctx, n, [&](std::size_t k) { return std::optional<std::string_view>(ad(k).key); });
            v[2] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).ad_id); });
            v[3] = text_array(ctx, n,
                              [&](std::size_t k) { return std::optional<std::string_view>(ad(k).ad_name); });
            v[4] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).campaign); });
            v[5] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).ad_group); });
            v[6] = int4_array(ctx, n, DATEOID, [&](std::size_t k) { return ad(k).first_seen; });
            v[7] = int4_array(ctx, n, DATEOID, [&](std::size_t k) { return ad(k).last_seen; });
            v[8] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).damaged_id); });
        },
        [&](std::int32_t id, const std::string &key) {
            auto found = by_key_.find(key);
            if (found == by_key_.end())
                throw Error(ErrorKind::Internal, "an inserted ad came back with another key");
            ads_[found->second].id = id;
            ads_[found->second].created = true;
        });
}

// The ads whose new link this import cannot make without waiting. A link that changes is checked
// by the foreign key, which locks the creative FOR KEY SHARE: a member may hold his own project or
// image FOR UPDATE (or be deleting it) and so stall an admin's import (issue 11, "Locks"). The
// creatives of changing links are locked here FOR KEY SHARE, skipping those held: their ads keep
// their old link, and rematch_performance() or the next import links them.
std::unordered_map<std::int32_t, bool> AdResolver::held_links(const std::vector<std::uint32_t> &touched) {
    std::vector<std::uint32_t> linking;
    for (std::uint32_t i : touched)
        if (ads_[i].has_project) linking.push_back(i);
    std::unordered_map<std::int32_t, bool> held;
    if (linking.empty()) return held;
    static const Oid types[3] = {INT4ARRAYOID, UUIDARRAYOID, UUIDARRAYOID};
    run_with_arrays(
        "SELECT u.ad, (a.project_id IS NULL)::text"
        "  FROM unnest($1::int4[], $2::uuid[], $3::uuid[]) AS u(ad, project, image)"
        "  JOIN rolloy.ads a ON a.id = u.ad"
        " WHERE (a.project_id IS DISTINCT FROM u.project OR (u.image IS NOT NULL AND a.image_id IS DISTINCT "
        "FROM u.image))"
        "   AND (NOT EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = u.project"
        "                     FOR KEY SHARE OF p SKIP LOCKED)"
        "        OR (u.image IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.id "
        "= u.image"
        "                                                 FOR KEY SHARE OF g SKIP LOCKED)))",
        3, types,
        [&](MemoryContext ctx, Datum *v) {
            auto ad = [&](std::size_t k) -> const AdRecord & { return ads_[linking[k]]; };
            std::size_t n = linking.size();
            v[0] = int4_array(ctx, n, INT4OID, [&](std::size_t k) { return ad(k).id; });
            v[1] = uuid_array(ctx, n, [&](std::size_t k) { return &ad(k).project; });
            v[2] =
                uuid_array(ctx, n, [&](std::size_t k) { return ad(k).has_image ? &ad(k).image : nullptr; });
        },
        [&](std::int32_t id, const std::string &unlinked) { held.emplace(id, unlinked == "true"); });
    return held;
}

void AdResolver::write_touched(SpiConnection &) {
    std::vector<std::uint32_t> touched;
    for (std::uint32_t i = 0; i < ads_.size(); ++i)
        if (ads_[i].touched) touched.push_back(i);
    if (touched.empty()) return;
    std::unordered_map<std::int32_t, bool> held = held_links(touched);
    for (std::uint32_t i : touched) {
        auto found = held.find(ads_[i].id);
        if (found == held.end()) continue;
        ads_[i].has_project = ads_[i].has_image = false; // keeps its old link: no check, no wait
        ++held_back_ads_;
        if (found->second) held_back_unlinked_lines_ += ads_[i].matched_lines;
    }
    static const Oid types[10] = {INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
                                  UUIDARRAYOID, UUIDARRAYOID, DATEARRAYOID, DATEARRAYOID, TEXTARRAYOID};
    // A link is never undone by an import: a name that matches nothing keeps the ad's old link.
    run_with_arrays(
        "UPDATE rolloy.ads a"
        "   SET ad_name = u.ad_name, campaign = u.campaign, ad_group = u.ad_group, creative_name = "
        "u.creative_name,"
        "       project_id = CASE WHEN u.project_id IS NULL THEN a.project_id ELSE u.project_id END,"
        "       image_id = CASE WHEN u.project_id IS NULL THEN a.image_id ELSE u.image_id END,"
        "       first_seen = least(a.first_seen, u.f), last_seen = greatest(a.last_seen, u.l),"
        "       damaged_ad_id = CASE WHEN a.ad_id IS NULL THEN coalesce(a.damaged_ad_id, u.damaged) END"
        "  FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[],"
        "              $8::date[], $9::date[], $10::text[]) AS u(id, ad_name, campaign, ad_group, "
        "creative_name, "
        "project_id,"
        "              image_id, f, l, damaged)"
        " WHERE a.id = u.id",
        10, types,
        [&](MemoryContext ctx, Datum *v) {
            auto ad = [&](std::size_t k) -> const AdRecord & { return ads_[touched[k]]; };
            std::size_t n = touched.size();
            v[0] = int4_array(ctx, n, INT4OID, [&](std::size_t k) { return ad(k).id; });
            v[1] = text_array(ctx, n,
                              [&](std::size_t k) { return std::optional<std::string_view>(ad(k).ad_name); });
            v[2] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).campaign); });
            v[3] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).ad_group); });
            v[4] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).creative_name); });
            v[5] = uuid_array(ctx, n,
                              [&](std::size_t k) { return ad(k).has_project ? &ad(k).project : nullptr; });
            v[6] =
                uuid_array(ctx, n, [&](std::size_t k) { return ad(k).has_image ? &ad(k).image : nullptr; });
            v[7] = int4_array(ctx, n, DATEOID, [&](std::size_t k) { return ad(k).first_seen; });
            v[8] = int4_array(ctx, n, DATEOID, [&](std::size_t k) { return ad(k).last_seen; });
            v[9] = text_array(ctx, n, [&](std::size_t k) { return text_or_null(ad(k).damaged_id); });
        },
        [](std::int32_t, const std::string &) {});
}

} // namespace rolloy::pg
