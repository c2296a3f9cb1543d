// One round of the worker's loop: recovery and the heartbeat when due, a claim per queue that is
// due for a look, a network step, and recording what finished. Between rounds the worker sleeps
// on its latch (idle_wait_ms) unless there is more to do right away.
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

namespace rolloy::pg::worker {

// One pass; true when there is more to do right away.
bool Worker::one_round() {
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
        forget_all();
        return false;
    }
    notice_latch();
    call_logs_.write();
    store_deferred(false);
    retry_uploads(false);

    if (now - last_reclaim_ > std::chrono::seconds(10)) {
        reclaim_and_recover();
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

// While busy the loop does not sleep on the latch: a set latch (new work committed) is
// noticed here, once per round.
void Worker::notice_latch() {
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

// Idle: until the next queue is due for a look, at most the fallback poll.
long Worker::idle_wait_ms() const {
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
bool Worker::due_for_look(const std::string &queue) const {
    auto it = next_look_.find(queue);
    return it == next_look_.end() || Clock::now() >= it->second;
}

void Worker::note_drained(SpiConnection &spi, const std::string &queue) {
    long next_due = jobs::ms_until_next_due(spi, queue);
    long wait = settings::poll_interval_ms;
    // Due rows we could not take are locked by another session: look again soon.
    if (next_due >= 0) wait = std::min<long>(wait, std::max<long>(next_due, 20));
    next_look_[queue] = Clock::now() + std::chrono::milliseconds(wait);
}

} // namespace rolloy::pg::worker
