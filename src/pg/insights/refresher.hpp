// The insights refresher of a database: the background worker that refreshes the insights after
// imports and then stays, idle on its latch, so that the refreshes of an import burst run in a
// warm backend (plans, catalog caches and pages of the first refresh kept) instead of each in a
// new one. See refresh_worker.cpp for how imports launch workers and docs/insights.md.
#pragma once

#include <cstdint>
#include <vector>

namespace rolloy::pg::insights {

// rolloy.insight_refresher_idle_seconds (PGC_SUSET): how long the refresher stays after its last
// refresh; 0 = it exits after each refresh. Read by the refresher itself (from postgresql.conf,
// ALTER SYSTEM or ALTER DATABASE, reloaded on SIGHUP).
extern int refresher_idle_seconds;
void define_refresher_gucs();

// Election (refresher_election.cpp). One refresher per database: the backend holding rolloy's
// session-level advisory lock on the key (kRefresherKey1, kRefresherKey2) in that database.
constexpr std::int32_t kRefresherKey1 = 1919904876; // "roll" in ASCII
constexpr std::int32_t kRefresherKey2 = 1;
enum class Election {
    elected,        // this backend holds the lock now: it is the refresher
    woke_refresher, // another refresher holds it and its latch is set: it will look
    held_by_other,  // a backend that is no refresher holds it: nobody will look unless we do
};
// Tries the lock (in a transaction of its own; none may be open).
Election elect();
// Gives the lock up (in a transaction of its own).
void resign();

// The work (refresher_loop.cpp). Pending import requests, minus those a refresh of this backend
// already failed on (retried only with a new request, as a new import's worker would).
class Refresher {
  public:
    // Stays the refresher until idle for refresher_idle_seconds (or the extension is gone), then
    // resigns. Call once elected.
    void serve();
    // One look, and one refresh if a request waits: for a worker that could not be elected.
    void once();

  private:
    enum class Outcome { gone, idle, refreshed };
    Outcome work();
    bool untried(const std::vector<std::int64_t> &pending) const; // any not in failed_

    bool hand_back();
    void wait(long timeout_ms);

    std::vector<std::int64_t> failed_;
};

} // namespace rolloy::pg::insights
