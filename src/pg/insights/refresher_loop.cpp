// The refresher's loop: look for import requests, refresh if one waits, sleep on the latch.
//
//   serve():  work -> (idle for refresher_idle_seconds? hand back) -> WaitLatch (at most
//             kPollMs) -> ResetLatch -> work ...
//
// Between looks it holds no transaction, snapshot or table lock (only its advisory lock, which
// blocks nothing but other refreshers), so it never holds back vacuum or a DDL. The latch is
// reset before the look that follows it: a worker that set it after an import committed is seen.
// The poll every kPollMs is a safety net (an import whose worker found no free slot, a look that
// failed); a wake is what normally starts a refresh.
#include "pg/insights/refresher.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"

#include <algorithm>
#include <iterator>
#include <string>

extern "C" {
#include "commands/extension.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

namespace rolloy::pg::insights {

namespace {

constexpr long kPollMs = 10000;

struct Look {
    bool installed = true;
    std::vector<std::int64_t> pending; // ascending
};

// One cheap read of the requests. A look that waits behind a lock gives up after a second (and
// is tried again at the next wake or poll): the refresher never queues behind a DDL for long.
Look look() {
    return in_transaction("rolloy insight refresh: look", [](SpiConnection &spi) {
        Look l;
        l.installed = call([] { return OidIsValid(get_extension_oid("rolloy", true)); });
        if (!l.installed) return l;
        spi.execute("SELECT pg_catalog.set_config('lock_timeout', '1s', true)");
        // Switched off, requests wait for the schedule or a manual refresh (as no worker is
        // launched then).
        const auto rows =
            spi.query("SELECT r.import_batch_id FROM rolloy_internal.insight_refresh_requests r"
                      " WHERE coalesce((SELECT s.refresh_after_import FROM rolloy.insight_settings s), true)"
                      " ORDER BY 1",
                      {}, true, Plan::Kept);
        for (const SqlRow &row : rows)
            l.pending.push_back(std::stoll(row.at(0).value()));
        return l;
    });
}

void log_failure(const char *what, const char *message) {
    call([what, message] {
        ereport(LOG,
                (errmsg("rolloy: %s failed: %s", what, message),
                 errhint("The imports stay pending; the next import or refresh_insights() takes them.")));
    });
}

// One refresh in its own transaction; a failure is logged and recorded for insight_status (the
// message is the database's own, never data) and leaves the requests pending.
bool refresh() {
    try {
        in_transaction("SELECT rolloy_internal._refresh_after_import()", [](SpiConnection &spi) {
            spi.execute("SELECT rolloy_internal._refresh_after_import()");
        });
        return true;
    } catch (const std::exception &e) {
        const std::string message = std::string(e.what()).substr(0, 1000);
        log_failure("insights after import", message.c_str());
        try {
            in_transaction("rolloy insight refresh: note failure", [&message](SpiConnection &spi) {
                spi.execute("SELECT rolloy_internal._note_failed_refresh($1)", {message});
            });
        } catch (const std::exception &) {
            // Logged above already; the extension may be gone.
        }
        return false;
    }
}

long idle_ms_left(TimestampTz refreshed_at) {
    const long elapsed =
        call([refreshed_at] { return TimestampDifferenceMilliseconds(refreshed_at, GetCurrentTimestamp()); });
    return static_cast<long>(refresher_idle_seconds) * 1000 - elapsed;
}

} // namespace

bool Refresher::untried(const std::vector<std::int64_t> &pending) const {
    return !std::includes(failed_.begin(), failed_.end(), pending.begin(), pending.end());
}

Refresher::Outcome Refresher::work() {
    Look l;
    try {
        l = look();
    } catch (const std::exception &e) {
        log_failure("looking for insight refresh requests", e.what());
        return Outcome::idle;
    }
    if (!l.installed) return Outcome::gone;
    // Requests another refresh has taken in meanwhile are forgotten.
    std::vector<std::int64_t> still_failed;
    std::set_intersection(failed_.begin(), failed_.end(), l.pending.begin(), l.pending.end(),
                          std::back_inserter(still_failed));
    failed_.swap(still_failed);
    if (!untried(l.pending)) return Outcome::idle;
    if (refresh())
        failed_.clear();
    else
        failed_ = l.pending; // those it tried (requests committed since are tried again)
    return Outcome::refreshed;
}

void Refresher::serve() {
    bool warm = false;
    TimestampTz refreshed_at = 0;
    for (;;) {
        const Outcome o = work();
        if (o == Outcome::gone) {
            resign();
            return;
        }
        if (o == Outcome::refreshed) {
            warm = true;
            refreshed_at = call([] { return GetCurrentTimestamp(); });
        }
        // A worker elected for an import that rolled back (or another refresh took in) has
        // nothing warm to offer: it leaves at once.
        const long left = warm ? idle_ms_left(refreshed_at) : 0;
        if (left <= 0) {
            if (!hand_back()) return;
            warm = false; // re-elected: the next look finds work, or it leaves
            continue;
        }
        wait(std::min(left, kPollMs));
    }
}

// Idle long enough: give the lock up, then look once more. An import whose worker found the
// lock still held committed before that look, so it is seen here; then it is served by
// whoever holds the lock now (ourselves again, or a newer refresher we wake). False: leave.
bool Refresher::hand_back() {
    resign();
    Look l;
    try {
        l = look();
    } catch (const std::exception &e) {
        log_failure("looking for insight refresh requests", e.what());
        return false;
    }
    if (!l.installed || !untried(l.pending)) return false;
    switch (elect()) {
    case Election::elected:
        return true;
    case Election::woke_refresher:
        return false;
    case Election::held_by_other:
        once();
        return false;
    }
    return false;
}

void Refresher::once() {
    (void)work();
}

void Refresher::wait(long timeout_ms) {
    call([timeout_ms] {
        // The statistics of the last refresh reach autovacuum now, not when the refresher exits.
        pgstat_report_stat(true);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS(); // SIGTERM (die) ends the process here
    });
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        call([] { ProcessConfigFile(PGC_SIGHUP); });
    }
}

} // namespace rolloy::pg::insights
