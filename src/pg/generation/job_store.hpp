// The worker's SQL: reclaiming expired leases, claiming jobs, keeping leases alive, and writing
// each result exactly once. Every function runs inside a transaction the caller opened.
#pragma once
#include "pg/common/spi.hpp"

#include "pg/generation/worker_state.hpp"

#include "core/generation/image_job.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rolloy::pg::jobs {

bool extension_installed(SpiConnection &spi);

// Whether the database has the 0.2.0 ledger (api_usage_logs.state): a 0.1.0 database not yet
// upgraded is served as before, its calls logged once they finish.
bool ledger_available(SpiConnection &spi);

// Rows whose lease ran out (a killed or crashed worker) go back to pending, or fail when they
// used their last attempt. Returns how many rows changed. `held` are the rows this worker still
// holds (a call, a result waiting to be recorded): never reclaimed, even when another
// transaction's lock kept the heartbeat from extending their lease. Rows (or their projects)
// locked by another transaction are skipped and reclaimed by a later round.
// With `ledger`, a row resumes by the remote id its interrupted attempt booked (book_remote_ids).
int reclaim_expired_leases(SpiConnection &spi, const std::vector<std::string> &held, bool ledger);

// Claims up to `limit` due jobs of `provider` (FOR UPDATE SKIP LOCKED), leases them to this
// process and returns them with everything the call needs. Jobs whose reference photo is gone
// come back with an empty reference. Jobs of `skip_projects` (whose results wait for a lock) are
// left pending. With `open_attempts` each job's attempt gets its ledger row (api_usage_logs,
// state 'staged', id in ImageJob::ledger_id) in the same transaction.
std::vector<generation::ImageJob> claim(SpiConnection &spi, const std::string &provider, int limit,
                                        int lease_seconds, const std::vector<std::string> &skip_projects,
                                        bool open_attempts);

// Marks staged attempts as sent ('in_flight'). The caller commits before any of their requests
// leaves the machine: after a crash every request a provider may have seen has its row.
void send_attempts(SpiConnection &spi, const std::vector<std::int64_t> &ledger_ids);

// Books the provider-side request of attempts in flight (remote id: fal's queue ticket), the
// moment the provider answered with it; a short transaction between network waits. Recovery
// resumes by it (reclaim_expired_leases) and charges the request once (close_orphaned_attempts,
// record).
void book_remote_ids(SpiConnection &spi, const std::vector<std::int64_t> &ledger_ids,
                     const std::vector<std::string> &remote_ids);

// Recovery: open image attempts this worker does not hold (`held`: ledger ids) were left by a
// stopped worker. Staged ones (never sent) are deleted; in-flight ones are closed as 'unknown'
// and charged at the list price to the ledger and the image, unless an earlier attempt's unknown
// row already carries the charge of the same remote request. Returns how many rows changed.
int close_orphaned_attempts(SpiConnection &spi, const std::vector<std::int64_t> &held);

// Milliseconds until the next pending job of `provider` is due (0: one is due now), or -1 when
// it has none pending.
long ms_until_next_due(SpiConnection &spi, const std::string &provider);

// Of `image_ids` (calls in flight), those whose row is no longer this worker's attempt:
// cancelled, deleted, or reclaimed. Reads without locking.
std::vector<std::string> withdrawn(SpiConnection &spi, const std::vector<std::string> &image_ids);

// Extends the lease of jobs still in flight; rows another transaction has locked are skipped
// (the next heartbeat tries again).
void extend_leases(SpiConnection &spi, const std::vector<std::string> &image_ids, int lease_seconds);

// Recovery of prompt calls (generate_prompt): in-flight rows older than `older_than_ms` belong to
// a session that ended before it could complete them. They are closed as 'unknown' at the price
// of the worst-case call the budget check assumed. Returns how many.
int close_stale_prompt_attempts(SpiConnection &spi, int older_than_ms);

// The API key of a provider, or empty.
std::string provider_key(SpiConnection &spi, const std::string &provider);

// Completes the attempt's ledger row (or logs the call when none was opened), adds its cost to
// the row and, if the row is still this attempt's, moves it to
// its new state (storing the image for a completed one). Returns false when the row had moved
// on (cancelled, or its lease expired and another attempt took it): its result is discarded,
// but the call is still logged and charged.
// It first locks, without waiting, every row it writes or references (the image, its project,
// the owner's users row): when another transaction holds one of them it throws a PgError with
// ERRCODE_LOCK_NOT_AVAILABLE at once and writes nothing; the caller keeps the result and tries
// again later (any other lock wait ends after rolloy.worker_lock_timeout_ms with the same code,
// or in a deadlock the worker gives way with ERRCODE_T_R_DEADLOCK_DETECTED: PgError::
// gave_way_to_a_lock() covers both).
bool record(SpiConnection &spi, const generation::ImageJob &job, const generation::JobRecord &record);

// Writes a call a backend could not log itself (see PendingCallLog); a user or project deleted
// meanwhile is left NULL, as the foreign keys would do. A users or project row locked by another
// transaction: PgError with ERRCODE_LOCK_NOT_AVAILABLE at once (the caller keeps the log).
void write_call_log(SpiConnection &spi, const worker::PendingCallLog &log);

} // namespace rolloy::pg::jobs
