// Claiming: how many jobs of a provider may be called now (its concurrency limit), the stage of
// claimed jobs waiting for a slot, and preview renders (claimed and drawn locally).
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

extern "C" {
#include "pgstat.h"
}

namespace rolloy::pg::worker {
namespace {

// The remote providers and their settings come from the registry (provider_settings.hpp): the
// worker claims, pools and configures every image provider it lists, and names none itself.
int limit_for(const std::string &provider) {
    const settings::ProviderSettings *p = settings::provider_settings(provider);
    return p ? p->concurrency : 1;
}

// Claimed jobs waiting for a slot: as many as the provider finishes in kStageWindow, at most
// a quarter of its limit. A finished call starts the next one at once from here, without
// waiting for a claim transaction (3-4 ms a call at 300 calls/s). Slow providers finish too
// few calls for any: their rows are never kept waiting behind a slot.
constexpr auto kStageWindow = std::chrono::milliseconds(50);
constexpr auto kRateHorizon = std::chrono::milliseconds(250); // finishes counted

} // namespace

// Calls of `provider` that may start now: its concurrency limit, and calls in flight plus
// answers waiting for processing never more than twice the limit. A call whose answer is
// being processed no longer occupies a slot, so the next call starts at once; the second
// bound keeps the memory held in check.
int Worker::free_slots(const std::string &provider) const {
    int calling = 0, processing = 0;
    for (auto &entry : running_)
        if (entry.second.provider == provider) ++calling;
    for (auto &entry : processing_)
        if (entry.second == provider) ++processing;
    const int limit = limit_for(provider);
    return std::max(0, std::min(limit - calling, 2 * limit - calling - processing));
}

int Worker::stage_target(const std::string &provider) {
    auto &finishes = finish_times_[provider];
    const auto horizon = Clock::now() - kRateHorizon;
    while (!finishes.empty() && finishes.front() < horizon)
        finishes.pop_front();
    const int per_window = static_cast<int>(finishes.size() * kStageWindow.count() / kRateHorizon.count());
    return std::min(per_window, limit_for(provider) / 4);
}

// Starts staged jobs of `provider` while it has free slots.
void Worker::start_staged(const std::string &provider) {
    auto it = staged_.find(provider);
    if (it == staged_.end() || it->second.empty()) return;
    // A cancel committed since the last look may concern them: the next round releases them.
    if (withdrawn_commits() != seen_withdrawn_) return;
    std::vector<Staged> batch;
    for (int free = free_slots(provider); free > 0 && !it->second.empty(); --free) {
        batch.push_back(std::move(it->second.front()));
        it->second.pop_front();
    }
    start_calls(std::move(batch));
}

int Worker::claim_remote(const std::string &provider) {
    start_staged(provider);
    const int free = free_slots(provider);
    // Staged jobs first: a claim happens only once they have all started and slots are free
    // again; it then fills the free slots and the stage.
    if (free <= 0 || has_staged(provider) || !due_for_look(provider)) return 0;
    const int want = free + stage_target(provider);
    const std::vector<std::string> skip = waiting_projects();
    std::string key;
    auto claimed = in_transaction("rolloy worker: claiming", [&](SpiConnection &spi) {
        auto jobs =
            jobs::claim(spi, provider, want, settings::lease_seconds, skip, jobs::ledger_available(spi));
        if (!jobs.empty()) key = jobs::provider_key(spi, provider);
        if (static_cast<int>(jobs.size()) < want) note_drained(spi, provider);
        return jobs;
    });
    std::vector<Staged> now;
    for (ImageJob &job : claimed) {
        if (job.ledger_id > 0) open_ledger_.insert(job.ledger_id);
        if (static_cast<int>(now.size()) < free)
            now.push_back(Staged{std::move(job), key});
        else
            staged_[provider].push_back(Staged{std::move(job), key});
    }
    start_calls(std::move(now));
    return static_cast<int>(claimed.size());
}

int Worker::run_previews() {
    if (!due_for_look("preview")) return 0;
    const std::vector<std::string> skip = waiting_projects();
    auto claimed = in_transaction("rolloy worker: claiming previews", [this, &skip](SpiConnection &spi) {
        auto jobs =
            jobs::claim(spi, "preview", settings::preview_batch, settings::lease_seconds, skip, false);
        if (static_cast<int>(jobs.size()) < settings::preview_batch) note_drained(spi, "preview");
        return jobs;
    });
    for (ImageJob &job : claimed) {
        JobRecord r;
        if (job.reference.empty()) {
            r.kind = JobRecord::Kind::Failed;
            r.error = "the reference image of this job no longer exists";
        } else {
            call([] { pgstat_report_activity(STATE_RUNNING, "rolloy worker: rendering preview"); });
            r = generation::run_preview(job);
        }
        store(job, r);
        // Keep remote calls moving between local renders.
        if (!running_.empty())
            for (auto &f : runner_.step(0))
                finish(f.id, f.outcome);
    }
    return static_cast<int>(claimed.size());
}

// Projects with a result waiting for a lock or for the object store: not claimed from until
// it is recorded, which bounds what a held lock or a store outage can make the worker keep
// in memory.
std::vector<std::string> Worker::waiting_projects() const {
    std::set<std::string> projects;
    for (const Deferred &d : deferred_)
        projects.insert(d.job.project_id);
    for (const Upload &u : uploads_)
        projects.insert(u.job.project_id);
    return {projects.begin(), projects.end()};
}

bool Worker::has_staged() const {
    for (auto &entry : staged_)
        if (!entry.second.empty()) return true;
    return false;
}

bool Worker::has_staged(const std::string &provider) const {
    auto it = staged_.find(provider);
    return it != staged_.end() && !it->second.empty();
}

} // namespace rolloy::pg::worker
