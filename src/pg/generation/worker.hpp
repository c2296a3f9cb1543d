// The rolloy background worker's state and the steps of its loop (docs/worker.md). Only the
// worker's own files include this; each defines one job of the class:
//   worker_main.cpp      signals, the main loop, settings reload
//   worker_round.cpp     one round: which queue to look at when, and the heartbeat
//   worker_claim.cpp     claiming jobs per provider, the stage, previews
//   worker_calls.cpp     starting calls (write-ahead ledger), finishing them
//   worker_record.cpp    recording results, waiting for locks and for the object store
//   worker_recovery.cpp  lease reclaim, orphaned attempts, withdrawn calls, shutdown
#pragma once
#include "pg/common/spi.hpp"
#include "pg/generation/worker_books.hpp"
#include "pg/storage/upload_target.hpp"

#include "core/generation/image_job.hpp"
#include "core/generation/result_processor.hpp"
#include "core/providers/http_client.hpp"
#include "core/providers/job_runner.hpp"
#include "core/storage/upload_pipeline.hpp"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rolloy::pg::worker {

using Clock = std::chrono::steady_clock;
using generation::ImageJob;
using generation::JobRecord;

extern volatile sig_atomic_t got_sigterm;

class Worker {
  public:
    Worker();
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;
    void run();

  private:
    struct Staged { // a claimed job waiting for a slot, with its provider's key
        ImageJob job;
        std::string key;
    };

    struct Upload {
        ImageJob job;
        JobRecord record;
        Clock::time_point next_try;
    };

    struct Deferred {
        ImageJob job;
        JobRecord record;
        Clock::time_point since, next_try;
        int tries;
        bool reported; // in the server log
    };

    // worker_main.cpp
    static providers::HttpClientOptions http_options();
    void apply_pool_limits();
    static void apply_lock_timeout();
    void handle_interrupts();
    void wait_latch(long timeout_ms);

    // worker_round.cpp
    bool one_round();
    void notice_latch();
    long idle_wait_ms() const;
    bool due_for_look(const std::string &queue) const;
    void note_drained(SpiConnection &spi, const std::string &queue);

    // worker_claim.cpp
    int free_slots(const std::string &provider) const;
    int stage_target(const std::string &provider);
    void start_staged(const std::string &provider);
    int claim_remote(const std::string &provider);
    int run_previews();
    std::vector<std::string> waiting_projects() const;
    bool has_staged() const;
    bool has_staged(const std::string &provider) const;

    // worker_calls.cpp
    void start_calls(std::vector<Staged> batch);
    static providers::ProviderConfig call_config(const ImageJob &job, const std::string &key);
    void book_remote_ids();
    void finish(std::int64_t id, const providers::Outcome &outcome);

    // worker_record.cpp
    std::size_t store_processed();
    void store(const ImageJob &job, const JobRecord &r);
    std::optional<std::string> try_store(const ImageJob &job, const JobRecord &r);
    void store_deferred(bool all);
    void upload_later(const ImageJob &job, JobRecord r);
    void retry_uploads(bool all);

    // worker_recovery.cpp
    void forget_all();
    void reclaim_and_recover();
    void cancel_withdrawn();
    std::vector<std::string> held_ids() const;
    void release_staged();
    void release_in_flight();

    storage::UploadTarget target_; // before processor_: its threads read it until they are joined
    providers::HttpClient http_;
    providers::JobRunner runner_;
    std::map<std::int64_t, ImageJob> running_;
    rolloy::storage::UploadPipeline uploader_;            // before processor_: its threads hand records to it
    generation::ResultProcessor processor_;               // after runner_: its callback wakes the runner
    std::map<std::string, std::string> processing_;       // image id -> provider, being processed or ready
    std::deque<generation::ResultProcessor::Done> ready_; // processed, waiting to be recorded
    std::map<std::string, std::deque<Staged>> staged_;    // provider -> claimed, waiting for a slot
    std::vector<Deferred> deferred_;                      // results waiting for a lock
    std::vector<Upload> uploads_;                         // results waiting for the object store
    std::map<std::string, int> upload_failures_;          // image id -> failed uploads in a row
    CallLogWriter call_logs_;                             // failed prompt calls of backends
    std::set<std::int64_t> open_ledger_;                  // ledger rows of attempts this worker holds
    RemoteIdBook remote_ids_;                             // remote ids of calls in flight, not booked yet
    std::map<std::string, std::deque<Clock::time_point>>
        finish_times_; // provider -> calls finished within kRateHorizon
    std::int64_t next_id_ = 1;
    Clock::time_point last_reclaim_{};
    bool installed_ = false;
    Clock::time_point last_install_check_{};
    std::map<std::string, Clock::time_point> next_look_; // queue (provider) -> next claim
    uint64 seen_commits_ = 0;                            // queued_commits() at the last look
    uint64 seen_withdrawn_ = withdrawn_commits();        // withdrawn_commits() at the last look
    Clock::time_point last_heartbeat_ = Clock::now();
};

} // namespace rolloy::pg::worker
