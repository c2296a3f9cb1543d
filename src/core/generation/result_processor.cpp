#include "core/generation/result_processor.hpp"

#include "core/common/thread_without_signals.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace rolloy::generation {

ResultProcessor::ResultProcessor(std::size_t threads, std::function<void()> on_done)
    : on_done_(std::move(on_done)) {
    try {
        set_threads(threads);
    } catch (...) {
        // A thread could not start: the ones that did must be joined, or destroying them
        // joinable would terminate the process.
        stop_and_join();
        throw;
    }
}

ResultProcessor::~ResultProcessor() {
    stop_and_join();
}

void ResultProcessor::stop_and_join() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto &t : threads_)
        t.join();
    threads_.clear();
}

void ResultProcessor::start_thread() {
    std::size_t index = threads_.size();
    threads_.push_back(thread_without_signals([this, index] { run(index); }));
}

void ResultProcessor::set_threads(std::size_t threads) {
    threads = std::max<std::size_t>(1, threads);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        target_threads_ = threads;
    }
    work_ready_.notify_all();
    while (threads_.size() > threads) {
        threads_.back().join();
        threads_.pop_back();
    }
    while (threads_.size() < threads)
        start_thread();
}

void ResultProcessor::submit(ImageJob job, providers::Outcome outcome, providers::RetryOptions retry,
                             std::size_t max_image_bytes) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        tasks_.push_back(Task{std::move(job), std::move(outcome), retry, max_image_bytes, std::nullopt});
        ++outstanding_;
    }
    work_ready_.notify_one();
}

void ResultProcessor::submit_record(ImageJob job, JobRecord record) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        tasks_.push_back(Task{std::move(job), providers::Outcome{}, {}, 0, std::move(record)});
        ++outstanding_;
    }
    work_ready_.notify_one();
}

std::vector<ResultProcessor::Done> ResultProcessor::take_done() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Done> out;
    out.swap(done_);
    outstanding_ -= out.size();
    return out;
}

void ResultProcessor::wait_for_done(long timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_ready_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !done_.empty(); });
}

std::size_t ResultProcessor::outstanding() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return outstanding_;
}

namespace {

// Image work yields the CPU to the worker's loop (claims, network, records) and to the database's
// own backends: under load the loop stays responsive and encoding does not slow users' queries.
// Linux keeps a nice value per thread, and raising one's own needs no privilege.
void lower_own_priority() {
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, tid);
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, tid, std::min(current + ResultProcessor::kNiceIncrement, 19));
}

} // namespace

void ResultProcessor::run(std::size_t index) {
    lower_own_priority();
    for (;;) {
        Task task;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, [&] { return stopping_ || index >= target_threads_ || !tasks_.empty(); });
            if (index >= target_threads_) return; // retired; the others take the queue
            if (tasks_.empty()) return;           // stopping, and nothing left to do
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        JobRecord record;
        if (task.record) {
            record = std::move(*task.record);
        } else {
            try {
                record = record_for(task.job, task.outcome, task.retry, task.max_image_bytes);
            } catch (const std::exception &e) {
                record.kind = JobRecord::Kind::Failed;
                record.error = std::string("processing the result failed: ") + e.what();
            }
        }
        if (handoff_ && handoff_(task.job, record)) continue;
        deliver(std::move(task.job), std::move(record));
    }
}

void ResultProcessor::deliver(ImageJob job, JobRecord record) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.emplace_back(std::move(job), std::move(record));
    }
    done_ready_.notify_all();
    if (on_done_) on_done_();
}

} // namespace rolloy::generation
