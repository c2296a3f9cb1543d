// Which worker is the refresher of a database: the one holding rolloy's session-level advisory
// lock there (a session lock outlives transactions, so the idle refresher holds no transaction,
// snapshot or table lock; it goes with the backend, so a refresher that dies frees it).
//
// A worker that finds the lock held wakes the holder (sets its latch) instead. That loses no
// request, because the worker's import committed before the worker tried the lock:
// - a refresher holding the lock resets its latch before each look, so a look follows the wake;
// - a refresher that gives the lock up looks once more afterwards (Refresher::hand_back), and
//   that look sees every import whose worker found the lock still held.
// Any session may take an advisory lock, so the holder may be no refresher (a member holding the
// key, by accident or to stop refreshes): then the worker refreshes itself, as before 0.2.0's
// refresher, and nobody can stop the refreshes after imports this way.
#include "pg/insights/refresher.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"

#include <string>

extern "C" {
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
}

namespace rolloy::pg::insights {

namespace {

std::string key_args() {
    return std::to_string(kRefresherKey1) + ", " + std::to_string(kRefresherKey2);
}

struct Attempt {
    bool got = false;
    int holder = 0; // 0: nobody holds it (given up since our try)
    bool holder_is_refresher = false;
};

Attempt try_lock() {
    const std::string lock = "SELECT pg_catalog.pg_try_advisory_lock(" + key_args() + ")";
    // A two-int advisory key shows in pg_locks as classid, objid and objsubid = 2.
    const std::string holder =
        "SELECT k.pid, a.backend_type = 'rolloy insight refresh'"
        "  FROM pg_catalog.pg_locks k LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = k.pid"
        " WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2"
        "   AND k.classid = " +
        std::to_string(kRefresherKey1) + " AND k.objid = " + std::to_string(kRefresherKey2) +
        "   AND k.database = (SELECT d.oid FROM pg_catalog.pg_database d"
        "                      WHERE d.datname = pg_catalog.current_database())"
        " ORDER BY 2 DESC NULLS LAST LIMIT 1";
    return in_transaction("rolloy insight refresh: election", [&](SpiConnection &spi) {
        Attempt a;
        a.got = spi.query(lock.c_str()).at(0).at(0) == SqlValue("t");
        if (a.got) return a;
        auto rows = spi.query(holder.c_str(), {}, true);
        if (!rows.empty() && rows[0][0]) {
            a.holder = std::stoi(*rows[0][0]);
            a.holder_is_refresher = rows[0][1] == SqlValue("t");
        }
        return a;
    });
}

// Any backend's latch may be set at any time (waits re-check their condition), so a pid that
// exited or was reused since the look-up costs at most one needless look.
void wake(int pid) {
    call([pid] {
        PGPROC *proc = BackendPidGetProc(pid);
        if (proc != nullptr) SetLatch(&proc->procLatch);
    });
}

} // namespace

Election elect() {
    // The holder can give the lock up between our try and our look-up, which then finds nobody:
    // try again (at worst the lock keeps changing hands between refreshers, and we refresh).
    for (int attempt = 0; attempt < 50; ++attempt) {
        Attempt a = try_lock();
        if (a.got) return Election::elected;
        if (a.holder != 0 && !a.holder_is_refresher) return Election::held_by_other;
        if (a.holder != 0) {
            wake(a.holder);
            return Election::woke_refresher;
        }
        call([] { pg_usleep(10000L); });
    }
    return Election::held_by_other;
}

void resign() {
    const std::string unlock = "SELECT pg_catalog.pg_advisory_unlock(" + key_args() + ")";
    in_transaction("rolloy insight refresh: resign",
                   [&](SpiConnection &spi) { spi.execute(unlock.c_str()); });
}

} // namespace rolloy::pg::insights
