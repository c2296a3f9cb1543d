// Calls: a claimed job becomes a provider call once its ledger row is committed as in flight
// (write-ahead), and a finished call goes to the result threads.
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

#include "core/common/error.hpp"

#include <memory>

namespace rolloy::pg::worker {

// Starts the calls of claimed jobs. Write-ahead: their ledger rows are marked in flight and
// committed before any request leaves, so a crash at any point leaves a row for every request
// a provider may have seen (recovery closes it as "unknown").
void Worker::start_calls(std::vector<Staged> batch) {
    struct Ready {
        ImageJob job;
        std::unique_ptr<providers::ProviderCall> call;
    };
    std::vector<Ready> ready;
    for (Staged &staged : batch) {
        ImageJob &job = staged.job;
        JobRecord r;
        r.kind = JobRecord::Kind::Failed;
        if (job.reference.empty()) {
            r.error = "the reference image of this job no longer exists";
        } else if (staged.key.empty()) {
            r.error = "no API key for provider " + job.provider + " (rolloy.set_provider_key)";
        } else {
            try {
                auto call = generation::make_call(job, call_config(job, staged.key));
                ready.push_back(Ready{std::move(job), std::move(call)});
                continue;
            } catch (const Error &e) {
                r.error = e.what();
            }
        }
        store(job, r);
    }
    if (ready.empty()) return;
    std::vector<std::int64_t> ledger_ids;
    for (const Ready &c : ready)
        if (c.job.ledger_id > 0) ledger_ids.push_back(c.job.ledger_id);
    try {
        in_transaction("rolloy worker: opening attempts",
                       [&ledger_ids](SpiConnection &spi) { jobs::send_attempts(spi, ledger_ids); });
    } catch (...) {
        // Not sent: their leases expire and the images are tried again; recovery removes the
        // staged ledger rows once they are no longer ours.
        for (std::int64_t id : ledger_ids)
            open_ledger_.erase(id);
        throw;
    }
    for (Ready &c : ready) {
        std::int64_t id = next_id_++;
        runner_.add(id, std::move(c.call), settings::job_deadline_ms);
        running_.emplace(id, std::move(c.job));
    }
    // A call may name its request before it leaves (a Replicate create as a pending create:
    // model, time, seed, prompt hash): booked now, before any step sends it, so a kill -9 in
    // between leaves a row the next attempt reconciles by instead of creating again.
    book_remote_ids();
}

providers::ProviderConfig Worker::call_config(const ImageJob &job, const std::string &key) {
    providers::ProviderConfig config;
    const settings::ProviderSettings *provider = settings::provider_settings(job.provider);
    config.base_url = provider ? provider->base_url_value() : std::string();
    if (provider) config.options = provider->option_values();
    config.model = job.model;
    config.api_key = key;
    config.request_timeout_ms = settings::request_timeout_ms;
    config.max_image_bytes = std::int64_t(settings::max_image_mb) << 20;
    config.max_response_bytes = (std::int64_t(settings::max_image_mb) << 20) * 2;
    return config;
}

// Remote ids (fal's queue ticket) learnt by calls in flight go on the books at once: one short
// transaction after the network step, none held while waiting. A kill -9 after a provider
// accepted a request then leaves its id in the attempt's ledger row; the reclaim hands it to
// the next attempt, which polls that request instead of sending a new one (docs/worker.md).
// What a failed transaction did not book is kept and booked next round.
void Worker::book_remote_ids() {
    for (providers::TokenChange &c : runner_.take_token_changes()) {
        auto it = running_.find(c.id);
        if (it != running_.end()) remote_ids_.note(it->second.ledger_id, std::move(c.token));
    }
    remote_ids_.flush();
}

void Worker::finish(std::int64_t id, const providers::Outcome &outcome) {
    auto it = running_.find(id);
    if (it == running_.end()) return;
    ImageJob job = std::move(it->second);
    running_.erase(it);
    finish_times_[job.provider].push_back(Clock::now());
    providers::RetryOptions retry;
    retry.base_delay_ms = settings::retry_base_ms;
    retry.max_delay_ms = std::max(settings::retry_base_ms, settings::retry_max_ms);
    if (outcome.aborted()) { // nothing to decode: record it here, at once
        store(job, generation::record_for(job, outcome, retry, std::size_t(settings::max_image_mb) << 20));
        return;
    }
    const std::string provider = job.provider;
    processing_.emplace(job.image_id, provider);
    processor_.submit(std::move(job), outcome, retry, std::size_t(settings::max_image_mb) << 20);
    start_staged(provider);
}

} // namespace rolloy::pg::worker
