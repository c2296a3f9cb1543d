// rolloy.generate_prompt(project_id, provider): writes the project's image prompt with the
// offline template or a text provider of the registry (core/providers/registry.hpp: kind text,
// e.g. Gemini), saves it with model, tokens and cost, and logs the call. Names, keys, models,
// prices and hints all come from the registry, so a new text provider needs nothing here. The
// HTTP wait honours query cancel and statement_timeout.
#include "pg/common/autonomous.hpp"
#include "pg/common/internal_schema.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

#include "core/common/error.hpp"
#include "core/common/utf8.hpp"
#include "core/prompts/creative_brief.hpp"
#include "core/providers/http_client.hpp"
#include "core/providers/job_runner.hpp"
#include "core/providers/registry.hpp"

#include <cstdio>
#include <ctime>
#include <string_view>
#include <vector>

extern "C" {
#include "mb/pg_wchar.h"
#include "miscadmin.h"
}

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::call;
using rolloy::pg::internal_sql;
using rolloy::pg::SpiConnection;
using rolloy::pg::SqlRow;

namespace {

constexpr int kMaxOutputTokens = rolloy::pg::settings::kPromptMaxOutputTokens;
constexpr int kWorstCaseInputTokens = rolloy::pg::settings::kPromptWorstCaseInputTokens;

// "gemini, ...": the registry's text providers in registry order, for messages.
std::string text_provider_list() {
    std::string out;
    for (std::string_view name : rolloy::providers::text_provider_names())
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

// The provider argument checked against the registry before anything is read: "auto",
// "template" or the name of a text provider.
void check_provider_name(const std::string &provider) {
    if (provider == "auto" || provider == "template" || rolloy::providers::find_text_provider(provider))
        return;
    const std::string list = text_provider_list();
    const std::string shown = provider.size() > 40 ? std::string() : " \"" + provider + "\"";
    throw Error(ErrorKind::InvalidInput,
                (rolloy::providers::find_provider(provider) ? "provider" + shown + " does not write prompts"
                                                            : "unknown prompt provider" + shown) +
                    " (text providers: " + list + ")",
                {},
                "Use template (offline), a text provider of rolloy.providers() (" + list +
                    "), or auto (the first of them with a key, else template).");
}

// The provider that writes the prompt and its key: the one asked for, or with "auto" the first
// text provider in registry order that has a key, else the template (no key).
std::string choose_provider(SpiConnection &spi, const std::string &requested, std::string &key) {
    if (requested == "template") return requested;
    std::vector<std::string> names;
    if (requested == "auto")
        for (std::string_view name : rolloy::providers::text_provider_names())
            names.emplace_back(name);
    else
        names.push_back(requested);
    for (const std::string &name : names) {
        key = rolloy::pg::jobs::provider_key(spi, name);
        if (!key.empty()) return name;
    }
    if (requested != "auto")
        throw Error(ErrorKind::WrongState, "no API key for provider \"" + requested + "\"", {},
                    "An admin sets one with rolloy.set_provider_key('" + requested +
                        "', …); or use provider template.");
    return "template";
}

struct Written {
    std::string provider, model, system, prompt;
    long long tokens_in = 0, tokens_out = 0, latency_ms = 0;
    long http_status = 0;
    std::optional<std::string> ledger_cost; // set when the call's ledger row was completed
};

// The provider call's ledger row, written and committed on its own (see autonomous.hpp): opened
// before the request leaves, completed once the answer is in, whatever becomes of the caller's
// statement. 0 when the database has no ledger yet (0.1.0 not upgraded).
class PromptAttempt {
  public:
    PromptAttempt(SpiConnection &spi, const std::string &owner, const std::string &project_id,
                  const std::string &provider, const std::string &model)
        : provider_(provider), model_(model) {
        if (!rolloy::pg::jobs::ledger_available(spi)) return;
        auto opened = rolloy::pg::run_autonomous(
            "INSERT INTO rolloy.api_usage_logs (user_id, project_id, operation, provider, model, success, "
            "state,"
            "                                   sent_at)"
            // Rows the caller's own transaction has not committed (or holds locked) are left
            // NULL, as a deleted user or project would be: the call is booked all the same.
            " VALUES ((SELECT u.id FROM rolloy.users u WHERE u.id = $1::uuid FOR KEY SHARE SKIP LOCKED),"
            "         (SELECT p.id FROM rolloy.creative_projects p WHERE p.id = $2::uuid FOR KEY SHARE SKIP "
            "LOCKED),"
            "         'prompt', $4, $3, false, 'in_flight', now()) RETURNING id",
            {owner, project_id, model, provider});
        // Money first: a call that cannot be put on the books is not made.
        if (!opened.ok || !opened.value)
            throw Error(ErrorKind::ExternalService,
                        "the " + provider + " call could not be put on the books: " + opened.error, {},
                        "Try again; if it persists, check max_worker_processes and the server log.");
        id_ = *opened.value;
    }

    bool open() const { return !id_.empty(); }

    // Completes the row; the cost it was charged, or nothing when the row could not be written
    // (it stays in flight and is closed as "unknown" at the worst-case price later).
    std::optional<std::string> complete(const rolloy::providers::Outcome &outcome) {
        auto done = rolloy::pg::run_autonomous(
            internal_sql(
                "UPDATE rolloy.api_usage_logs l"
                "   SET state = 'completed', success = $2::boolean, http_status = nullif($3::integer, 0),"
                "       latency_ms = $4::integer, tokens_in = $5::bigint, tokens_out = $6::bigint,"
                "       cost_usd = @internal@._call_cost(l.provider, l.model, $5::bigint, $6::bigint, 0, 0),"
                "       error = nullif($7, ''), finished_at = now()"
                " WHERE l.id = $1::bigint AND l.state = 'in_flight' RETURNING l.cost_usd"),
            {id_, outcome.success() ? "true" : "false", std::to_string(outcome.http_status),
             std::to_string(outcome.latency_ms), std::to_string(outcome.tokens_in),
             std::to_string(outcome.tokens_out), outcome.success() ? std::string() : outcome.message});
        if (done.ok && done.value) return done.value;
        const std::string why = done.ok ? "the row was closed meanwhile" : done.error;
        call([this, &why] {
            ereport(WARNING, (errmsg("rolloy: could not complete the ledger row %s of a %s prompt call: %s",
                                     id_.c_str(), provider_.c_str(), why.c_str())));
        });
        return std::nullopt;
    }

  private:
    std::string provider_, model_, id_;
};

// The project (if the caller owns it or is an admin) and its ABCD as a brief.
rolloy::prompts::CreativeBrief load_brief(SpiConnection &spi, const std::string &project_id,
                                          std::string &owner) {
    auto rows = spi.query(
        "SELECT p.created_by, s.category, s.scene, s.description, a.name, a.description, a.product_state,"
        "       d.emotion, d.description, array_to_string(d.keywords, '\x1f'), f.name, f.description, "
        "f.aspect_ratio"
        "  FROM rolloy.creative_projects p"
        "  JOIN rolloy.scenes s ON s.id = p.scene_id JOIN rolloy.actions a ON a.id = p.action_id"
        "  JOIN rolloy.drivers d ON d.id = p.driver_id JOIN rolloy.formats f ON f.id = p.format_id"
        " WHERE p.id = $1::uuid AND (p.created_by = rolloy.current_user_id() OR rolloy.is_admin())",
        {project_id}, true);
    if (rows.empty())
        throw Error(ErrorKind::NotFound, "project " + project_id + " not found",
                    "Only the owner of a project (or an admin) can write its prompt.");
    const SqlRow &r = rows[0];
    owner = *r[0];
    rolloy::prompts::CreativeBrief b;
    b.scene_category = *r[1];
    b.scene = *r[2];
    b.scene_description = *r[3];
    b.action = *r[4];
    b.action_description = *r[5];
    b.product_state = *r[6];
    b.driver_emotion = *r[7];
    b.driver_description = *r[8];
    std::string keywords = r[9].value_or("");
    size_t start = 0;
    while (!keywords.empty() && start <= keywords.size()) {
        size_t end = keywords.find('\x1f', start);
        if (end == std::string::npos) end = keywords.size();
        b.driver_keywords.push_back(keywords.substr(start, end - start));
        start = end + 1;
    }
    b.format_name = *r[10];
    b.format_description = *r[11];
    b.aspect_ratio = *r[12];
    return b;
}

// The failed call is logged by the worker: this statement's transaction is about to roll back.
// Without a worker (rolloy not preloaded) it goes to the server log instead.
void leave_failed_call_log(const std::string &owner, const std::string &project_id,
                           const std::string &provider, const std::string &model,
                           const rolloy::providers::Outcome &outcome) {
    using rolloy::pg::worker::PendingCallLog;
    PendingCallLog log{};
    auto copy = [](char *to, std::size_t size, const std::string &from) { strlcpy(to, from.c_str(), size); };
    log.database = MyDatabaseId;
    log.occurred_at = double(time(nullptr));
    copy(log.user_id, sizeof log.user_id, owner);
    copy(log.project_id, sizeof log.project_id, project_id);
    copy(log.operation, sizeof log.operation, "prompt");
    copy(log.provider, sizeof log.provider, provider);
    copy(log.model, sizeof log.model, model);
    log.http_status = static_cast<int>(outcome.http_status);
    log.latency_ms = static_cast<int>(outcome.latency_ms);
    log.tokens_in = outcome.tokens_in;
    log.tokens_out = outcome.tokens_out;
    // Cut at a character boundary: the worker writes this text as it is.
    std::string message = rolloy::sanitise_utf8(outcome.message);
    std::size_t keep = call([&message] {
        return static_cast<std::size_t>(pg_mbcliplen(message.data(), static_cast<int>(message.size()),
                                                     static_cast<int>(sizeof(PendingCallLog::error)) - 1));
    });
    copy(log.error, sizeof log.error, message.substr(0, keep));
    if (rolloy::pg::worker::leave_call_log(log)) return;
    call([&log] {
        ereport(LOG,
                (errmsg("rolloy: failed %s prompt call not logged in api_usage_logs (no worker): model %s, "
                        "HTTP %d, %lld tokens in, %lld out",
                        log.provider, log.model, log.http_status, (long long)log.tokens_in,
                        (long long)log.tokens_out)));
    });
}

Written with_provider(SpiConnection &spi, const std::string &provider,
                      const rolloy::prompts::CreativeBrief &brief, const std::string &key,
                      const std::string &owner, const std::string &project_id) {
    using namespace rolloy::providers;
    rolloy::prompts::PromptMessages messages = rolloy::prompts::build_prompt_request(brief);
    ProviderConfig config;
    const rolloy::pg::settings::ProviderSettings *settings =
        rolloy::pg::settings::provider_settings(provider);
    config.base_url = settings->base_url_value();
    config.model = settings->model("text");
    config.api_key = key;
    config.request_timeout_ms = rolloy::pg::settings::request_timeout_ms;
    TextRequest request;
    request.system_prompt = messages.system;
    request.prompt = messages.user;
    request.max_output_tokens = kMaxOutputTokens;
    request.temperature = 0.7;
    HttpClient http;
    PromptAttempt attempt(spi, owner, project_id, provider, config.model);
    // Cancel and statement_timeout set InterruptPending from a signal handler: reading the flag
    // is all the callback may do (no Postgres call, no longjmp); the error follows below.
    Outcome outcome = run_call(http, find_text_provider(provider)->make_call(config, std::move(request)),
                               config.request_timeout_ms, [] { return InterruptPending != 0; });
    std::optional<std::string> ledger_cost;
    if (attempt.open())
        ledger_cost = attempt.complete(outcome);
    else if (!outcome.success())
        leave_failed_call_log(owner, project_id, provider, config.model, outcome);
    call([] { CHECK_FOR_INTERRUPTS(); });
    if (!outcome.success())
        throw Error(ErrorKind::ExternalService, provider + " could not write the prompt: " + outcome.message,
                    outcome.finish_reason.empty() ? "" : "finishReason " + outcome.finish_reason,
                    outcome.kind == OutcomeKind::Transient ? "This is usually temporary: try again shortly."
                                                           : "");
    Written w;
    w.provider = provider;
    w.model = config.model;
    w.system = messages.system;
    w.prompt = rolloy::prompts::clean_model_prompt(outcome.text);
    w.tokens_in = outcome.tokens_in;
    w.tokens_out = outcome.tokens_out;
    w.latency_ms = outcome.latency_ms;
    w.http_status = outcome.http_status;
    w.ledger_cost = attempt.open() ? std::optional<std::string>(ledger_cost.value_or("0")) : std::nullopt;
    return w;
}

} // namespace

ROLLOY_FUNCTION(rolloy_generate_prompt) {
    if (PG_ARGISNULL(0)) throw Error(ErrorKind::InvalidInput, "project_id must not be NULL");
    std::string project_id =
        call([fcinfo] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0))); });
    std::string provider = PG_ARGISNULL(1) ? "auto" : rolloy::pg::text_arg(fcinfo, 1);
    check_provider_name(provider);

    SpiConnection spi;
    // No rolloy identity: refused before anything is read (42501), as by every function that needs
    // a user; someone else's project and one that does not exist answer the same below.
    spi.query(internal_sql("SELECT @internal@.require_user()").c_str());
    std::string owner;
    rolloy::prompts::CreativeBrief brief = load_brief(spi, project_id, owner);
    std::string key;
    provider = choose_provider(spi, provider, key);

    Written w;
    if (provider != "template") {
        // A provider call costs money: refuse it when the owner's monthly budget has no room for its
        // worst case (raises configuration_limit_exceeded with the figures).
        spi.query(internal_sql("SELECT @internal@._check_budget($1::uuid,"
                               " @internal@._call_cost($5, $2, $3::bigint, $4::bigint, 0, 0))")
                      .c_str(),
                  {owner, rolloy::pg::settings::provider_settings(provider)->model("text"),
                   std::to_string(kWorstCaseInputTokens), std::to_string(kMaxOutputTokens), provider});
        // No SPI call is in progress while we wait on the network; the backend's own
        // transaction stays open (the caller's statement), which is unavoidable here.
        w = with_provider(spi, provider, brief, key, owner, project_id);
    } else {
        w.provider = "template";
        w.model = "template-v1";
        w.system = "";
        w.prompt = rolloy::prompts::compose_template_prompt(brief);
    }

    // A provider call is on the books already (its own committed ledger row); the template's
    // offline call, or a call in a database without the ledger, is logged with the prompt.
    std::string cost;
    if (w.ledger_cost) {
        cost = *w.ledger_cost;
    } else {
        auto logged = spi.query(
            internal_sql(
                "INSERT INTO rolloy.api_usage_logs (user_id, project_id, operation, provider, model, "
                "success, http_status,"
                "    latency_ms, tokens_in, tokens_out, cost_usd)"
                " VALUES ($1::uuid, $2::uuid, 'prompt', $3, $4, true, nullif($5::integer, 0), $6::integer, "
                "$7::bigint, $8::bigint,"
                "    @internal@._call_cost($3, $4, $7::bigint, $8::bigint, 0, 0))"
                " RETURNING cost_usd")
                .c_str(),
            {owner, project_id, w.provider, w.model, std::to_string(w.http_status),
             std::to_string(w.latency_ms), std::to_string(w.tokens_in), std::to_string(w.tokens_out)});
        cost = logged.at(0).at(0).value_or("0");
    }
    auto updated = spi.query(
        "UPDATE rolloy.creative_projects"
        "   SET prompt = $2, prompt_system = nullif($3, ''), prompt_provider = $4, prompt_model = $5,"
        "       prompt_tokens_in = $6::integer, prompt_tokens_out = $7::integer, prompt_cost_usd = "
        "$8::numeric,"
        "       prompt_generated_at = now()"
        " WHERE id = $1::uuid RETURNING prompt",
        {project_id, w.prompt, w.system, w.provider, w.model, std::to_string(w.tokens_in),
         std::to_string(w.tokens_out), cost});
    spi.finish();
    return rolloy::pg::text_datum(*updated.at(0).at(0));
}
