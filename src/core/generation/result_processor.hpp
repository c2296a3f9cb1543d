// Turns finished provider calls into records (decode, re-encode, thumbnail: libvips work) on
// background threads, so the worker loop keeps driving HTTP and writing results meanwhile, and
// results are processed on as many cores as the machine gives (rolloy.result_threads).
// The threads never touch Postgres: they run core code only, with every signal blocked, so
// Postgres' signal handlers always run on the worker's main thread.
#pragma once
#include "core/common/core_only.hpp"

#include "core/generation/image_job.hpp"
#include "core/providers/outcome.hpp"
#include "core/providers/retry_policy.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace rolloy::generation {

class ResultProcessor {
  public:
    using Done = std::pair<ImageJob, JobRecord>;
    // The threads run this much nicer than the thread that created them (see run()).
    static constexpr int kNiceIncrement = 5;

    // `on_done` is called from the background thread after each record (e.g. to wake the loop);
    // it must be thread-safe and must not call Postgres.
    ResultProcessor(std::size_t threads, std::function<void()> on_done);
    ~ResultProcessor(); // finishes queued work, then joins
    ResultProcessor(const ResultProcessor &) = delete;
    ResultProcessor &operator=(const ResultProcessor &) = delete;

    void submit(ImageJob job, providers::Outcome outcome, providers::RetryOptions retry,
                std::size_t max_image_bytes);
    // Runs on the thread after each record is made. True: it took the job and the record
    // (moved them out) and hands them back later through deliver(), e.g. an upload that runs
    // elsewhere, so the thread goes on to the next result at once. Must not throw or call
    // Postgres. Set it before the first submit.
    using Handoff = std::function<bool(ImageJob &, JobRecord &)>;
    void set_handoff(Handoff handoff) { handoff_ = std::move(handoff); }
    // Runs only the handoff on a record made earlier (an upload tried again).
    void submit_record(ImageJob job, JobRecord record);
    // A record the handoff took, finished: it joins the ready ones (thread-safe).
    void deliver(ImageJob job, JobRecord record);
    // Records ready now (never blocks).
    std::vector<Done> take_done();
    // Waits up to timeout_ms for a record to be ready.
    void wait_for_done(long timeout_ms);
    // Submitted and not yet taken.
    std::size_t outstanding() const;
    // Grows or shrinks the pool (at least one thread); a retiring thread finishes its task first.
    void set_threads(std::size_t threads);
    std::size_t threads() const { return threads_.size(); }

  private:
    struct Task {
        ImageJob job;
        providers::Outcome outcome;
        providers::RetryOptions retry;
        std::size_t max_image_bytes;
        std::optional<JobRecord> record; // made already: only the finisher runs
    };
    void run(std::size_t index);
    void start_thread();
    void stop_and_join(); // finishes queued work first

    std::function<void()> on_done_;
    Handoff handoff_;
    mutable std::mutex mutex_;
    std::condition_variable work_ready_, done_ready_;
    std::deque<Task> tasks_;
    std::vector<Done> done_;
    std::size_t outstanding_ = 0;
    bool stopping_ = false;
    std::size_t target_threads_ = 0; // threads with a higher index retire
    std::vector<std::thread> threads_;
};

} // namespace rolloy::generation
