// Insights after every import: background workers launched by imports, one of which stays.
//
//   rolloy_internal._launch_insight_refresh() -> boolean   (called by the import_batches trigger)
//
// registers a dynamic background worker and returns at once, so the import never waits for the
// insights. The worker
//   1. waits until the transaction that launched it has ended (it may still be running when the
//      worker starts; if it rolls back, its request is gone and the worker finds nothing to do),
//   2. tries to become the database's refresher (refresher_election.cpp). Elected, it refreshes
//      and then stays, idle on its latch, and refreshes again whenever a later import's worker
//      wakes it, until it has been idle for rolloy.insight_refresher_idle_seconds
//      (refresher_loop.cpp). Not elected, it wakes the refresher and exits at once.
// Every refresh is rolloy_internal._refresh_after_import() in a transaction of its own: it takes
// the insights' refresh lock (one refresh at a time) and refreshes only if requests are still
// pending, taking them all. So imports that finish together or during a refresh are refreshed
// once, and a refresh that fails leaves its requests pending (a later import's refresh or the
// nightly one takes them) and is written to the server log and to rolloy.insight_refreshes.
//
// Dynamic workers need no shared_preload_libraries, no shared memory of ours and work in any
// database; they need a free max_worker_processes slot (the refresher keeps one while it stays).
// Without one, the trigger says so with a NOTICE and the import still commits.
#include "pg/common/guard.hpp"
#include "pg/insights/refresher.hpp"

#include <cstring>

extern "C" {
#include "access/xact.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PGDLLEXPORT void rolloy_insight_refresh_main(Datum);
}

using rolloy::pg::call;
namespace insights = rolloy::pg::insights;

namespace {

constexpr const char *kName = "rolloy insight refresh";

struct LaunchArgs {
    Oid database;
};

// Polls until `xid` is no longer running: a lock wait would need a transaction of our own, and
// the import that launched us usually commits within milliseconds.
void wait_for_transaction(TransactionId xid) {
    call([xid] {
        while (TransactionIdIsValid(xid) && TransactionIdIsInProgress(xid)) {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 50, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        }
    });
}

// Becomes the refresher and serves, or wakes the one there is, or (the lock held by a backend
// that is no refresher) refreshes once itself.
void run(TransactionId launcher) {
    wait_for_transaction(launcher);
    insights::Refresher refresher;
    switch (insights::elect()) {
    case insights::Election::elected:
        refresher.serve();
        break;
    case insights::Election::woke_refresher:
        break;
    case insights::Election::held_by_other:
        refresher.once();
        break;
    }
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

namespace rolloy::pg::insights {

int refresher_idle_seconds = 300;

void define_refresher_gucs() {
    // Called from _PG_init: plain C calls only.
    DefineCustomIntVariable("rolloy.insight_refresher_idle_seconds",
                            "How long the insights refresher stays after its last refresh (0: it exits).",
                            "While it stays, the refreshes after later imports run in a warm backend; it "
                            "keeps a worker slot and a connection to its database.",
                            &refresher_idle_seconds, 300, 0, 86400, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr,
                            nullptr);
}

} // namespace rolloy::pg::insights

extern "C" void rolloy_insight_refresh_main(Datum main_arg) {
    pqsignal(SIGTERM, die); // exits at the next CHECK_FOR_INTERRUPTS, a refresh in progress too
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    LaunchArgs args;
    memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    BackgroundWorkerInitializeConnectionByOid(args.database, InvalidOid, 0);
    pgstat_report_appname(kName);
    const TransactionId launcher = DatumGetTransactionId(main_arg);
    rolloy::pg::invoke([launcher] { run(launcher); });
    proc_exit(0);
}
