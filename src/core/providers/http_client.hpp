// Concurrent HTTP over libcurl's multi interface, driven by the caller's own loop.
//
// One thread owns an HttpClient (not thread-safe, except wakeup()). Requests are started with
// start() and come back from wait(), which drives every transfer for at most max_wait_ms and
// returns as soon as any finish. Nothing here touches Postgres, prints, or holds a transaction:
// the background worker claims rows, commits, then drives HTTP here, then records results.
//
// Guarantees: http/https only (also after redirects); redirects off unless asked; connect and
// total timeouts per request, whose clock starts when the transfer starts (queue wait in a full
// pool does not eat the timeout); response size cap enforced while downloading; per-pool
// concurrency limits with FIFO queues; connections are reused across requests of one client.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_types.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rolloy::providers {

struct HttpClientOptions {
    std::int64_t connect_timeout_ms = 10'000;
    std::int64_t total_timeout_ms = 120'000;
    std::int64_t max_response_bytes = 64LL << 20;
    bool follow_redirects = false;
    long max_redirects = 3;
    int default_pool_limit = 16; // concurrent transfers per pool unless set_pool_limit says otherwise
    std::string user_agent = "rolloy";
    std::string ca_file; // empty: the system's CA bundle
};

using RequestId = std::uint64_t;

struct Completion {
    RequestId id = 0;
    HttpResponse response;
};

class HttpClient {
  public:
    // Throws rolloy::Error(ExternalService) if libcurl cannot be initialised.
    explicit HttpClient(HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // At most `limit` (>= 1) transfers of `pool` run at once; more wait in FIFO order.
    void set_pool_limit(const std::string &pool, int limit);

    // Queues or starts a request. Never throws for a bad request: a forbidden scheme or a header
    // with a line break completes at the next wait() with TransportError::BadRequest.
    RequestId start(HttpRequest request);

    // Drops a request (queued or running) without a completion. False if unknown or finished.
    bool cancel(RequestId id);

    // Drives transfers until at least one completes or max_wait_ms passes (0: one
    // non-blocking round). Sleeps the full time when nothing is pending, so callers can use it
    // as their timer; wakeup() ends the sleep early.
    std::vector<Completion> wait(std::int64_t max_wait_ms);

    // Stops everything: already finished requests come back as they are, all others as
    // TransportError::Aborted.
    std::vector<Completion> abort_all();

    std::size_t pending() const;   // queued + running + finished-but-not-returned
    std::size_t in_flight() const; // running
    std::size_t in_flight(const std::string &pool) const;

    // Thread-safe (and the only thread-safe member): ends a wait() early.
    void wakeup();

    // Convenience: runs all requests to completion, responses in request order. should_abort
    // is checked at least every 100 ms; when it returns true the unfinished requests are
    // aborted. should_abort must not throw or longjmp (read a flag; no Postgres calls).
    // Completions of requests started elsewhere that arrive meanwhile are dropped: use it on a
    // client that has nothing else pending.
    std::vector<HttpResponse> perform(std::vector<HttpRequest> requests,
                                      const std::function<bool()> &should_abort = {});

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace rolloy::providers
