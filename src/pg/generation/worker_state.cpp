#include "pg/generation/worker_state.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/generation/settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "funcapi.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
}

#include <cstring>

namespace rolloy::pg::worker {
namespace {

WorkerShared *state = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

constexpr const char *kLogsTranche = "rolloy call logs";
constexpr const char *kErrorsTranche = "rolloy recent errors";

void request_shmem() {
    if (previous_request_hook) previous_request_hook();
    RequestAddinShmemSpace(MAXALIGN(sizeof(WorkerShared)));
    RequestNamedLWLockTranche(kLogsTranche, 1);
    RequestNamedLWLockTranche(kErrorsTranche, 1);
}

void startup_shmem() {
    if (previous_startup_hook) previous_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    state = static_cast<WorkerShared *>(ShmemInitStruct("rolloy worker", sizeof(WorkerShared), &found));
    if (!found) {
        memset(state, 0, sizeof(WorkerShared));
        SpinLockInit(&state->mutex);
        pg_atomic_init_u64(&state->queued_commits, 0);
        pg_atomic_init_u64(&state->withdrawn_commits, 0);
        state->logs_lock = &(GetNamedLWLockTranche(kLogsTranche))->lock;
        state->errors_lock = &(GetNamedLWLockTranche(kErrorsTranche))->lock;
    }
    LWLockRelease(AddinShmemInitLock);
}

void forget_worker(int, Datum) {
    if (!state) return;
    SpinLockAcquire(&state->mutex);
    if (state->pid == MyProcPid) {
        state->pid = 0;
        state->latch = nullptr;
        state->in_flight = 0;
    }
    SpinLockRelease(&state->mutex);
}

// Wake-at-commit: queueing transactions set the worker's latch only once they commit, so the
// worker never looks for rows it cannot see yet.
bool wake_requested = false;
bool withdraw_requested = false;
bool callback_registered = false;

void on_transaction_end(XactEvent event, void *) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT) {
        if ((wake_requested || withdraw_requested) && state) {
            if (wake_requested) pg_atomic_fetch_add_u64(&state->queued_commits, 1);
            if (withdraw_requested) pg_atomic_fetch_add_u64(&state->withdrawn_commits, 1);
            SpinLockAcquire(&state->mutex);
            Latch *latch = state->pid != 0 ? state->latch : nullptr;
            SpinLockRelease(&state->mutex);
            if (latch) SetLatch(latch);
        }
        wake_requested = withdraw_requested = false;
    } else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
        wake_requested = withdraw_requested = false;
    }
}

void register_callback() {
    if (!callback_registered) {
        rolloy::pg::call([] { RegisterXactCallback(on_transaction_end, nullptr); });
        callback_registered = true;
    }
}

} // namespace

WorkerShared *shared() {
    return state;
}

void register_worker() {
    previous_request_hook = shmem_request_hook;
    shmem_request_hook = request_shmem;
    previous_startup_hook = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;

    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5; // seconds; it also restarts after a crash or a kill
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "rolloy");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "rolloy_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "rolloy worker");
    snprintf(worker.bgw_type, BGW_MAXLEN, "rolloy worker");
    RegisterBackgroundWorker(&worker);
}

void announce_running(const char *database) {
    if (!state) return;
    SpinLockAcquire(&state->mutex);
    state->pid = MyProcPid;
    state->latch = &MyProc->procLatch;
    state->database_id = MyDatabaseId;
    state->started_at = GetCurrentTimestamp();
    state->last_loop_at = state->started_at;
    state->in_flight = 0;
    strlcpy(state->database, database, sizeof state->database);
    SpinLockRelease(&state->mutex);
    before_shmem_exit(forget_worker, 0);
}

void note_loop(int in_flight) {
    if (!state) return;
    SpinLockAcquire(&state->mutex);
    state->last_loop_at = GetCurrentTimestamp();
    state->in_flight = in_flight;
    SpinLockRelease(&state->mutex);
}

void note_results(int completed, int failed, int retried) {
    if (!state) return;
    SpinLockAcquire(&state->mutex);
    state->completed += completed;
    state->failed += failed;
    state->retried += retried;
    SpinLockRelease(&state->mutex);
}

void note_error(const std::string &owner_id, const std::string &message) {
    if (!state) return;
    RecentError error;
    memset(&error, 0, sizeof error);
    strlcpy(error.owner_id, owner_id.c_str(), sizeof error.owner_id);
    // Cut at a character boundary: worker_status() returns it as text.
    const char *text = message.c_str();
    int length = static_cast<int>(strnlen(text, message.size()));
    int keep = call([text, length] { return pg_mbcliplen(text, length, sizeof(RecentError::message) - 1); });
    memcpy(error.message, text, keep);
    RecentError *entry = &error;
    call([entry] {
        LWLockAcquire(state->errors_lock, LW_EXCLUSIVE);
        state->errors[state->errors_recorded % kRecentErrors] = *entry;
        state->errors_recorded++;
        LWLockRelease(state->errors_lock);
    });
}

bool leave_call_log(const PendingCallLog &log) {
    if (!state) return false;
    SpinLockAcquire(&state->mutex);
    Oid served = state->database_id;
    Latch *latch = state->pid != 0 ? state->latch : nullptr;
    SpinLockRelease(&state->mutex);
    if (served != log.database) return false; // no worker would ever write it
    LWLockAcquire(state->logs_lock, LW_EXCLUSIVE);
    bool kept = state->pending_logs < kPendingCallLogs;
    if (kept) state->pending[state->pending_logs++] = log;
    LWLockRelease(state->logs_lock);
    if (kept && latch) SetLatch(latch);
    return kept;
}

std::vector<PendingCallLog> take_call_logs(Oid database, int *dropped) {
    std::vector<PendingCallLog> taken;
    *dropped = 0;
    if (!state) return taken;
    // Copied out under the lock into a local array (no allocation, nothing that can throw while
    // it is held), sorted out afterwards.
    PendingCallLog copy[kPendingCallLogs];
    LWLockAcquire(state->logs_lock, LW_EXCLUSIVE);
    int n = state->pending_logs;
    if (n > 0) memcpy(copy, state->pending, sizeof(PendingCallLog) * n);
    state->pending_logs = 0;
    LWLockRelease(state->logs_lock);
    for (int i = 0; i < n; ++i) {
        if (copy[i].database == database)
            taken.push_back(copy[i]);
        else
            ++*dropped;
    }
    return taken;
}

uint64 queued_commits() {
    return state ? pg_atomic_read_u64(&state->queued_commits) : 0;
}

uint64 withdrawn_commits() {
    return state ? pg_atomic_read_u64(&state->withdrawn_commits) : 0;
}

} // namespace rolloy::pg::worker

using rolloy::pg::call;

ROLLOY_FUNCTION(rolloy_wake_worker_at_commit) {
    using namespace rolloy::pg::worker;
    register_callback();
    wake_requested = true;
    PG_RETURN_VOID();
}

ROLLOY_FUNCTION(rolloy_withdraw_at_commit) {
    using namespace rolloy::pg::worker;
    register_callback();
    withdraw_requested = true;
    PG_RETURN_VOID();
}

namespace {

// The last error the caller may see, or empty. Failures quote prompts and provider answers, so
// worker_status() — callable by every member — shows admins, and a superuser session mapped to
// no rolloy user (as pg_cron's), every recorded failure, a member the newest one among
// kRecentErrors that concerns his own images, and a session without a rolloy user none; and
// only in the database the worker serves (rolloy users elsewhere are other people). The
// identity comes from the API's own functions (rolloy.current_user_id() and rolloy.is_admin()
// exist in every version, so an old schema served by this library answers the same), the
// superuser test from the outer role, as rolloy_internal._require_admin_or_superuser() does.
std::string visible_last_error(rolloy::pg::worker::WorkerShared *s, Oid served_database) {
    using rolloy::pg::worker::kRecentErrors;
    using rolloy::pg::worker::RecentError;
    RecentError newest_first[kRecentErrors];
    RecentError *copy = newest_first;
    int n = rolloy::pg::call([s, copy] {
        LWLockAcquire(s->errors_lock, LW_SHARED);
        uint64 recorded = s->errors_recorded;
        int count = recorded < uint64(kRecentErrors) ? int(recorded) : kRecentErrors;
        for (int i = 0; i < count; ++i)
            copy[i] = s->errors[(recorded - 1 - i) % kRecentErrors];
        LWLockRelease(s->errors_lock);
        return count;
    });
    if (n == 0 || served_database != MyDatabaseId) return {};
    rolloy::pg::SpiConnection spi;
    auto me = spi.query("SELECT rolloy.current_user_id()::text, rolloy.is_admin()", {}, true);
    spi.finish();
    const rolloy::pg::SqlValue &user_id = me.at(0).at(0);
    bool all = me.at(0).at(1).value_or("f") == "t" ||
               (!user_id && rolloy::pg::call([] { return superuser_arg(GetOuterUserId()); }));
    for (int i = 0; i < n; ++i)
        if (all || (user_id && *user_id == newest_first[i].owner_id)) return newest_first[i].message;
    return {};
}

} // namespace

ROLLOY_FUNCTION(rolloy_worker_status) {
    using rolloy::pg::worker::WorkerShared;
    WorkerShared copy;
    memset(&copy, 0, sizeof copy);
    WorkerShared *s = rolloy::pg::worker::shared();
    if (s) {
        // Only the fields under the spinlock (not the call logs behind them).
        SpinLockAcquire(&s->mutex);
        memcpy(&copy, s, offsetof(WorkerShared, queued_commits));
        SpinLockRelease(&s->mutex);
    }
    const std::string last_error = s ? visible_last_error(s, copy.database_id) : std::string();
    Datum values[10];
    bool nulls[10] = {};
    bool running = s && copy.pid != 0;
    values[0] = BoolGetDatum(running);
    values[1] = Int32GetDatum(copy.pid);
    nulls[1] = !running;
    const char *db = running ? copy.database : rolloy::pg::settings::worker_database;
    values[2] = rolloy::pg::text_datum(db ? db : "");
    values[3] = TimestampTzGetDatum(copy.started_at);
    nulls[3] = !running;
    values[4] = TimestampTzGetDatum(copy.last_loop_at);
    nulls[4] = !running;
    values[5] = Int32GetDatum(copy.in_flight);
    values[6] = Int64GetDatum(copy.completed);
    values[7] = Int64GetDatum(copy.failed);
    values[8] = Int64GetDatum(copy.retried);
    values[9] = rolloy::pg::text_datum(last_error);
    nulls[9] = last_error.empty();
    return call([fcinfo, &values, &nulls] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "rolloy: worker_status must return a record");
        desc = BlessTupleDesc(desc);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}
