#include "pg/generation/job_store.hpp"

#include "pg/common/internal_schema.hpp"
#include "pg/generation/settings.hpp"
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

std::string bigint_array(const std::vector<std::int64_t> &ids) {
    std::vector<std::string> text;
    text.reserve(ids.size());
    for (std::int64_t id : ids)
        text.push_back(std::to_string(id));
    return uuid_array(text);
}

// A text[] literal whose elements are quoted (fal tickets are JSON: quotes, braces, commas).
std::string text_array(const std::vector<std::string> &items) {
    std::string list = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        list += i ? ",\"" : "\"";
        for (char c : items[i]) {
            if (c == '"' || c == '\\') list += '\\';
            list += c;
        }
        list += '"';
    }
    return list + "}";
}

} // namespace

bool ledger_available(SpiConnection &spi) {
    return !spi.query("SELECT 1 FROM pg_catalog.pg_attribute"
                      " WHERE attrelid = 'rolloy.api_usage_logs'::regclass AND attname = 'state' AND NOT "
                      "attisdropped",
                      {}, true, Plan::Kept)
                .empty();
}

bool extension_installed(SpiConnection &spi) {
    return !spi.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'rolloy'", {}, true, Plan::Kept)
                .empty();
}

int reclaim_expired_leases(SpiConnection &spi, const std::vector<std::string> &held, bool ledger) {
    // The rows and their projects (whose counters the status trigger updates) are locked first,
    // skipping what another transaction holds: a member's open transaction on his own project
    // delays the reclaim of his rows only. The interrupted attempt's remote id, booked in its
    // ledger row while it ran, becomes the row's resume token: the next attempt polls that
    // request instead of sending (and paying for) a new one.
    const std::string resume =
        ledger ? "       resume_token = coalesce((SELECT l.remote_id FROM rolloy.api_usage_logs l"
                 "                                 WHERE l.image_id = g.id AND l.attempt = g.attempts"
                 "                                   AND l.operation = 'image' AND l.remote_id IS NOT NULL"
                 "                                 ORDER BY l.id DESC LIMIT 1), g.resume_token),"
               : "";
    return static_cast<int>(spi.execute(
        ("UPDATE rolloy.generated_images g"
         "   SET status = CASE WHEN g.attempts >= g.max_attempts THEN 'failed' ELSE 'pending' "
         "END::rolloy.image_status," +
         resume +
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
         " WHERE g.id = expired.id AND g.status = 'processing'")
            .c_str(),
        {uuid_array(held)}, Plan::Kept));
}

std::vector<generation::ImageJob> claim(SpiConnection &spi, const std::string &provider, int limit,
                                        int lease_seconds, const std::vector<std::string> &skip_projects,
                                        bool open_attempts) {
    // The project and owner rows are share-locked with the image (skipping what another
    // transaction holds exclusively): the ledger rows opened here reference them, and a member's
    // open transaction on his own project must not make this claim wait.
    const std::string sql =
        std::string(
            "WITH due AS ("
            "    SELECT g.id FROM rolloy.generated_images g"
            "      JOIN rolloy.creative_projects p ON p.id = g.project_id"
            "      JOIN rolloy.users u ON u.id = p.created_by"
            "     WHERE g.status = 'pending' AND g.next_attempt_at <= now() AND g.provider = $1"
            "       AND g.project_id <> ALL ($4::uuid[])"
            "     ORDER BY g.next_attempt_at, g.created_at LIMIT $2::integer"
            "       FOR UPDATE OF g SKIP LOCKED FOR KEY SHARE OF p, u SKIP LOCKED),"
            " leased AS ("
            "    UPDATE rolloy.generated_images g"
            "       SET status = 'processing', attempts = g.attempts + 1, leased_by = pg_backend_pid(),"
            "           lease_expires_at = now() + make_interval(secs => $3::integer),"
            "           started_at = coalesce(g.started_at, now())"
            "      FROM due WHERE g.id = due.id RETURNING g.*)") +
        // Write-ahead: each attempt has its ledger row before anything is sent ('staged' until
        // send_attempts() marks it in flight).
        (open_attempts
             ? ", opened AS ("
               "    INSERT INTO rolloy.api_usage_logs (user_id, project_id, image_id, operation, provider,"
               "                                       model, attempt, success, state, resumed, remote_id)"
               "    SELECT p.created_by, l.project_id, l.id, 'image', l.provider, l.model, l.attempts,"
               "           false, 'staged', l.resume_token IS NOT NULL, l.resume_token"
               "      FROM leased l JOIN rolloy.creative_projects p ON p.id = l.project_id"
               "    RETURNING id, image_id)"
             : "") +
        " SELECT l.id, l.project_id, p.created_by, l.provider, l.model, l.prompt, l.seed, l.attempts, "
        "l.max_attempts,"
        "        l.params ->> 'strength', l.params ->> 'guidance', l.params ->> 'steps', l.resume_token,"
        "        r.storage_ref, r.mime_type, f.aspect_ratio, d.code, " +
        (open_attempts ? "o.id" : "NULL::bigint") +
        "   FROM leased l"
        "   JOIN rolloy.creative_projects p ON p.id = l.project_id"
        "   JOIN rolloy.formats f ON f.id = p.format_id"
        "   JOIN rolloy.drivers d ON d.id = p.driver_id"
        "   LEFT JOIN rolloy.reference_images r ON r.id = l.reference_image_id" +
        (open_attempts ? "   LEFT JOIN opened o ON o.image_id = l.id" : "") +
        "  ORDER BY l.next_attempt_at, l.created_at";
    auto rows =
        spi.query(sql.c_str(),
                  {provider, std::to_string(limit), std::to_string(lease_seconds), uuid_array(skip_projects)},
                  false, Plan::Kept);
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
        if (r[17]) j.ledger_id = std::stoll(*r[17]);
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

std::vector<std::string> withdrawn(SpiConnection &spi, const std::vector<std::string> &image_ids) {
    std::vector<std::string> out;
    if (image_ids.empty()) return out;
    for (auto &r : spi.query("SELECT x.id::text FROM unnest($1::uuid[]) AS x(id)"
                             " WHERE NOT EXISTS (SELECT 1 FROM rolloy.generated_images g"
                             "                    WHERE g.id = x.id AND g.status = 'processing'"
                             "                      AND g.leased_by = pg_backend_pid())",
                             {uuid_array(image_ids)}, true, Plan::Kept))
        out.push_back(*r[0]);
    return out;
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

void send_attempts(SpiConnection &spi, const std::vector<std::int64_t> &ledger_ids) {
    if (ledger_ids.empty()) return;
    spi.execute("UPDATE rolloy.api_usage_logs l SET state = 'in_flight', sent_at = now()"
                " WHERE l.id = ANY ($1::bigint[]) AND l.state = 'staged'",
                {bigint_array(ledger_ids)}, Plan::Kept);
}

void book_remote_ids(SpiConnection &spi, const std::vector<std::int64_t> &ledger_ids,
                     const std::vector<std::string> &remote_ids) {
    if (ledger_ids.empty()) return;
    // A call that names its provider-side work anew (a Replicate create first booked as
    // "pending", then found and named by its prediction id) still does the same work: earlier
    // attempts left 'unknown' with the old name and carrying its charge take the new name, so
    // the attempt that finishes the work takes their charge over (record(), 1b).
    spi.execute("WITH t AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS t(id, remote_id)),"
                " renamed AS ("
                "    SELECT l.id, l.image_id, l.remote_id AS old_id, t.remote_id AS new_id"
                "      FROM rolloy.api_usage_logs l JOIN t ON t.id = l.id"
                "     WHERE l.state IN ('staged', 'in_flight') AND l.remote_id IS DISTINCT FROM t.remote_id"
                "       FOR UPDATE OF l),"
                " carried AS ("
                "    UPDATE rolloy.api_usage_logs e SET remote_id = r.new_id FROM renamed r"
                "     WHERE e.image_id = r.image_id AND e.remote_id = r.old_id AND e.id <> r.id"
                "       AND e.state = 'unknown' AND e.cost_usd > 0)"
                " UPDATE rolloy.api_usage_logs l SET remote_id = r.new_id FROM renamed r WHERE l.id = r.id",
                {bigint_array(ledger_ids), text_array(remote_ids)}, Plan::Kept);
}

int close_orphaned_attempts(SpiConnection &spi, const std::vector<std::int64_t> &held) {
    // An attempt never sent costs nothing and goes; one sent is charged at the list price, on
    // its ledger row and on its image (whose cost is the sum of its attempts). Images locked by
    // another transaction are skipped: their attempts are closed by a later round.
    auto rows = spi.query(
        "WITH orphan AS ("
        // charged: an earlier attempt's unknown row already carries the list price of the same
        // remote request (this attempt was polling it when its worker stopped).
        "    SELECT l.id, EXISTS (SELECT 1 FROM rolloy.api_usage_logs e"
        "                          WHERE e.image_id = l.image_id AND e.remote_id = l.remote_id AND e.id <> "
        "l.id"
        "                            AND e.state = 'unknown' AND e.cost_usd > 0) AS charged"
        "      FROM rolloy.api_usage_logs l"
        "     WHERE l.state IN ('staged', 'in_flight') AND l.operation = 'image' AND l.id <> ALL "
        "($1::bigint[])"
        "       AND (l.image_id IS NULL OR EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.id = "
        "l.image_id"
        "                                           FOR NO KEY UPDATE SKIP LOCKED))"
        "       FOR UPDATE OF l SKIP LOCKED),"
        " dropped AS ("
        "    DELETE FROM rolloy.api_usage_logs l USING orphan o WHERE l.id = o.id AND l.state = 'staged'"
        "    RETURNING l.id),"
        " closed AS ("
        "    UPDATE rolloy.api_usage_logs l"
        "       SET state = 'unknown', success = false, finished_at = now(),"
        "           cost_usd = CASE WHEN o.charged THEN 0 ELSE rolloy.estimated_image_cost(l.provider, "
        "l.model) END,"
        "           error = CASE WHEN o.charged"
        "                        THEN 'outcome unknown: the worker stopped while polling a request an "
        "earlier attempt "
        "is charged for'"
        "                        ELSE 'outcome unknown: the worker stopped while the request was in flight; "
        "it may be "
        "billed' END"
        "      FROM orphan o"
        "     WHERE l.id = o.id AND l.state = 'in_flight'"
        "    RETURNING l.image_id, l.cost_usd),"
        " charged AS ("
        "    UPDATE rolloy.generated_images g SET cost_usd = g.cost_usd + c.cost"
        "      FROM (SELECT image_id, sum(cost_usd) AS cost FROM closed GROUP BY image_id) c"
        "     WHERE g.id = c.image_id)"
        " SELECT (SELECT count(*) FROM dropped) + (SELECT count(*) FROM closed)",
        {bigint_array(held)}, false, Plan::Kept);
    return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
}

int close_stale_prompt_attempts(SpiConnection &spi, int older_than_ms) {
    return static_cast<int>(spi.execute(
        internal_sql(
            "UPDATE rolloy.api_usage_logs l"
            "   SET state = 'unknown', success = false, finished_at = now(),"
            "       cost_usd = @internal@._call_cost(l.provider, l.model, $2::bigint, $3::bigint, 0, 0),"
            "       error = 'outcome unknown: the session making the call ended before its answer was "
            "recorded; it may be billed'"
            " WHERE l.state = 'in_flight' AND l.operation = 'prompt'"
            "   AND l.sent_at < now() - make_interval(secs => $1::double precision / 1000)")
            .c_str(),
        {std::to_string(older_than_ms), std::to_string(settings::kPromptWorstCaseInputTokens),
         std::to_string(settings::kPromptMaxOutputTokens)},
        Plan::Kept));
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

    // 1. The call happened and may have cost money: complete its ledger row (opened at the
    //    claim), or log it now when none was opened (previews). A released call (shutdown) made
    //    no billable progress of its own unless its request had left: never sent, its row goes;
    //    sent, its outcome is unknown and it is charged at the list price. Its remote id (fal
    //    queue) lets the next attempt resume the request, which then takes the charge over
    //    (1b): one request, one charge, whether or not it is ever resumed.
    std::string cost = "0";
    bool logged = false;
    if (job.ledger_id > 0) {
        const std::string ledger = std::to_string(job.ledger_id);
        // A name learnt since the last booking (the worker stopped right after a Replicate
        // create was found): booked first, so earlier attempts' charges follow it.
        if (!rec.resume_token.empty()) book_remote_ids(spi, {job.ledger_id}, {rec.resume_token});
        if (rec.kind == Kind::Released &&
            spi.execute("DELETE FROM rolloy.api_usage_logs l WHERE l.id = $1::bigint AND l.state = 'staged'",
                        {ledger}, Plan::Kept) == 1) {
            logged = true;
        } else {
            auto done = spi.query(
                internal_sql(
                    "UPDATE rolloy.api_usage_logs l"
                    "   SET state = CASE WHEN $2::boolean OR $12::boolean THEN 'unknown' ELSE 'completed' "
                    "END,"
                    "       remote_id = coalesce(nullif($3, ''), l.remote_id),"
                    "       success = $4::boolean, http_status = nullif($5::integer, 0), latency_ms = "
                    "$6::integer,"
                    "       tokens_in = $7::bigint, tokens_out = $8::bigint, images = $9::integer,"
                    "       megapixels = $10::numeric, finished_at = now(),"
                    "       cost_usd = CASE WHEN NOT ($2::boolean OR $12::boolean)"
                    "                       THEN @internal@._call_cost(l.provider, l.model, $7::bigint, "
                    "$8::bigint,"
                    "                                                  $9::integer, $10::numeric)"
                    "                       WHEN $3 <> '' AND EXISTS ("
                    "                            SELECT 1 FROM rolloy.api_usage_logs e"
                    "                             WHERE e.image_id = l.image_id AND e.remote_id = $3 AND "
                    "e.id <> l.id"
                    "                               AND e.state = 'unknown' AND e.cost_usd > 0) THEN 0"
                    "                       ELSE rolloy.estimated_image_cost(l.provider, l.model) END,"
                    "       error = CASE WHEN $12::boolean THEN 'outcome unknown: ' || $11"
                    "                    WHEN NOT $2::boolean THEN nullif($11, '')"
                    "                    WHEN $3 = '' THEN 'outcome unknown: released while in flight; it "
                    "may be billed'"
                    "                    ELSE 'outcome unknown: released while in flight; the next attempt "
                    "resumes "
                    "the request and is charged for it once it ends' END"
                    " WHERE l.id = $1::bigint AND l.state IN ('staged', 'in_flight')"
                    " RETURNING l.cost_usd")
                    .c_str(),
                {ledger, rec.kind == Kind::Released ? "true" : "false", rec.resume_token,
                 success ? "true" : "false", status, std::to_string(rec.latency_ms),
                 std::to_string(rec.tokens_in), std::to_string(rec.tokens_out), rec.billed_image ? "1" : "0",
                 num(rec.megapixels), rec.error, rec.outcome_unknown ? "true" : "false"},
                false, Plan::Kept);
            if (!done.empty()) {
                cost = done[0].at(0).value_or("0");
                logged = true;
            }
        }
    }
    if (!logged && rec.kind != Kind::Released) {
        auto inserted = spi.query(
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
        cost = inserted.at(0).at(0).value_or("0");
    }

    // 1b. This attempt resumed a request an earlier attempt left 'unknown' (charged at the list
    //     price: its worker was killed while polling) and the request is now over: it is charged
    //     here, at what it cost, and the earlier row no longer is. One provider request, one
    //     charge; until now the earlier row carried it, so no moment counts it twice or never.
    if (job.ledger_id > 0 && logged && rec.kind != Kind::Released && rec.resume_token.empty()) {
        auto net =
            spi.query("WITH earlier AS ("
                      "    SELECT e.id, e.cost_usd FROM rolloy.api_usage_logs e"
                      "      JOIN rolloy.api_usage_logs l ON l.id = $1::bigint"
                      "     WHERE e.image_id = l.image_id AND e.remote_id = l.remote_id AND e.id <> l.id"
                      "       AND e.state = 'unknown' AND e.cost_usd > 0"
                      "       FOR UPDATE OF e),"
                      " cleared AS ("
                      "    UPDATE rolloy.api_usage_logs e SET cost_usd = 0,"
                      "           error = coalesce(e.error || '; ', '') || 'resumed by attempt ' || $2"
                      "                   || ', which is charged for the request'"
                      "      FROM earlier WHERE e.id = earlier.id RETURNING e.id)"
                      " SELECT ($3::numeric - coalesce(sum(earlier.cost_usd), 0))::text FROM earlier",
                      {std::to_string(job.ledger_id), attempt, cost}, false, Plan::Kept);
        if (!net.empty() && net[0].at(0)) cost = *net[0].at(0);
    }

    // 2. Move the row on, only if it is still this attempt's, charging the call in the same
    //    update (one row version and one round of triggers per result).
    const char *ours = " WHERE g.id = $1::uuid AND g.status = 'processing' AND g.leased_by = pg_backend_pid()"
                       "   AND g.attempts = $2::integer";
    bool moved = false;
    if (success) {
        // An object store took the file already (uploaded before this transaction); the rest
        // is written below, with the row.
        const std::string ref =
            rec.storage_ref.empty() ? storage::generated_ref(job.project_id, job.image_id) : rec.storage_ref;
        std::string sql =
            std::string(
                "UPDATE rolloy.generated_images g"
                "   SET status = 'completed', storage_ref = $8,"
                "       width = $3::integer, height = $4::integer, size_bytes = $5::bigint,"
                "       sha256 = $6, completed_at = now(), lease_expires_at = NULL,"
                "       leased_by = NULL, last_http_status = nullif($7::integer, 0), last_error = NULL,"
                "       resume_token = NULL, cost_usd = g.cost_usd + $9::numeric, updated_at = now()") +
            ours;
        moved = spi.execute(sql.c_str(),
                            {job.image_id, attempt, std::to_string(rec.width), std::to_string(rec.height),
                             std::to_string(rec.image.size()), rec.sha256, status, ref, cost},
                            Plan::Kept) == 1;
        // Same transaction: the row says "completed" exactly when its image is stored. The db
        // store's row holds file and thumbnail; with the s3 store (the file uploaded before this
        // transaction) it holds the thumbnail.
        if (moved) storage::insert_image_row(spi, ref, {rec.image, "image/jpeg", rec.thumbnail, rec.sha256});
    } else if (rec.kind == Kind::Released) {
        std::string sql =
            std::string("UPDATE rolloy.generated_images g"
                        "   SET status = 'pending', attempts = g.attempts - 1, next_attempt_at = now(),"
                        "       lease_expires_at = NULL, leased_by = NULL, resume_token = nullif($3, ''),"
                        "       cost_usd = g.cost_usd + $4::numeric, updated_at = now()") +
            ours;
        moved = spi.execute(sql.c_str(), {job.image_id, attempt, rec.resume_token, cost}, Plan::Kept) == 1;
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
