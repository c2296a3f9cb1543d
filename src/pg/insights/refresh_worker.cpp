// Insights after every import: a one-shot background worker per finished import.
//
//   rolloy_internal._launch_insight_refresh() -> boolean   (called by the import_batches trigger)
//
// registers a dynamic background worker and returns at once, so the import never waits for the
// insights. The worker
//   1. waits until the transaction that launched it has ended (it may still be running when the
//      worker starts; if it rolls back, its request is gone and the worker finds nothing to do),
//   2. runs rolloy_internal._refresh_after_import() in one transaction: it takes the insights'
//      refresh lock (one refresh at a time), and refreshes only if requests are still pending.
//
// Coalescing falls out of that: imports that finish while a refresh runs each launch a worker;
// the first to get the lock afterwards consumes every pending request, the others find none and
// exit. A refresh that fails leaves its requests pending (the next import's or the nightly
// refresh takes them) and is written to the server log and to rolloy.insight_refreshes.
//
// Dynamic workers need no shared_preload_libraries; they need a free max_worker_processes slot.
// Without one, the trigger says so with a NOTICE and the import still commits.
#include "pg/common/guard.hpp"

#include <cstring>

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void rolloy_insight_refresh_main(Datum);
}

using rolloy::pg::call;

namespace {

constexpr const char *kName = "rolloy insight refresh";

struct LaunchArgs {
    Oid database;
};

// Polls until `xid` is no longer running: a lock wait would need a transaction of our own, and
// the import that launched us usually commits within milliseconds.
void wait_for_transaction(TransactionId xid) {
    while (TransactionIdIsValid(xid) && TransactionIdIsInProgress(xid)) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 50, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

// One statement in its own transaction; false when it raised an error (logged, rolled back).
bool run_in_transaction(const char *sql, char *error, std::size_t error_size) {
    MemoryContext outer = CurrentMemoryContext;
    volatile bool ok = true; // written after a longjmp: must not live in a register
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PG_TRY();
    {
        SPI_connect();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, sql);
        SPI_execute(sql, false, 0);
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(outer);
        ErrorData *data = CopyErrorData();
        FlushErrorState();
        strlcpy(error, data->message ? data->message : "unknown error", error_size);
        FreeErrorData(data);
        AbortCurrentTransaction();
        ok = false;
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, nullptr);
    return ok;
}

} // namespace

ROLLOY_FUNCTION(rolloy_launch_insight_refresh) {
    return call([] {
        BackgroundWorker worker;
        memset(&worker, 0, sizeof worker);
        worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
        worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
        worker.bgw_restart_time = BGW_NEVER_RESTART;
        snprintf(worker.bgw_library_name, BGW_MAXLEN, "rolloy");
        snprintf(worker.bgw_function_name, BGW_MAXLEN, "rolloy_insight_refresh_main");
        snprintf(worker.bgw_name, BGW_MAXLEN, "%s", kName);
        snprintf(worker.bgw_type, BGW_MAXLEN, "%s", kName);
        // The launching transaction: the worker waits for it to end before it looks.
        worker.bgw_main_arg = TransactionIdGetDatum(GetTopTransactionId());
        LaunchArgs args{MyDatabaseId};
        static_assert(sizeof args <= BGW_EXTRALEN, "launch arguments fit bgw_extra");
        memcpy(worker.bgw_extra, &args, sizeof args);
        worker.bgw_notify_pid = 0;
        return BoolGetDatum(RegisterDynamicBackgroundWorker(&worker, nullptr));
    });
}

// Plain C control flow (PG_TRY, proc_exit): nothing here has a destructor.
extern "C" void rolloy_insight_refresh_main(Datum main_arg) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    LaunchArgs args;
    memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    BackgroundWorkerInitializeConnectionByOid(args.database, InvalidOid, 0);
    pgstat_report_appname(kName);

    wait_for_transaction(DatumGetTransactionId(main_arg));

    char error[1024];
    if (!run_in_transaction("SELECT rolloy_internal._refresh_after_import()", error, sizeof error)) {
        ereport(LOG,
                (errmsg("rolloy: insights after import failed: %s", error),
                 errhint("The imports stay pending; the next import or refresh_insights() takes them.")));
        // Recorded for rolloy.insight_status; the message is the database's own, never data.
        char sql[2300];
        char *quoted = quote_literal_cstr(error);
        snprintf(sql, sizeof sql, "SELECT rolloy_internal._note_failed_refresh(%s)", quoted);
        char ignored[256];
        (void)run_in_transaction(sql, ignored, sizeof ignored);
    }
    proc_exit(0);
}
