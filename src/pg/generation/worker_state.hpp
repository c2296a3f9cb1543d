// Shared memory of the background worker: who it is, its latch (for wake-at-commit) and its
// counters (for rolloy.worker_status()). Exists only when rolloy is in shared_preload_libraries.
#pragma once
#include "pg/common/postgres.hpp"

#include <string>
#include <vector>

extern "C" {
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/timestamp.h"
}

namespace rolloy::pg::worker {

// A provider call made inside a user's statement (generate_prompt) that failed: the statement's
// transaction rolls back, so the backend cannot log the call itself. It leaves the call here and
// the worker writes it to api_usage_logs in a transaction of its own.
struct PendingCallLog {
    Oid database;
    double occurred_at; // Unix epoch seconds
    char user_id[40];
    char project_id[40];
    char operation[16];
    char provider[16];
    char model[64];
    int http_status;
    int latency_ms;
    int64 tokens_in, tokens_out;
    char error[256];
};
constexpr int kPendingCallLogs = 64;

// A failure the worker recorded, for rolloy.worker_status().last_error. The message may quote a
// user's prompt or a provider's answer about it, so it keeps whose image it was: the status
// function shows each caller only the errors he may see (docs/worker.md, "Health").
struct RecentError {
    char owner_id[40]; // users.id of the image's project owner; empty: not a job's (a failed round)
    char message[256];
};
constexpr int kRecentErrors = 32;

struct WorkerShared {
    // Under `mutex` (a spinlock: a few fields copied at a time).
    slock_t mutex;
    int pid;         // 0 when no worker runs
    Latch *latch;    // the running worker's process latch
    Oid database_id; // database the worker serves (set once it has connected)
    TimestampTz started_at;
    TimestampTz last_loop_at;
    int in_flight;
    int64 completed, failed, retried;
    char database[NAMEDATALEN];
    // Commits that queued work, counted by the commit callback. The worker compares it each
    // loop: a latch can be consumed by a wait inside its own transactions (a lock wait resets
    // it), a count cannot.
    pg_atomic_uint64 queued_commits;
    // Commits that took rows the worker had leased away from it (a cancel, a delete). The
    // worker then gives back the claimed jobs it has not called yet, instead of calling them.
    pg_atomic_uint64 withdrawn_commits;
    // Under `logs_lock` (an LWLock: copying them takes longer than a spinlock may be held).
    LWLock *logs_lock;
    int pending_logs;
    PendingCallLog pending[kPendingCallLogs];
    // Under `errors_lock` (an LWLock): the last kRecentErrors failures, a ring; `errors_recorded`
    // counts every failure ever noted, so the newest is errors[(errors_recorded - 1) % kRecentErrors].
    LWLock *errors_lock;
    uint64 errors_recorded;
    RecentError errors[kRecentErrors];
};

// Called from _PG_init while preloading: shared-memory hooks and the worker registration.
void register_worker();
// nullptr unless preloaded.
WorkerShared *shared();

// Backend side: hands a failed call's log to the worker; false when it cannot (rolloy is not
// preloaded, the worker serves another database or has not started, or kPendingCallLogs calls
// are already waiting).
bool leave_call_log(const PendingCallLog &log);

// Worker side.
// Takes the waiting call logs of `database` (logs of other databases are dropped: no worker
// serves them).
std::vector<PendingCallLog> take_call_logs(Oid database, int *dropped);
// How many commits have queued work so far.
uint64 queued_commits();
// How many commits have withdrawn leased rows so far.
uint64 withdrawn_commits();
void announce_running(const char *database);
void note_loop(int in_flight);
void note_results(int completed, int failed, int retried);
// A failure for worker_status(): `owner_id` is the users.id owning the image, empty for a failure
// that is no job's (only admins and superusers without a rolloy user see those).
void note_error(const std::string &owner_id, const std::string &message);

} // namespace rolloy::pg::worker
