#include "pg/common/autonomous.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"

#include <cstring>

extern "C" {
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "utils/guc.h"

PGDLLEXPORT void rolloy_autonomous_main(Datum);
}

namespace rolloy::pg {
namespace {

// The segment shared with the worker: fixed header, then the statement and its arguments, each
// NUL-terminated. The worker writes only the result fields.
struct Shared {
    Oid database;
    int lock_timeout_ms;
    int nargs;
    bool done, ok, has_value;
    char value[128];
    char error[512];
    char data[FLEXIBLE_ARRAY_MEMBER];
};

void copy_out(char *to, std::size_t size, const std::string &from) {
    strlcpy(to, from.c_str(), size);
}

} // namespace

AutonomousResult run_autonomous(const std::string &sql, const std::vector<std::string> &args,
                                int lock_timeout_ms) {
    std::size_t size = offsetof(Shared, data) + sql.size() + 1;
    for (const std::string &a : args)
        size += a.size() + 1;
    dsm_segment *seg = call([size] { return dsm_create(size, 0); });
    auto *shared = static_cast<Shared *>(dsm_segment_address(seg));
    std::memset(shared, 0, offsetof(Shared, data));
    shared->database = MyDatabaseId;
    shared->lock_timeout_ms = lock_timeout_ms;
    shared->nargs = static_cast<int>(args.size());
    char *p = shared->data;
    std::memcpy(p, sql.c_str(), sql.size() + 1);
    p += sql.size() + 1;
    for (const std::string &a : args) {
        std::memcpy(p, a.c_str(), a.size() + 1);
        p += a.size() + 1;
    }

    AutonomousResult result;
    try {
        const bool started = call([seg] {
            BackgroundWorker worker;
            memset(&worker, 0, sizeof worker);
            worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
            worker.bgw_start_time = BgWorkerStart_ConsistentState;
            worker.bgw_restart_time = BGW_NEVER_RESTART;
            snprintf(worker.bgw_library_name, BGW_MAXLEN, "rolloy");
            snprintf(worker.bgw_function_name, BGW_MAXLEN, "rolloy_autonomous_main");
            snprintf(worker.bgw_name, BGW_MAXLEN, "rolloy ledger writer");
            snprintf(worker.bgw_type, BGW_MAXLEN, "rolloy ledger writer");
            worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
            worker.bgw_notify_pid = MyProcPid;
            BackgroundWorkerHandle *handle = nullptr;
            if (!RegisterDynamicBackgroundWorker(&worker, &handle)) return false;
            // Not interruptible: a cancel here would end the wait and free the segment before
            // the worker has read it, and the row would never be written. The worker takes
            // milliseconds; a pending cancel is served by the caller's next check.
            HOLD_INTERRUPTS();
            (void)WaitForBackgroundWorkerShutdown(handle);
            RESUME_INTERRUPTS();
            return true;
        });
        if (!started)
            result.error = "no background worker slot is free (max_worker_processes)";
        else if (!shared->done)
            result.error = "the ledger writer stopped before it finished";
        else if (!shared->ok)
            result.error = shared->error;
        else {
            result.ok = true;
            if (shared->has_value) result.value = std::string(shared->value);
        }
    } catch (...) {
        call([seg] { dsm_detach(seg); });
        throw;
    }
    call([seg] { dsm_detach(seg); });
    return result;
}

} // namespace rolloy::pg

extern "C" void rolloy_autonomous_main(Datum arg) {
    using namespace rolloy::pg;
    BackgroundWorkerUnblockSignals();
    invoke([arg] {
        dsm_segment *seg = call([arg] { return dsm_attach(DatumGetUInt32(arg)); });
        if (!seg) return;
        auto *shared = static_cast<Shared *>(dsm_segment_address(seg));
        call([shared] {
            BackgroundWorkerInitializeConnectionByOid(shared->database, InvalidOid, 0);
            SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_SESSION);
            char value[32];
            snprintf(value, sizeof value, "%dms", shared->lock_timeout_ms);
            SetConfigOption("lock_timeout", value, PGC_SUSET, PGC_S_SESSION);
        });
        const char *p = shared->data;
        const std::string sql = p;
        p += sql.size() + 1;
        std::vector<SqlArg> args;
        for (int i = 0; i < shared->nargs; ++i) {
            std::string a = p;
            p += a.size() + 1;
            args.emplace_back(std::move(a));
        }
        try {
            auto rows = in_transaction("rolloy: writing the ledger",
                                       [&](SpiConnection &spi) { return spi.query(sql.c_str(), args); });
            if (!rows.empty() && !rows[0].empty() && rows[0][0]) {
                shared->has_value = true;
                copy_out(shared->value, sizeof shared->value, *rows[0][0]);
            }
            shared->ok = true;
        } catch (const std::exception &e) {
            copy_out(shared->error, sizeof shared->error, e.what());
        }
        shared->done = true;
    });
}
