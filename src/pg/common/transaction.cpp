#include "pg/common/transaction.hpp"

#include "pg/common/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
#include "pgstat.h"
#include "utils/snapmgr.h"
}

namespace rolloy::pg {

void begin_transaction(const char *activity) {
    call([activity] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, activity);
    });
}

void commit_transaction() {
    call([] {
        PopActiveSnapshot();
        CommitTransactionCommand();
        // Autovacuum learns about our updates only from these statistics (pg_net's lesson).
        pgstat_report_stat(false);
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

void abort_transaction() noexcept {
    try {
        call([] {
            AbortCurrentTransaction();  // a no-op when no transaction is open
            pgstat_report_activity(STATE_IDLE, nullptr);
        });
    } catch (const std::exception &e) {
        // Aborting failed: this process is in no state to go on; the postmaster restarts it.
        elog(LOG, "rolloy: could not abort a transaction (%s); exiting", e.what());
        proc_exit(1);
    }
}

}  // namespace rolloy::pg
