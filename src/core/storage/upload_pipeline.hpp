// The worker's uploads of completed images to the object store: many at once, on one thread of
// their own (libcurl's multi interface), before the images' rows are written. A result thread
// hands a processed image over and goes on to the next result, so uploads never hold the
// threads that decode and encode, however long the bucket takes to answer: a remote bucket's
// 20-200 ms per PUT would otherwise cap a worker at threads / latency images a second.
// No Postgres here.
#pragma once
#include "core/common/core_only.hpp"

#include "core/generation/image_job.hpp"
#include "core/storage/s3_config.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace rolloy::storage {

class UploadPipeline {
  public:
    using Finished = std::function<void(generation::ImageJob, generation::JobRecord)>;
    // Uploads in flight at most; more wait their turn. Each is one connection (kept alive for
    // the next), and at a remote bucket's 20-200 ms per PUT 32 carry 160-1,600 images a
    // second, more than a worker makes.
    static constexpr std::size_t kMaxInFlight = 32;

    // `finished` runs on the pipeline's thread once per submitted record, uploaded (storage_ref
    // set) or not (storage_error set, never the secret); it must not throw or call Postgres.
    explicit UploadPipeline(Finished finished, std::size_t max_in_flight = kMaxInFlight);
    ~UploadPipeline(); // stop()
    UploadPipeline(const UploadPipeline &) = delete;
    UploadPipeline &operator=(const UploadPipeline &) = delete;

    // Puts a completed record's file (one object; its thumbnail goes into the database with the
    // row) under its content-hash reference in `config`'s bucket. Thread-safe; the thread starts
    // with the first upload and inherits the priority of the thread that submits it (in the
    // worker a result thread's, nice +5: uploads yield to the loop as image work does). After
    // stop() the record is dropped. Takes the job and the record only when it returns: if it
    // throws (libcurl could not start) the caller still has them.
    void submit(std::shared_ptr<const S3Config> config, generation::ImageJob &&job,
                generation::JobRecord &&record);

    // Ends the thread: uploads in flight are abandoned, queued ones dropped, and `finished` is
    // not called again once this returns. For shutdown: the rows are still leased and go back to
    // the queue with their leases.
    void stop();

  private:
    struct Pending {
        std::shared_ptr<const S3Config> config;
        generation::ImageJob job;
        generation::JobRecord record;
    };
    struct Transfer;
    void run();

    Finished finished_;
    const std::size_t max_in_flight_;
    std::mutex mutex_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    void *multi_ = nullptr; // CURLM, made with the thread
    std::thread thread_;
};

} // namespace rolloy::storage
