// The worker's result processor: every submitted answer comes back exactly once as a record,
// whatever the number of threads and however it changes while work is queued.
#include "core/generation/result_processor.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <functional>

#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

using namespace rolloy;
using generation::ImageJob;
using generation::JobRecord;
using generation::ResultProcessor;

namespace {

ImageJob job(int n) {
    ImageJob j;
    j.image_id = "image-" + std::to_string(n);
    j.attempt = 1;
    j.max_attempts = 3;
    return j;
}

providers::Outcome image_answer(const std::string &png) {
    providers::Outcome o;
    o.kind = providers::OutcomeKind::Success;
    o.http_status = 200;
    o.image = png;
    o.image_mime = "image/png";
    return o;
}

providers::Outcome failed_answer(providers::OutcomeKind kind, long status) {
    providers::Outcome o;
    o.kind = kind;
    o.http_status = status;
    o.message = "HTTP " + std::to_string(status);
    return o;
}

// Takes records until `n` have come back (or 30 s pass).
std::map<std::string, JobRecord> take(ResultProcessor &p, std::size_t n) {
    std::map<std::string, JobRecord> records;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (records.size() < n && std::chrono::steady_clock::now() < deadline) {
        p.wait_for_done(100);
        for (auto &done : p.take_done())
            EXPECT_TRUE(records.emplace(done.first.image_id, std::move(done.second)).second)
                << "twice: " << done.first.image_id;
    }
    return records;
}

} // namespace

TEST(ResultProcessor, EveryAnswerBecomesOneRecordOfTheRightKind) {
    const std::string png = images::test_images::make_image(64, 48);
    std::atomic<int> woken{0};
    std::map<std::string, JobRecord> records;
    {
        ResultProcessor p(3, [&woken] { ++woken; });
        EXPECT_EQ(p.threads(), 3u);
        providers::RetryOptions retry;
        for (int i = 0; i < 60; ++i) {
            providers::Outcome o = i % 3 == 0   ? image_answer(png)
                                   : i % 3 == 1 ? failed_answer(providers::OutcomeKind::Transient, 503)
                                                : failed_answer(providers::OutcomeKind::Permanent, 400);
            p.submit(job(i), o, retry, 1u << 20);
        }
        records = take(p, 60);
        EXPECT_EQ(p.outstanding(), 0u);
    } // joined: every wake-up has been made (each comes just after its record)
    ASSERT_EQ(records.size(), 60u);
    EXPECT_EQ(woken.load(), 60);
    for (int i = 0; i < 60; ++i) {
        const JobRecord &r = records.at("image-" + std::to_string(i));
        if (i % 3 == 0) {
            EXPECT_EQ(r.kind, JobRecord::Kind::Completed);
            EXPECT_EQ(r.width, 64);
            EXPECT_EQ(r.height, 48);
            EXPECT_FALSE(r.thumbnail.empty());
        } else {
            EXPECT_EQ(r.kind, i % 3 == 1 ? JobRecord::Kind::Retry : JobRecord::Kind::Failed);
        }
    }
}

TEST(ResultProcessor, ResizingWhileWorkIsQueuedLosesNothing) {
    const std::string png = images::test_images::make_image(32, 32);
    ResultProcessor p(1, nullptr);
    providers::RetryOptions retry;
    for (int i = 0; i < 40; ++i)
        p.submit(job(i), image_answer(png), retry, 1u << 20);
    p.set_threads(4);
    EXPECT_EQ(p.threads(), 4u);
    for (int i = 40; i < 80; ++i)
        p.submit(job(i), image_answer(png), retry, 1u << 20);
    p.set_threads(0); // at least one thread stays
    EXPECT_EQ(p.threads(), 1u);
    for (int i = 80; i < 100; ++i)
        p.submit(job(i), failed_answer(providers::OutcomeKind::Permanent, 401), retry, 1u << 20);
    auto records = take(p, 100);
    EXPECT_EQ(records.size(), 100u);
    EXPECT_EQ(p.outstanding(), 0u);
}

TEST(ResultProcessor, ABrokenImageIsARecordNotACrash) {
    ResultProcessor p(2, nullptr);
    providers::RetryOptions retry;
    p.submit(job(1), image_answer("\x89PNG\r\n\x1a\n this is not the rest of a PNG"), retry, 1u << 20);
    p.submit(job(2), image_answer(std::string(1000, 'x')), retry, 1u << 20);
    auto records = take(p, 2);
    ASSERT_EQ(records.size(), 2u);
    for (auto &entry : records) {
        EXPECT_NE(entry.second.kind, JobRecord::Kind::Completed) << entry.first;
        EXPECT_NE(entry.second.error.find("not a usable image"), std::string::npos) << entry.second.error;
    }
}

namespace {

// `n` refused calls through two threads, `on_done` called on those threads after each record.
void process_refusals(int n, std::function<void()> on_done) {
    ResultProcessor p(2, std::move(on_done));
    providers::RetryOptions retry;
    for (int i = 0; i < n; ++i)
        p.submit(job(i), failed_answer(providers::OutcomeKind::Permanent, 400), retry, 1u << 20);
    take(p, std::size_t(n));
}

} // namespace

TEST(ResultProcessor, ItsThreadsTakeNoSignals) {
    // Postgres' handlers must only ever run on the worker's own thread.
    std::atomic<bool> all_blocked{true};
    std::atomic<int> checked{0};
    {
        process_refusals(8, [&] {
            sigset_t mask;
            pthread_sigmask(SIG_BLOCK, nullptr, &mask);
            for (int sig : {SIGTERM, SIGHUP, SIGINT, SIGUSR1, SIGALRM})
                if (!sigismember(&mask, sig)) all_blocked = false;
            ++checked;
        });
    }
    EXPECT_EQ(checked.load(), 8);
    EXPECT_TRUE(all_blocked.load());
    sigset_t mine;
    pthread_sigmask(SIG_BLOCK, nullptr, &mine);
    EXPECT_FALSE(sigismember(&mine, SIGTERM)) << "the creating thread's mask must be restored";
}

TEST(ResultProcessor, ItsThreadsYieldToTheLoop) {
    // Image work runs nicer than the thread that drives the network and the database.
    auto nice_of_this_thread = [] {
        errno = 0;
        return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
    };
    const int loop_nice = nice_of_this_thread();
    if (loop_nice > 19 - ResultProcessor::kNiceIncrement) GTEST_SKIP() << "already at nice " << loop_nice;
    std::atomic<int> wrong{0}, checked{0};
    {
        process_refusals(6, [&] {
            if (nice_of_this_thread() != loop_nice + ResultProcessor::kNiceIncrement) ++wrong;
            ++checked;
        });
    }
    EXPECT_EQ(checked.load(), 6);
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(nice_of_this_thread(), loop_nice) << "the creating thread keeps its priority";
}

TEST(ResultProcessor, DestroyingItFinishesQueuedWork) {
    std::atomic<int> done{0};
    {
        ResultProcessor p(2, [&done] { ++done; });
        providers::RetryOptions retry;
        for (int i = 0; i < 30; ++i)
            p.submit(job(i), failed_answer(providers::OutcomeKind::Transient, 500), retry, 1u << 20);
    }
    EXPECT_EQ(done.load(), 30);
}

// A handoff that takes completed records (as the s3 store's uploads do) frees the thread at
// once; the records come back through deliver() from another thread, each exactly once, and
// count as outstanding until taken. Records it declines come back as before.
TEST(ResultProcessor, RecordsHandedOffComeBackThroughDeliver) {
    const std::string png = images::test_images::make_image(32, 32);
    std::mutex mutex;
    std::vector<std::pair<ImageJob, JobRecord>> taken;
    ResultProcessor p(2, nullptr);
    p.set_handoff([&](ImageJob &j, JobRecord &r) {
        if (r.kind != JobRecord::Kind::Completed) return false;
        std::lock_guard<std::mutex> lock(mutex);
        taken.emplace_back(std::move(j), std::move(r));
        return true;
    });
    providers::RetryOptions retry;
    for (int i = 0; i < 20; ++i)
        p.submit(job(i), i % 2 ? image_answer(png) : failed_answer(providers::OutcomeKind::Permanent, 400),
                 retry, 1u << 20);
    auto declined = take(p, 10);
    EXPECT_EQ(declined.size(), 10u);
    std::vector<std::pair<ImageJob, JobRecord>> handed;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (handed.size() < 10 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::lock_guard<std::mutex> lock(mutex);
        for (auto &entry : taken)
            handed.push_back(std::move(entry));
        taken.clear();
    }
    ASSERT_EQ(handed.size(), 10u);
    EXPECT_EQ(p.outstanding(), 10u) << "handed-off records are still outstanding";
    std::thread elsewhere([&] {
        for (auto &entry : handed) {
            entry.second.storage_ref = "s3:" + entry.first.image_id;
            p.deliver(std::move(entry.first), std::move(entry.second));
        }
    });
    elsewhere.join();
    auto delivered = take(p, 10);
    ASSERT_EQ(delivered.size(), 10u);
    for (auto &entry : delivered) {
        EXPECT_EQ(entry.second.kind, JobRecord::Kind::Completed);
        EXPECT_EQ(entry.second.storage_ref, "s3:" + entry.first);
    }
    EXPECT_EQ(p.outstanding(), 0u);
}
