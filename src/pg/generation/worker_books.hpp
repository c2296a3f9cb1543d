// Book-keeping the worker does besides recording results, each in its own short transaction
// between network waits (docs/worker.md, "The ledger"):
//   CallLogWriter  failed prompt calls that backends could not log themselves (PendingCallLog)
//   RemoteIdBook   the provider-side ids (fal's queue ticket) of calls in flight, booked the
//                  moment a call learns them, so that a kill -9 loses none
#pragma once

#include "pg/generation/worker_state.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rolloy::pg::worker {

class CallLogWriter {
  public:
    // Writes the failed prompt calls backends of this database left for the worker. When a users
    // or project row they reference is locked by another transaction they are kept and written
    // by a later call (at most kMaxWaiting: the rest go to the server log). Throws what the
    // transaction threw otherwise (the logs then are in the server log).
    void write();

  private:
    static constexpr std::size_t kMaxWaiting = 1024;
    static void log_unwritten(const std::vector<PendingCallLog> &logs);

    std::vector<PendingCallLog> waiting_;
    std::chrono::steady_clock::time_point next_try_{};
};

class RemoteIdBook {
  public:
    // A call of the attempt whose ledger row is `ledger_id` learnt its remote id.
    void note(std::int64_t ledger_id, std::string remote_id);
    // Books what was noted, in one short transaction; kept for the next flush if it throws.
    void flush();
    void clear() { unbooked_.clear(); }

  private:
    std::map<std::int64_t, std::string> unbooked_; // ledger row -> remote id
};

} // namespace rolloy::pg::worker
