#include "pg/generation/job_store.hpp"

#include "pg/common/internal_schema.hpp"
#include "pg/storage/image_store.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

namespace rolloy::pg::jobs {
namespace {

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

// A uuid[] literal: {a,b,c}.
std::string uuid_array(const std::vector<std::string> &ids) {
    std::string list = "{";
    for (size_t i = 0; i < ids.size(); ++i)
        list += (i ? "," : "") + ids[i];
    return list + "}";
}

} // namespace

bool extension_installed(SpiConnection &spi) {
    return !spi.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'rolloy'", {}, true, Plan::Kept)
                .empty();
}

int reclaim_expired_leases(SpiConnection &spi, const std::vector<std::string> &held) {
    // The rows and their projects (whose counters the status trigger updates) are locked first,
    // skipping what another transaction holds: a member's open transaction on his own project
    // delays the reclaim of his rows only.
    return static_cast<int>(spi.execute(
        "UPDATE rolloy.generated_images g"
        "   SET status = CASE WHEN g.attempts >= g.max_attempts THEN 'failed' ELSE 'pending' "
        "END::rolloy.image_status,"
        "       next_attempt_at = now(), lease_expires_at = NULL, leased_by = NULL,"
        "       last_error = CASE WHEN g.attempts >= g.max_attempts"
        "                         THEN 'gave up after ' || g.attempts || ' attempts: the worker "
        "holding attempt '"
        "                              || g.attempts || ' stopped (lease expired)'"
        "                         ELSE 'attempt ' || g.attempts || ' interrupted: the worker "
        "stopped (lease expired)' END"
        "  FROM (SELECT x.id FROM rolloy.generated_images x"
        "          JOIN rolloy.creative_projects p ON p.id = x.project_id"
        "         WHERE x.status = 'processing' AND x.lease_expires_at < now()"
        "           AND NOT (x.id = ANY ($1::uuid[]) AND x.leased_by IS NOT DISTINCT FROM pg_backend_pid())"
        "           FOR NO KEY UPDATE OF x, p SKIP LOCKED) expired"
        " WHERE g.id = expired.id AND g.status = 'processing'",
        {uuid_array(held)}, Plan::Kept));
}

std::vector<generation::ImageJob> claim(SpiConnection &spi, const std::string &provider, int limit,
                                        int lease_seconds, const std::vector<std::string> &skip_projects) {
    auto rows = spi.query(
        "WITH due AS ("
        "    SELECT g.id FROM rolloy.generated_images g"
        "     WHERE g.status = 'pending' AND g.next_attempt_at <= now() AND g.provider = $1"
        "       AND g.project_id <> ALL ($4::uuid[])"
        "     ORDER BY g.next_attempt_at, g.created_at LIMIT $2::integer FOR UPDATE SKIP LOCKED),"
        " leased AS ("
        "    UPDATE rolloy.generated_images g"
        "       SET status = 'processing', attempts = g.attempts + 1, leased_by = pg_backend_pid(),"
        "           lease_expires_at = now() + make_interval(secs => $3::integer),"
        "           started_at = coalesce(g.started_at, now())"
        "      FROM due WHERE g.id = due.id RETURNING g.*)"
        " SELECT l.id, l.project_id, p.created_by, l.provider, l.model, l.prompt, l.seed, l.attempts, "
        "l.max_attempts,"
        "        l.params ->> 'strength', l.params ->> 'guidance', l.params ->> 'steps', l.resume_token,"
        "        r.storage_ref, r.mime_type, f.aspect_ratio, d.code"
        "   FROM leased l"
        "   JOIN rolloy.creative_projects p ON p.id = l.project_id"
        "   JOIN rolloy.formats f ON f.id = p.format_id"
        "   JOIN rolloy.drivers d ON d.id = p.driver_id"
        "   LEFT JOIN rolloy.reference_images r ON r.id = l.reference_image_id"
        "  ORDER BY l.next_attempt_at, l.created_at",
        {provider, std::to_string(limit), std::to_string(lease_seconds), uuid_array(skip_projects)}, false,
        Plan::Kept);
    std::vector<generation::ImageJob> jobs;
    jobs.reserve(rows.size());
    std::map<std::string, std::string> references;
    for (auto &r : rows) {
        generation::ImageJob j;
        j.image_id = *r[0];
        j.project_id = *r[1];
        j.owner_id = *r[2];
        j.provider = *r[3];
        j.model = *r[4];
        j.prompt = *r[5];
        j.seed = std::stoll(*r[6]);
        j.attempt = std::stoi(*r[7]);
        j.max_attempts = std::stoi(*r[8]);
        if (r[9]) j.strength = std::stod(*r[9]);
        if (r[10]) j.guidance = std::stod(*r[10]);
        if (r[11]) j.steps = std::stoi(*r[11]);
        j.resume_token = r[12].value_or("");
        if (r[13]) {
            // One read per distinct reference photo in the claim (a batch shares a few). A photo
            // no store serves counts as missing: that job fails, the claim goes on.
            auto cached = references.find(*r[13]);
            if (cached == references.end()) {
                storage::ImageStore *store = storage::find_store(*r[13]);
                std::optional<std::string> bytes;
                if (store) bytes = store->get(spi, *r[13], storage::Part::Content);
                cached = references.emplace(*r[13], bytes.value_or("")).first;
            }
            j.reference = cached->second;
            j.reference_mime = r[14].value_or("");
        }
        j.aspect_ratio = *r[15];
        j.driver_code = *r[16];
        jobs.push_back(std::move(j));
    }
    return jobs;
}

long ms_until_next_due(SpiConnection &spi, const std::string &provider) {
    auto rows =
        spi.query("SELECT greatest(0, ceil(extract(epoch FROM min(next_attempt_at) - now()) * 1000))::bigint"
                  "  FROM rolloy.generated_images WHERE status = 'pending' AND provider = $1",
                  {provider}, true, Plan::Kept);
    return rows.empty() || !rows[0][0] ? -1 : std::stol(*rows[0][0]);
}

void extend_leases(SpiConnection &spi, const std::vector<std::string> &image_ids, int lease_seconds) {
    if (image_ids.empty()) return;
    spi.execute("UPDATE rolloy.generated_images g"
                "   SET lease_expires_at = now() + make_interval(secs => $2::integer)"
                " WHERE g.id IN (SELECT x.id FROM rolloy.generated_images x"
                "                 WHERE x.id = ANY ($1::uuid[]) AND x.status = 'processing'"
                "                   AND x.leased_by = pg_backend_pid() FOR NO KEY UPDATE SKIP LOCKED)",
                {uuid_array(image_ids), std::to_string(lease_seconds)}, Plan::Kept);
}

std::string provider_key(SpiConnection &spi, const std::string &provider) {
    auto rows = spi.query("SELECT api_key FROM rolloy.provider_secrets WHERE provider = $1", {provider}, true,
                          Plan::Kept);
    return rows.empty() ? std::string() : rows[0][0].value_or("");
}

bool record(SpiConnection &spi, const generation::ImageJob &job, const generation::JobRecord &rec) {
    using Kind = generation::JobRecord::Kind;
    bool success = rec.kind == Kind::Completed;
    std::string attempt = std::to_string(job.attempt);
    std::string status = std::to_string(rec.http_status);

    // 0. Lock what the statements below write or reference, without waiting: the image row, its
    //    project (the status trigger updates its counters; the usage log references it) and the
    //    owner's users row (referenced by the usage log). Any of them may be held by a member's
    //    open transaction (SELECT … FOR UPDATE, an uncommitted cancel or batch_generate); waiting
    //    would stall every other user's results behind it, so the caller keeps this result and
    //    tries again later. Rows already gone lock nothing and change nothing below.
    spi.query("SELECT 1 FROM rolloy.generated_images g"
              "  JOIN rolloy.creative_projects p ON p.id = g.project_id"
              "  JOIN rolloy.users u ON u.id = p.created_by"
              " WHERE g.id = $1::uuid"
              "   FOR NO KEY UPDATE OF g, p NOWAIT FOR KEY SHARE OF u NOWAIT",
              {job.image_id}, false, Plan::Kept);

    // 1. The call happened and may have cost money: log it. A released call (shutdown) made no
    //    billable progress of its own.
    std::string cost = "0";
    if (rec.kind != Kind::Released) {
        auto logged = spi.query(
            internal_sql("INSERT INTO rolloy.api_usage_logs (user_id, project_id, image_id, operation, "
                         "provider, model, attempt,"
                         "    success, http_status, latency_ms, tokens_in, tokens_out, images, "
                         "megapixels, cost_usd, error)"
                         " VALUES ($1::uuid, $2::uuid, $3::uuid, 'image', $4, $5, $6::integer, "
                         "$7::boolean, nullif($8::integer, 0),"
                         "    $9::integer, $10::bigint, $11::bigint, $12::integer, $13::numeric,"
                         "    @internal@._call_cost($4, $5, $10::bigint, $11::bigint, $12::integer, "
                         "$13::numeric), nullif($14, ''))"
                         " RETURNING cost_usd")
                .c_str(),
            {job.owner_id, job.project_id, job.image_id, job.provider, job.model, attempt,
             success ? "true" : "false", status, std::to_string(rec.latency_ms),
             std::to_string(rec.tokens_in), std::to_string(rec.tokens_out), rec.billed_image ? "1" : "0",
             num(rec.megapixels), rec.error},
            false, Plan::Kept);
        cost = logged.at(0).at(0).value_or("0");
    }

    // 2. Move the row on, only if it is still this attempt's, charging the call in the same
    //    update (one row version and one round of triggers per result).
    const char *ours = " WHERE g.id = $1::uuid AND g.status = 'processing' AND g.leased_by = pg_backend_pid()"
                       "   AND g.attempts = $2::integer";
    bool moved = false;
    if (success) {
        // An object store took the image already (uploaded before this transaction); the
        // database store writes it below, with the row.
        const std::string ref =
            rec.storage_ref.empty() ? storage::generated_ref(job.project_id, job.image_id) : rec.storage_ref;
        std::string sql =
            std::string(
                "UPDATE rolloy.generated_images g"
                "   SET status = 'completed', storage_ref = $8,"
                "       width = $3::integer, height = $4::integer, size_bytes = $5::bigint,"
                "       sha256 = $6, completed_at = now(), lease_expires_at = NULL,"
                "       leased_by = NULL, last_http_status = nullif($7::integer, 0),"
                "       resume_token = NULL, cost_usd = g.cost_usd + $9::numeric, updated_at = now()") +
            ours;
        moved = spi.execute(sql.c_str(),
                            {job.image_id, attempt, std::to_string(rec.width), std::to_string(rec.height),
                             std::to_string(rec.image.size()), rec.sha256, status, ref, cost},
                            Plan::Kept) == 1;
        // Same transaction: the row says "completed" exactly when its image is stored.
        if (moved && rec.storage_ref.empty())
            storage::store_for(ref).put(spi, ref, {rec.image, "image/jpeg", rec.thumbnail, rec.sha256});
    } else if (rec.kind == Kind::Released) {
        std::string sql =
            std::string("UPDATE rolloy.generated_images g"
                        "   SET status = 'pending', attempts = g.attempts - 1, next_attempt_at = now(),"
                        "       lease_expires_at = NULL, leased_by = NULL, resume_token = nullif($3, ''),"
                        "       updated_at = now()") +
            ours;
        moved = spi.execute(sql.c_str(), {job.image_id, attempt, rec.resume_token}, Plan::Kept) == 1;
    } else {
        std::string sql =
            std::string("UPDATE rolloy.generated_images g"
                        "   SET status = $3::rolloy.image_status,"
                        "       next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),"
                        "       last_error = $5, last_http_status = nullif($6::integer, 0),"
                        "       lease_expires_at = NULL, leased_by = NULL, resume_token = nullif($7, ''),"
                        "       cost_usd = g.cost_usd + $8::numeric, updated_at = now()") +
            ours;
        moved = spi.execute(sql.c_str(),
                            {job.image_id, attempt, rec.kind == Kind::Retry ? "pending" : "failed",
                             std::to_string(rec.retry_delay_ms), rec.error, status, rec.resume_token, cost},
                            Plan::Kept) == 1;
    }
    // 3. The row is no longer this attempt's (cancelled, reclaimed): the call still cost what it
    //    cost, whatever the row has become.
    if (!moved && std::strtod(cost.c_str(), nullptr) != 0)
        spi.execute(
            "UPDATE rolloy.generated_images SET cost_usd = cost_usd + $2::numeric WHERE id = $1::uuid",
            {job.image_id, cost}, Plan::Kept);
    return moved;
}

void write_call_log(SpiConnection &spi, const worker::PendingCallLog &log) {
    spi.execute(
        internal_sql(
            "INSERT INTO rolloy.api_usage_logs (occurred_at, user_id, project_id, operation, provider, model,"
            "    success, http_status, latency_ms, tokens_in, tokens_out, cost_usd, error)"
            " VALUES (to_timestamp($1::double precision),"
            "    (SELECT id FROM rolloy.users WHERE id = $2::uuid FOR KEY SHARE NOWAIT),"
            "    (SELECT id FROM rolloy.creative_projects WHERE id = $3::uuid FOR KEY SHARE NOWAIT), $4, $5, "
            "$6, false,"
            "    nullif($7::integer, 0), $8::integer, $9::bigint, $10::bigint,"
            "    @internal@._call_cost($5, $6, $9::bigint, $10::bigint, 0, 0), nullif($11, ''))")
            .c_str(),
        {num(log.occurred_at), log.user_id, log.project_id, log.operation, log.provider, log.model,
         std::to_string(log.http_status), std::to_string(log.latency_ms), std::to_string(log.tokens_in),
         std::to_string(log.tokens_out), log.error},
        Plan::Kept);
}

} // namespace rolloy::pg::jobs
