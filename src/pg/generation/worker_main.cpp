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
#include "pg/generation/worker.hpp"

#include "pg/common/guard.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/worker_state.hpp"
#include "pg/storage/upload_target.hpp"

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

volatile sig_atomic_t got_sigterm = false;

namespace {

void handle_sigterm(SIGNAL_ARGS) {
    int saved_errno = errno;
    got_sigterm = true;
    SetLatch(MyLatch);
    errno = saved_errno;
}

} // namespace

Worker::Worker()
    : http_(http_options()), runner_(http_),
      uploader_([this](ImageJob job, JobRecord r) { processor_.deliver(std::move(job), std::move(r)); }),
      processor_(settings::effective_result_threads(), [this] { runner_.wakeup(); }) {
    // With the s3 store a completed image goes from its result thread to the uploads, which run
    // on a thread of their own, and comes back to be recorded once its object is in the bucket
    // (see store()).
    processor_.set_handoff([this](ImageJob &job, JobRecord &r) {
        if (r.kind != JobRecord::Kind::Completed || !r.storage_ref.empty()) return false;
        std::shared_ptr<const rolloy::storage::S3Config> s3 = target_.s3();
        if (!s3) return false;
        try {
            uploader_.submit(std::move(s3), std::move(job), std::move(r));
            return true;
        } catch (const std::exception &e) {
            r.storage_error = e.what(); // recorded as a failed upload: tried again later
            return false;
        }
    });
    apply_pool_limits();
}

// The uploads stop first: the result threads, joined next, may still hand records over, and the
// uploads' thread must no longer deliver to a processor being destroyed.
Worker::~Worker() {
    uploader_.stop();
}

void Worker::run() {
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

providers::HttpClientOptions Worker::http_options() {
    providers::HttpClientOptions o;
    o.total_timeout_ms = settings::request_timeout_ms;
    o.max_response_bytes = std::int64_t(settings::max_image_mb) << 20;
    o.default_pool_limit = 16;
    o.user_agent = "rolloy-worker";
    return o;
}

void Worker::apply_pool_limits() {
    for (const settings::ProviderSettings &p : settings::provider_settings())
        if (p.entry->image.adapter) http_.set_pool_limit(p.name(), p.concurrency);
    processor_.set_threads(settings::effective_result_threads());
    apply_lock_timeout();
}

// Every lock the worker's statements wait for (a table lock, a row lock not taken NOWAIT or
// SKIP LOCKED) is given up after rolloy.worker_lock_timeout_ms (SQLSTATE 55P03): the worker
// never sits behind another session's open transaction.
// In a deadlock the worker is the one that gives way. Postgres aborts the transaction whose
// deadlock check runs first, deadlock_timeout after it began to wait. The worker's transactions
// last milliseconds, so a session caught in a cycle with one (an ALTER EXTENSION UPDATE, a
// user's LOCK TABLE) has nearly always been waiting longer: with the same 1 s it was that
// session that was aborted (an upgrade test failed so once in ~20 runs, calls finishing
// mid-upgrade). Checked after 50 ms the worker finds the cycle first; its record is kept and
// tried again (worker_isolation.sh, 2e).
void Worker::apply_lock_timeout() {
    const int ms = settings::worker_lock_timeout_ms;
    call([ms] {
        char value[32];
        snprintf(value, sizeof value, "%dms", ms);
        SetConfigOption("lock_timeout", value, PGC_SUSET, PGC_S_SESSION);
        SetConfigOption("deadlock_timeout", "50ms", PGC_SUSET, PGC_S_SESSION);
    });
}

void Worker::handle_interrupts() {
    call([] { CHECK_FOR_INTERRUPTS(); });
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        call([] { ProcessConfigFile(PGC_SIGHUP); });
        apply_pool_limits();
    }
}

// Sleeps until the latch is set (a commit queued work, a signal) or the timeout; either way
// every queue is worth a look afterwards.
void Worker::wait_latch(long timeout_ms) {
    call([timeout_ms] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    });
    next_look_.clear();
}

namespace {

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
