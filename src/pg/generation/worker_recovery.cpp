// Recovery and release: expired leases of a stopped worker go back to pending, the ledger rows it
// left open are closed as "outcome unknown, may be billed"; calls withdrawn by a cancel are
// cancelled at the provider; at shutdown everything this worker holds is given back.
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

namespace rolloy::pg::worker {

// DROP EXTENSION: everything this worker held belongs to rows that are gone.
void Worker::forget_all() {
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
}

// Every 10 s (and in the first round after a start): rows whose lease expired go back to pending,
// and ledger rows a stopped worker left open are closed.
void Worker::reclaim_and_recover() {
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
}

// Calls in flight whose rows were cancelled or deleted: the provider is told (the call's
// cancel request: a Replicate prediction or a fal job stops, and stops costing) instead of
// finishing work nobody records. The ledger completes their attempts as usual.
void Worker::cancel_withdrawn() {
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

// Every row this worker holds: calls in flight, answers being processed, staged jobs,
// results waiting for a lock.
std::vector<std::string> Worker::held_ids() const {
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

// Staged jobs never called: their attempts go back, as at shutdown. They leave the stage
// first: if a release fails, the rest are forgotten (their leases expire and the reclaim puts
// them back) rather than called for rows that may already be pending again.
void Worker::release_staged() {
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

// Shutdown: unfinished calls are not the provider's fault; give their attempts back.
void Worker::release_in_flight() {
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

} // namespace rolloy::pg::worker
