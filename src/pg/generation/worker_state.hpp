// Shared memory of the background worker: who it is, its latch (for wake-at-commit) and its
// counters (for rolloy.worker_status()). Exists only when rolloy is in shared_preload_libraries.
#pragma once
#include "pg/common/postgres.hpp"

extern "C" {
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/timestamp.h"
}

namespace rolloy::pg::worker {

struct WorkerShared {
    slock_t mutex;
    int pid;                  // 0 when no worker runs
    Latch *latch;             // the running worker's process latch
    TimestampTz started_at;
    TimestampTz last_loop_at;
    int in_flight;
    int64 completed, failed, retried;
    char database[NAMEDATALEN];
    char last_error[256];
};

// Called from _PG_init while preloading: shared-memory hooks and the worker registration.
void register_worker();
// nullptr unless preloaded.
WorkerShared *shared();

// Worker side.
void announce_running(const char *database);
void note_loop(int in_flight);
void note_results(int completed, int failed, int retried, const char *error);

}  // namespace rolloy::pg::worker
