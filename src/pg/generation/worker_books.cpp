#include "pg/generation/worker_books.hpp"

#include "pg/common/guard.hpp"
#include "pg/common/transaction.hpp"
#include "pg/generation/job_store.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace rolloy::pg::worker {

void CallLogWriter::write() {
    int dropped = 0;
    std::vector<PendingCallLog> logs = take_call_logs(MyDatabaseId, &dropped);
    if (!waiting_.empty()) {
        if (logs.empty() && std::chrono::steady_clock::now() < next_try_) return;
        logs.insert(logs.begin(), waiting_.begin(), waiting_.end());
        waiting_.clear();
    }
    if (dropped > 0)
        call([dropped] {
            ereport(WARNING,
                    (errmsg("rolloy worker: %d failed prompt calls of other databases not logged", dropped),
                     errhint("The worker serves rolloy.database only.")));
        });
    if (logs.empty()) return;
    try {
        in_transaction("rolloy worker: logging failed prompt calls", [&logs](SpiConnection &spi) {
            for (const PendingCallLog &log : logs)
                jobs::write_call_log(spi, log);
        });
        return;
    } catch (const PgError &e) {
        if (e.gave_way_to_a_lock() && logs.size() <= kMaxWaiting) {
            waiting_ = std::move(logs);
            next_try_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            return;
        }
        log_unwritten(logs);
        throw;
    } catch (const std::exception &) {
        log_unwritten(logs);
        throw;
    }
}

// Not written: keep what they cost where an admin can find it (the caller fails the round).
void CallLogWriter::log_unwritten(const std::vector<PendingCallLog> &logs) {
    for (const PendingCallLog &log : logs)
        call([&log] {
            ereport(LOG,
                    (errmsg("rolloy worker: could not log a failed %s call: %s %s, HTTP %d, %lld tokens in, "
                            "%lld out, user %s",
                            log.operation, log.provider, log.model, log.http_status, (long long)log.tokens_in,
                            (long long)log.tokens_out, log.user_id)));
        });
}

void RemoteIdBook::note(std::int64_t ledger_id, std::string remote_id) {
    if (ledger_id > 0) unbooked_[ledger_id] = std::move(remote_id);
}

void RemoteIdBook::flush() {
    if (unbooked_.empty()) return;
    std::vector<std::int64_t> ids;
    std::vector<std::string> remote_ids;
    for (auto &entry : unbooked_) {
        ids.push_back(entry.first);
        remote_ids.push_back(entry.second);
    }
    in_transaction("rolloy worker: booking remote ids",
                   [&ids, &remote_ids](SpiConnection &spi) { jobs::book_remote_ids(spi, ids, remote_ids); });
    unbooked_.clear();
}

} // namespace rolloy::pg::worker
