// The rolloy background worker. One loop, no transaction between steps:
//   reclaim expired leases -> claim due jobs per provider (short transaction, commit)
//   -> run HTTP calls concurrently (JobRunner, no transaction) and render previews
//   -> record each finished job in its own short transaction -> wait on the latch.
// SIGTERM stops it after releasing in-flight rows; SIGHUP reloads settings; a crash or kill
// leaves leases that expire and put the rows back. It exits non-zero so the postmaster always
// restarts it (pg_cron's lesson: a worker that exits 0 never comes back). It never waits long
// for a lock another transaction holds (NOWAIT, SKIP LOCKED, lock_timeout): a result it cannot
// record now is kept and recorded later, so one user's open transaction never stalls the
// others' work.
#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "core/generation/result_processor.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_books.hpp"
#include "pg/generation/worker_state.hpp"
#include "pg/storage/s3_settings.hpp"
#include "pg/storage/upload_target.hpp"

#include "core/common/error.hpp"
#include "core/generation/image_job.hpp"
#include "core/providers/http_client.hpp"
#include "core/providers/job_runner.hpp"
#include "core/storage/result_upload.hpp"

#include <chrono>
#include <csignal>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PGDLLEXPORT void rolloy_worker_main(Datum);
}

namespace rolloy::pg::worker {
namespace {

volatile sig_atomic_t got_sigterm = false;

void handle_sigterm(SIGNAL_ARGS) {
    int saved_errno = errno;
    got_sigterm = true;
    SetLatch(MyLatch);
    errno = saved_errno;
}

using Clock = std::chrono::steady_clock;
using generation::ImageJob;
using generation::JobRecord;

// The remote providers and their settings come from the registry (provider_settings.hpp): the
// worker claims, pools and configures every image provider it lists, and names none itself.
int limit_for(const std::string &provider) {
    const settings::ProviderSettings *p = settings::provider_settings(provider);
    return p ? p->concurrency : 1;
}

class Worker {
  public:
    Worker()
        : http_(http_options()), runner_(http_),
          processor_(settings::effective_result_threads(), [this] { runner_.wakeup(); }) {
        // With the s3 store a completed image is uploaded on its result thread, before its row
        // is written (see store()).
        processor_.set_finisher([this](const ImageJob &job, JobRecord &r) {
            if (r.storage_ref.empty()) rolloy::storage::upload_result(target_.s3(), job, r);
        });
        apply_pool_limits();
    }

    void run() {
        while (!got_sigterm) {
            handle_interrupts();
            note_loop(static_cast<int>(running_.size() + processing_.size()));
            bool busy = false;
            try {
                busy = one_round();
            } catch (const std::exception &e) {
                // A failed round (a Postgres error inside, a bad row) must not stop the worker:
                // note it, back off a little, and go on. The transaction was already aborted.
                note_error(std::string(), e.what());
                call([&e] { ereport(WARNING, (errmsg("rolloy worker: %s", e.what()))); });
                installed_ = false; // check again: the extension may be gone
                wait_latch(1000);
                continue;
            }
            if (!busy) wait_latch(idle_wait_ms());
        }
        release_in_flight();
        call([] { ereport(LOG, (errmsg("rolloy worker stopping on request"))); });
    }

  private:
    struct Staged { // a claimed job waiting for a slot, with its provider's key
        ImageJob job;
        std::string key;
    };

    static providers::HttpClientOptions http_options() {
        providers::HttpClientOptions o;
        o.total_timeout_ms = settings::request_timeout_ms;
        o.max_response_bytes = std::int64_t(settings::max_image_mb) << 20;
        o.default_pool_limit = 16;
        o.user_agent = "rolloy-worker";
        return o;
    }

    void apply_pool_limits() {
        for (const settings::ProviderSettings &p : settings::provider_settings())
            if (p.entry->image.adapter) http_.set_pool_limit(p.name(), p.concurrency);
        processor_.set_threads(settings::effective_result_threads() + storage::upload_threads());
        apply_lock_timeout();
    }

    // Every lock the worker's statements wait for (a table lock, a row lock not taken NOWAIT or
    // SKIP LOCKED) is given up after rolloy.worker_lock_timeout_ms (SQLSTATE 55P03): the worker
    // never sits behind another session's open transaction.
    static void apply_lock_timeout() {
        const int ms = settings::worker_lock_timeout_ms;
        call([ms] {
            char value[32];
            snprintf(value, sizeof value, "%dms", ms);
            SetConfigOption("lock_timeout", value, PGC_SUSET, PGC_S_SESSION);
        });
    }

    void handle_interrupts() {
        call([] { CHECK_FOR_INTERRUPTS(); });
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            call([] { ProcessConfigFile(PGC_SIGHUP); });
            apply_pool_limits();
        }
    }

    // Sleeps until the latch is set (a commit queued work, a signal) or the timeout; either way
    // every queue is worth a look afterwards.
    void wait_latch(long timeout_ms) {
        call([timeout_ms] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
                            PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
        });
        next_look_.clear();
    }

    // While busy the loop does not sleep on the latch: a set latch (new work committed) is
    // noticed here, once per round.
    void notice_latch() {
        bool set = call([] {
            if (!MyLatch->is_set) return false;
            ResetLatch(MyLatch);
            return true;
        });
        // The count catches commits whose latch a wait inside our own transactions consumed.
        uint64 commits = queued_commits();
        if (set || commits != seen_commits_) next_look_.clear();
        seen_commits_ = commits;
        // Someone cancelled or deleted leased rows: staged jobs among them must not be called.
        // All staged jobs go back (the cancelled ones are no longer ours: nothing to write) and
        // the rest are claimed again at once.
        uint64 withdrawn = withdrawn_commits();
        if (withdrawn != seen_withdrawn_) {
            seen_withdrawn_ = withdrawn;
            release_staged();
            cancel_withdrawn();
        }
    }

    // Calls in flight whose rows were cancelled or deleted: the provider is told (the call's
    // cancel request: a Replicate prediction or a fal job stops, and stops costing) instead of
    // finishing work nobody records. The ledger completes their attempts as usual.
    void cancel_withdrawn() {
        if (running_.empty()) return;
        std::vector<std::string> ids;
        for (auto &entry : running_)
            ids.push_back(entry.second.image_id);
        const std::vector<std::string> gone =
            in_transaction("rolloy worker: finding withdrawn calls",
                           [&ids](SpiConnection &spi) { return jobs::withdrawn(spi, ids); });
        const std::set<std::string> withdrawn(gone.begin(), gone.end());
        for (auto &entry : running_)
            if (withdrawn.count(entry.second.image_id)) runner_.cancel(entry.first);
    }

    // Idle: until the next queue is due for a look, at most the fallback poll.
    long idle_wait_ms() const {
        long wait = settings::poll_interval_ms;
        auto now = Clock::now();
        auto until = [&now](Clock::time_point t) {
            return std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count());
        };
        for (auto &entry : next_look_)
            wait = std::min<long>(wait, until(entry.second));
        for (const Deferred &d : deferred_)
            wait = std::min<long>(wait, until(d.next_try));
        for (const Upload &u : uploads_)
            wait = std::min<long>(wait, until(u.next_try));
        return wait;
    }

    // A claim that found fewer due rows than it could take leaves the queue empty for now:
    // claiming again every round would cost a transaction per round for nothing. The queue is
    // looked at again when its next row is due, when the latch is set, or at the fallback poll.
    bool due_for_look(const std::string &queue) const {
        auto it = next_look_.find(queue);
        return it == next_look_.end() || Clock::now() >= it->second;
    }

    void note_drained(SpiConnection &spi, const std::string &queue) {
        long next_due = jobs::ms_until_next_due(spi, queue);
        long wait = settings::poll_interval_ms;
        // Due rows we could not take are locked by another session: look again soon.
        if (next_due >= 0) wait = std::min<long>(wait, std::max<long>(next_due, 20));
        next_look_[queue] = Clock::now() + std::chrono::milliseconds(wait);
    }

    // One pass; true when there is more to do right away.
    bool one_round() {
        auto now = Clock::now();
        // DROP EXTENSION is rare: checking once a second (and after a failed round) is enough.
        if (!installed_ || now - last_install_check_ > std::chrono::seconds(1)) {
            installed_ = in_transaction("rolloy worker: checking", [this](SpiConnection &spi) {
                const bool installed = jobs::extension_installed(spi);
                if (installed) target_.refresh(spi); // where new images go (settings, credentials)
                return installed;
            });
            last_install_check_ = now;
        }
        if (!installed_) {
            // DROP EXTENSION while calls were in flight: their rows are gone, so stop the calls
            // (nothing left to record them in) rather than spinning on them.
            if (!running_.empty() || !processing_.empty()) {
                runner_.abort_all();
                running_.clear();
                processor_.wait_for_done(0);
                processor_.take_done();
                processing_.clear();
                ready_.clear();
            }
            staged_.clear();
            deferred_.clear();
            open_ledger_.clear();
            remote_ids_.clear();
            uploads_.clear();
            return false;
        }
        notice_latch();
        call_logs_.write();
        store_deferred(false);
        retry_uploads(false);

        if (now - last_reclaim_ > std::chrono::seconds(10)) {
            const std::vector<std::string> held = held_ids();
            int n = in_transaction("rolloy worker: reclaiming expired leases", [&held](SpiConnection &spi) {
                return jobs::reclaim_expired_leases(spi, held, jobs::ledger_available(spi));
            });
            if (n > 0) {
                note_results(0, 0, n);
                next_look_.clear();
            }
            // Recovery of the ledger (first round after a start, then with each reclaim): calls a
            // stopped worker left open are closed as "outcome unknown, may be billed".
            const std::vector<std::int64_t> open(open_ledger_.begin(), open_ledger_.end());
            in_transaction("rolloy worker: closing orphaned attempts", [&open](SpiConnection &spi) {
                if (!jobs::ledger_available(spi)) return 0;
                // A prompt call ends within its request timeout; twice that and a minute is
                // a session that ended without completing its row.
                return jobs::close_orphaned_attempts(spi, open) +
                       jobs::close_stale_prompt_attempts(spi, 2 * settings::request_timeout_ms + 60000);
            });
            last_reclaim_ = now;
        }
        if ((!running_.empty() || !processing_.empty() || has_staged() || !deferred_.empty() ||
             !uploads_.empty()) &&
            now - last_heartbeat_ > std::chrono::seconds(std::max(1, settings::lease_seconds / 3))) {
            const std::vector<std::string> ids = held_ids();
            in_transaction("rolloy worker: extending leases", [&ids](SpiConnection &spi) {
                jobs::extend_leases(spi, ids, settings::lease_seconds);
            });
            last_heartbeat_ = now;
        }

        int claimed = 0;
        for (const settings::ProviderSettings &p : settings::provider_settings())
            if (p.entry->image.adapter) claimed += claim_remote(p.name());
        int previews = run_previews();

        std::size_t finished_now = 0;
        if (!running_.empty()) {
            // A short step after claiming (more may be due), else wait for the network, bounded so
            // signals and new work are noticed within 100 ms; a processed result ends the wait
            // early (the processor wakes the runner), so results are written without spinning.
            book_remote_ids(); // learnt by the steps between records
            auto finished = runner_.step(claimed > 0 || previews > 0 || !ready_.empty() ? 0 : 100);
            book_remote_ids();
            finished_now = finished.size();
            for (auto &f : finished)
                finish(f.id, f.outcome);
        } else if (!processing_.empty() && ready_.empty()) {
            processor_.wait_for_done(100);
        }
        finished_now += store_processed();
        // Finished jobs free slots: claim again at once rather than sleeping on the latch.
        return claimed > 0 || previews > 0 || finished_now > 0 || !running_.empty() || !processing_.empty() ||
               has_staged();
    }

    // Remote ids (fal's queue ticket) learnt by calls in flight go on the books at once: one short
    // transaction after the network step, none held while waiting. A kill -9 after a provider
    // accepted a request then leaves its id in the attempt's ledger row; the reclaim hands it to
    // the next attempt, which polls that request instead of sending a new one (docs/worker.md).
    // What a failed transaction did not book is kept and booked next round.
    void book_remote_ids() {
        for (providers::TokenChange &c : runner_.take_token_changes()) {
            auto it = running_.find(c.id);
            if (it != running_.end()) remote_ids_.note(it->second.ledger_id, std::move(c.token));
        }
        remote_ids_.flush();
    }

    // Calls of `provider` that may start now: its concurrency limit, and calls in flight plus
    // answers waiting for processing never more than twice the limit. A call whose answer is
    // being processed no longer occupies a slot, so the next call starts at once; the second
    // bound keeps the memory held in check.
    int free_slots(const std::string &provider) const {
        int calling = 0, processing = 0;
        for (auto &entry : running_)
            if (entry.second.provider == provider) ++calling;
        for (auto &entry : processing_)
            if (entry.second == provider) ++processing;
        const int limit = limit_for(provider);
        return std::max(0, std::min(limit - calling, 2 * limit - calling - processing));
    }

    // Claimed jobs waiting for a slot: as many as the provider finishes in kStageWindow, at most
    // a quarter of its limit. A finished call starts the next one at once from here, without
    // waiting for a claim transaction (3-4 ms a call at 300 calls/s). Slow providers finish too
    // few calls for any: their rows are never kept waiting behind a slot.
    static constexpr auto kStageWindow = std::chrono::milliseconds(50);
    static constexpr auto kRateHorizon = std::chrono::milliseconds(250); // finishes counted
    int stage_target(const std::string &provider) {
        auto &finishes = finish_times_[provider];
        const auto horizon = Clock::now() - kRateHorizon;
        while (!finishes.empty() && finishes.front() < horizon)
            finishes.pop_front();
        const int per_window =
            static_cast<int>(finishes.size() * kStageWindow.count() / kRateHorizon.count());
        return std::min(per_window, limit_for(provider) / 4);
    }

    // Starts staged jobs of `provider` while it has free slots.
    void start_staged(const std::string &provider) {
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

    int claim_remote(const std::string &provider) {
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

    // Starts the calls of claimed jobs. Write-ahead: their ledger rows are marked in flight and
    // committed before any request leaves, so a crash at any point leaves a row for every request
    // a provider may have seen (recovery closes it as "unknown").
    void start_calls(std::vector<Staged> batch) {
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
    }

    static providers::ProviderConfig call_config(const ImageJob &job, const std::string &key) {
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

    // Staged jobs never called: their attempts go back, as at shutdown. They leave the stage
    // first: if a release fails, the rest are forgotten (their leases expire and the reclaim puts
    // them back) rather than called for rows that may already be pending again.
    void release_staged() {
        std::map<std::string, std::deque<Staged>> releasing;
        releasing.swap(staged_);
        for (auto &entry : releasing)
            for (Staged &staged : entry.second) {
                JobRecord r;
                r.kind = JobRecord::Kind::Released;
                r.resume_token = staged.job.resume_token;
                store(staged.job, r);
            }
    }

    int run_previews() {
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

    void finish(std::int64_t id, const providers::Outcome &outcome) {
        auto it = running_.find(id);
        if (it == running_.end()) return;
        ImageJob job = std::move(it->second);
        running_.erase(it);
        finish_times_[job.provider].push_back(Clock::now());
        providers::RetryOptions retry;
        retry.base_delay_ms = settings::retry_base_ms;
        retry.max_delay_ms = std::max(settings::retry_base_ms, settings::retry_max_ms);
        if (outcome.aborted()) { // nothing to decode: record it here, at once
            store(job,
                  generation::record_for(job, outcome, retry, std::size_t(settings::max_image_mb) << 20));
            return;
        }
        const std::string provider = job.provider;
        processing_.emplace(job.image_id, provider);
        processor_.submit(std::move(job), outcome, retry, std::size_t(settings::max_image_mb) << 20);
        start_staged(provider);
    }

    // Writes the records the result threads have finished; returns how many. Each record is its
    // own transaction (~1-2 ms), so a long run of them would leave answers unread on the sockets
    // and slots unclaimed: between records the calls are stepped, and after kRecordSliceMs the
    // rest waits for the next round, which claims first.
    std::size_t store_processed() {
        constexpr auto kRecordSliceMs = std::chrono::milliseconds(10);
        for (auto &entry : processor_.take_done())
            ready_.push_back(std::move(entry));
        const auto until = Clock::now() + kRecordSliceMs;
        std::size_t stored = 0;
        while (!ready_.empty()) {
            generation::ResultProcessor::Done entry = std::move(ready_.front());
            ready_.pop_front();
            processing_.erase(entry.first.image_id);
            store(entry.first, entry.second);
            ++stored;
            bool freed = false;
            if (!running_.empty())
                for (auto &f : runner_.step(0)) {
                    finish(f.id, f.outcome);
                    freed = true;
                }
            // A finished call freed a slot: claim (next round) before recording more.
            if (freed || Clock::now() >= until) break;
        }
        return stored;
    }

    // Records a result. When a row it needs is locked by another transaction (a member's open
    // transaction on his own project or images, say) nothing is written and the result waits in
    // deferred_: the worker goes on with everyone else's work and records it once the lock is
    // gone. The record is one transaction, so a result is written whole or not at all: kept
    // results are never lost (the heartbeat keeps their leases, the reclaim leaves them alone)
    // and never counted twice.
    void store(const ImageJob &job, const JobRecord &r) {
        if (r.kind == JobRecord::Kind::Completed && r.storage_ref.empty() && target_.s3()) {
            upload_later(job, r);
            return;
        }
        upload_failures_.erase(job.image_id);
        const auto start = Clock::now();
        if (!try_store(job, r)) return;
        const auto now = Clock::now();
        Deferred d{job, r, start, now + (now - start > kWaited ? kAfterWait : kFirstRetry), 1, false};
        d.job.reference.clear(); // the call is made: its photo is not needed again
        d.job.reference.shrink_to_fit();
        deferred_.push_back(std::move(d));
    }

    // One attempt at recording; the lock error's message when a lock was not available.
    std::optional<std::string> try_store(const ImageJob &job, const JobRecord &r) {
        bool applied = false;
        try {
            applied = in_transaction("rolloy worker: recording",
                                     [&](SpiConnection &spi) { return jobs::record(spi, job, r); });
        } catch (const PgError &e) {
            if (e.sqlerrcode() == ERRCODE_LOCK_NOT_AVAILABLE) return std::string(e.what());
            open_ledger_.erase(job.ledger_id); // not recorded: recovery closes its attempt
            throw;
        } catch (...) {
            open_ledger_.erase(job.ledger_id);
            throw;
        }
        open_ledger_.erase(job.ledger_id); // the record completed its ledger row
        if (!applied) return std::nullopt;
        switch (r.kind) {
        case JobRecord::Kind::Completed:
            note_results(1, 0, 0);
            break;
        case JobRecord::Kind::Failed:
            note_results(0, 1, 0);
            note_error(job.owner_id, r.error);
            break;
        case JobRecord::Kind::Retry:
            note_results(0, 0, 1);
            note_error(job.owner_id, r.error);
            break;
        case JobRecord::Kind::Released:
            break;
        }
        return std::nullopt;
    }

    // Tries the kept results that are due again (all of them when `all`). A try that fails on its
    // NOWAIT lock costs a fraction of a millisecond, so tries come quickly at first (20 ms,
    // doubling to 1 s): most locks are a concurrent statement's (a user queueing images into the
    // project) and gone within milliseconds. A result still waiting after kReportAfter is
    // reported in the server log, and again once it is recorded. A try that waited
    // (lock_timeout, e.g. behind a table lock) backs off to 10 s and ends the pass, so that such
    // waits never add up within one round.
    static constexpr auto kFirstRetry = std::chrono::milliseconds(20);
    static constexpr auto kReportAfter = std::chrono::milliseconds(200);
    static constexpr auto kWaited = std::chrono::milliseconds(100); // longer than a NOWAIT failure
    static constexpr auto kAfterWait = std::chrono::seconds(10);
    void store_deferred(bool all) {
        for (std::size_t i = 0; i < deferred_.size();) {
            Deferred &d = deferred_[i];
            const auto start = Clock::now();
            if (!all && d.next_try > start) {
                ++i;
                continue;
            }
            std::optional<std::string> locked;
            try {
                locked = try_store(d.job, d.record);
            } catch (...) {
                // Not a lock: the record failed as any record may; it is not kept for ever.
                deferred_.erase(deferred_.begin() + static_cast<std::ptrdiff_t>(i));
                throw;
            }
            const auto now = Clock::now();
            if (locked) {
                if (!d.reported && now - d.since >= kReportAfter) {
                    d.reported = true;
                    call([&d, &locked] {
                        ereport(
                            LOG,
                            (errmsg("rolloy worker: the result of image %s (project %s) waits for a lock: %s",
                                    d.job.image_id.c_str(), d.job.project_id.c_str(), locked->c_str()),
                             errdetail("Another transaction holds a row the worker must write. The result is "
                                       "kept and recorded once the lock is released; meanwhile no further "
                                       "image of the project is claimed.")));
                    });
                }
                const bool waited = now - start > kWaited;
                const auto backoff = std::min<Clock::duration>(kFirstRetry * (1 << std::min(d.tries, 6)),
                                                               std::chrono::seconds(1));
                d.next_try = now + (waited ? Clock::duration(kAfterWait) : backoff);
                ++d.tries;
                if (waited && !all) break;
                ++i;
                continue;
            }
            if (d.reported) {
                const double waited_s = std::chrono::duration<double>(now - d.since).count();
                call([&d, waited_s] {
                    ereport(LOG, (errmsg("rolloy worker: recorded image %s after waiting %.1f s for a lock",
                                         d.job.image_id.c_str(), waited_s)));
                });
            }
            deferred_.erase(deferred_.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }

    // A completed image the object store did not take (an outage, wrong credentials, a missing
    // bucket): the result is kept and its upload tried again on a result thread, backing off
    // from 0.5 s to 30 s, until the store takes it; its row stays leased meanwhile (the
    // heartbeat) and no image is lost or written half. A result not uploaded yet (a preview, a
    // store that was db when the call finished) goes to a result thread at once.
    void upload_later(const ImageJob &job, JobRecord r) {
        if (r.storage_error.empty()) {
            processing_.emplace(job.image_id, job.provider);
            processor_.submit_record(job, std::move(r));
            return;
        }
        const int failures = ++upload_failures_[job.image_id];
        note_error(job.owner_id, "storing the image failed, trying again: " + r.storage_error);
        if (failures == 1)
            call([&job, &r] {
                ereport(LOG, (errmsg("rolloy worker: image %s could not be stored, trying again: %s",
                                     job.image_id.c_str(), r.storage_error.c_str())));
            });
        const auto delay = std::min<Clock::duration>(
            std::chrono::milliseconds(500) * (1 << std::min(failures - 1, 6)), std::chrono::seconds(30));
        r.storage_error.clear();
        uploads_.push_back(Upload{job, std::move(r), Clock::now() + delay});
    }

    // Uploads whose time has come (all of them when `all`) go back to the result threads.
    void retry_uploads(bool all) {
        const auto now = Clock::now();
        for (std::size_t i = 0; i < uploads_.size();) {
            if (!all && uploads_[i].next_try > now) {
                ++i;
                continue;
            }
            Upload u = std::move(uploads_[i]);
            uploads_.erase(uploads_.begin() + static_cast<std::ptrdiff_t>(i));
            processing_.emplace(u.job.image_id, u.job.provider);
            processor_.submit_record(std::move(u.job), std::move(u.record));
        }
    }

    // Projects with a result waiting for a lock or for the object store: not claimed from until
    // it is recorded, which bounds what a held lock or a store outage can make the worker keep
    // in memory.
    std::vector<std::string> waiting_projects() const {
        std::set<std::string> projects;
        for (const Deferred &d : deferred_)
            projects.insert(d.job.project_id);
        for (const Upload &u : uploads_)
            projects.insert(u.job.project_id);
        return {projects.begin(), projects.end()};
    }

    // Every row this worker holds: calls in flight, answers being processed, staged jobs,
    // results waiting for a lock.
    std::vector<std::string> held_ids() const {
        std::vector<std::string> ids;
        for (auto &entry : running_)
            ids.push_back(entry.second.image_id);
        for (auto &entry : processing_)
            ids.push_back(entry.first);
        for (auto &entry : staged_)
            for (const Staged &staged : entry.second)
                ids.push_back(staged.job.image_id);
        for (const Deferred &d : deferred_)
            ids.push_back(d.job.image_id);
        for (const Upload &u : uploads_)
            ids.push_back(u.job.image_id);
        return ids;
    }

    // Shutdown: unfinished calls are not the provider's fault; give their attempts back.
    void release_in_flight() {
        release_staged();
        for (auto &f : runner_.abort_all())
            finish(f.id, f.outcome);
        retry_uploads(true); // one last try each: an image not stored now is made again later
        // Results already received are worth keeping: wait for their processing (bounded).
        for (int waits = 0; !processing_.empty() && waits < 100;) {
            if (ready_.empty()) {
                processor_.wait_for_done(100);
                ++waits;
            }
            store_processed();
        }
        // Results waiting for a lock: one last try. What is still locked is left to its lease: it
        // expires and the next worker's reclaim hands the image out again.
        store_deferred(true);
        if (!deferred_.empty()) {
            const int left = static_cast<int>(deferred_.size());
            call([left] {
                ereport(WARNING, (errmsg("rolloy worker: %d results not recorded at shutdown: their rows are "
                                         "locked by another transaction",
                                         left),
                                  errdetail("Their leases expire and the images are tried again.")));
            });
        }
    }

    bool has_staged() const {
        for (auto &entry : staged_)
            if (!entry.second.empty()) return true;
        return false;
    }

    bool has_staged(const std::string &provider) const {
        auto it = staged_.find(provider);
        return it != staged_.end() && !it->second.empty();
    }

    struct Upload {
        ImageJob job;
        JobRecord record;
        Clock::time_point next_try;
    };

    struct Deferred {
        ImageJob job;
        JobRecord record;
        Clock::time_point since, next_try;
        int tries;
        bool reported; // in the server log
    };

    storage::UploadTarget target_; // before processor_: its threads read it until they are joined
    providers::HttpClient http_;
    providers::JobRunner runner_;
    std::map<std::int64_t, ImageJob> running_;
    generation::ResultProcessor processor_;               // after runner_: its callback wakes the runner
    std::map<std::string, std::string> processing_;       // image id -> provider, being processed or ready
    std::deque<generation::ResultProcessor::Done> ready_; // processed, waiting to be recorded
    std::map<std::string, std::deque<Staged>> staged_;    // provider -> claimed, waiting for a slot
    std::vector<Deferred> deferred_;                      // results waiting for a lock
    std::vector<Upload> uploads_;                         // results waiting for the object store
    std::map<std::string, int> upload_failures_;          // image id -> failed uploads in a row
    CallLogWriter call_logs_;                             // failed prompt calls of backends
    std::set<std::int64_t> open_ledger_;                  // ledger rows of attempts this worker holds
    RemoteIdBook remote_ids_;                             // remote ids of calls in flight, not booked yet
    std::map<std::string, std::deque<Clock::time_point>>
        finish_times_; // provider -> calls finished within kRateHorizon
    std::int64_t next_id_ = 1;
    Clock::time_point last_reclaim_{};
    bool installed_ = false;
    Clock::time_point last_install_check_{};
    std::map<std::string, Clock::time_point> next_look_; // queue (provider) -> next claim
    uint64 seen_commits_ = 0;                            // queued_commits() at the last look
    uint64 seen_withdrawn_ = withdrawn_commits();        // withdrawn_commits() at the last look
    Clock::time_point last_heartbeat_ = Clock::now();
};

void worker_main() {
    const char *db = settings::worker_database ? settings::worker_database : "postgres";
    call([db] {
        BackgroundWorkerInitializeConnection(db, nullptr, 0);
        pgstat_report_appname("rolloy worker");
    });
    announce_running(db);
    call([db] { ereport(LOG, (errmsg("rolloy worker started for database \"%s\"", db))); });
    Worker worker;
    worker.run();
}

} // namespace
} // namespace rolloy::pg::worker

extern "C" void rolloy_worker_main(Datum) {
    pqsignal(SIGTERM, rolloy::pg::worker::handle_sigterm);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    rolloy::pg::invoke([] { rolloy::pg::worker::worker_main(); });
    // Stopped by SIGTERM: exit non-zero so that a pg_terminate_backend() (restart_worker) is
    // followed by a restart; at shutdown the postmaster does not restart anything anyway.
    proc_exit(1);
}
