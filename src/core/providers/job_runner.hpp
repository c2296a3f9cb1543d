// Runs many ProviderCalls at once over one HttpClient: starts their requests, sleeps for
// their poll delays, feeds responses back, enforces per-job deadlines, and hands back finished
// jobs as they finish. Single-threaded, no Postgres, no transaction.
//
// How the background worker drives it (the loop stays in the worker, so it can commit,
// CHECK_FOR_INTERRUPTS and claim more between steps, outside any C++ frame of this module):
//
//     HttpClient http(options);  http.set_pool_limit("gemini", 64);
//     JobRunner runner(http);
//     loop:
//         claim rows (short transaction, commit), then for each:
//             runner.add(row_id, find_image_provider(name)->make_call(config, request), deadline_ms);
//         for (FinishedJob &f : runner.step(100)) record f.outcome (short transaction);
//         handle latch/signals; stop when told (runner.abort_all() and release those rows).
//
// or, for a fixed batch, runner.run(should_abort) until every job is finished.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_client.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/provider.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rolloy::providers {

using JobId = std::int64_t;

struct FinishedJob {
    JobId id = 0;
    Outcome outcome; // latency_ms and http_requests are filled in by the runner
};

// A running call learnt (or changed) its resume token: the provider-side id of its request.
struct TokenChange {
    JobId id = 0;
    std::string token;
};

class JobRunner {
  public:
    // `http` must outlive the runner and is used by nothing else meanwhile.
    explicit JobRunner(HttpClient &http);
    ~JobRunner(); // cancels the requests of unfinished jobs
    JobRunner(const JobRunner &) = delete;
    JobRunner &operator=(const JobRunner &) = delete;

    // Starts a call. deadline_ms bounds the whole call, polling included (0: no deadline); a
    // job past it is cancelled (with the provider's cancel request, if any) and finishes
    // Transient with error_code "deadline". Throws rolloy::Error(InvalidInput) if `id` is
    // already running or `call` is null.
    void add(JobId id, std::unique_ptr<ProviderCall> call, std::int64_t deadline_ms);

    // Advances every job for at most max_wait_ms and returns those that finished (possibly
    // none). Returns early when a job finishes. A call that throws finishes Permanent with
    // error_code "internal".
    std::vector<FinishedJob> step(std::int64_t max_wait_ms);

    // Runs until every job has finished, checking should_abort at least every 100 ms; when it
    // returns true, abort_all() ends the rest. should_abort must not throw or longjmp.
    std::vector<FinishedJob> run(const std::function<bool()> &should_abort = {});

    // Ends one job whose work is no longer wanted (its image was cancelled or deleted) when its
    // call has a cancel request (Replicate: urls.cancel; fal: the queue's cancel URL): that goes
    // out fire-and-forget, and the job finishes Permanent with error_code "cancelled" (returned
    // by the next step()). False, and the job runs on, when the call has none (its answer tells
    // what it cost) or no such job runs.
    bool cancel(JobId id);

    // Ends every unfinished job now: Transient, error_code "aborted" (Outcome::aborted()), with
    // the call's resume token so a later attempt can pick up the provider-side work.
    std::vector<FinishedJob> abort_all();

    // Resume tokens learnt since the last call, in order, for jobs still running: a call reports
    // its token when it changes to a new non-empty value (after the response that carried it,
    // before the call's next request is sent). The worker books each in the attempt's ledger row
    // at once, so a crash after the provider accepted a request loses no remote id.
    std::vector<TokenChange> take_token_changes();

    std::size_t active() const; // jobs added and not yet returned as finished

    // Thread-safe: ends a step() early (e.g. from a signal-watching thread).
    void wakeup();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Runs one call to the end on its own (e.g. prompt writing from a SQL function).
Outcome run_call(HttpClient &http, std::unique_ptr<ProviderCall> call, std::int64_t deadline_ms,
                 const std::function<bool()> &should_abort = {});

} // namespace rolloy::providers
