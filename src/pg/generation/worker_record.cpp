// Recording results: each in its own short transaction, never waiting for another session's
// lock (a result whose row is locked is kept and recorded later), and with the s3 store only
// once its object is in the store.
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"

namespace rolloy::pg::worker {
namespace {

// How soon a result waiting for a lock is tried again (store_deferred).
constexpr auto kFirstRetry = std::chrono::milliseconds(20);
constexpr auto kReportAfter = std::chrono::milliseconds(200);
constexpr auto kWaited = std::chrono::milliseconds(100); // longer than a NOWAIT failure
constexpr auto kAfterWait = std::chrono::seconds(10);

} // namespace

// Writes the records the result threads have finished; returns how many. Each record is its
// own transaction (~1-2 ms), so a long run of them would leave answers unread on the sockets
// and slots unclaimed: between records the calls are stepped, and after kRecordSliceMs the
// rest waits for the next round, which claims first.
std::size_t Worker::store_processed() {
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
void Worker::store(const ImageJob &job, const JobRecord &r) {
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

// One attempt at recording; the lock error's message when it gave way to another session's lock
// (not available, timed out, or a deadlock the worker lost).
std::optional<std::string> Worker::try_store(const ImageJob &job, const JobRecord &r) {
    bool applied = false;
    try {
        applied = in_transaction("rolloy worker: recording",
                                 [&](SpiConnection &spi) { return jobs::record(spi, job, r); });
    } catch (const PgError &e) {
        if (e.gave_way_to_a_lock()) {
            // A deadlock the worker lost is not in the server log otherwise (the error is caught
            // here, never raised): say so once, as Postgres would for a session.
            if (e.sqlerrcode() == ERRCODE_T_R_DEADLOCK_DETECTED)
                call([&job] {
                    ereport(LOG,
                            (errmsg("rolloy worker: recording image %s gave way in a deadlock with another "
                                    "session; the result is kept and recorded later",
                                    job.image_id.c_str())));
                });
            return std::string(e.what());
        }
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
void Worker::store_deferred(bool all) {
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
                    ereport(LOG,
                            (errmsg("rolloy worker: the result of image %s (project %s) waits for a lock: %s",
                                    d.job.image_id.c_str(), d.job.project_id.c_str(), locked->c_str()),
                             errdetail("Another transaction holds a row the worker must write. The result is "
                                       "kept and recorded once the lock is released; meanwhile no further "
                                       "image of the project is claimed.")));
                });
            }
            const bool waited = now - start > kWaited;
            const auto backoff =
                std::min<Clock::duration>(kFirstRetry * (1 << std::min(d.tries, 6)), std::chrono::seconds(1));
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
void Worker::upload_later(const ImageJob &job, JobRecord r) {
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
void Worker::retry_uploads(bool all) {
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

} // namespace rolloy::pg::worker
