// Flux on fal end to end: the queue state machine through JobRunner + HttpClient against
// fake_fal.py (submit, status polling, result, CDN download).
#include "core/providers/fal_flux.hpp"
#include "core/providers/job_runner.hpp"
#include "core/providers/registry.hpp"
#include "core/providers/retry_policy.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

namespace rolloy::providers {
namespace {

using testing::FakeServer;
using testing::ms_since;

constexpr const char *kKey = "fal-e2e-key:SECRET";

constexpr char kFakeFal[] = "fake_fal.py";

class FalE2E : public testing::FakeServerSuite<kFakeFal, 150> {
  protected:
    static ProviderConfig config() {
        ProviderConfig c;
        c.base_url = server_->base_url();
        c.model = "fal-ai/flux/dev/image-to-image";
        c.api_key = kKey;
        c.request_timeout_ms = 5000;
        c.poll_interval_ms = 50;
        return c;
    }

    static ImageRequest request(const std::string &prompt) {
        ImageRequest r;
        r.prompt = prompt;
        r.reference = std::string("\x89PNG\r\n\x1a\nreference", 17);
        r.reference_mime = "image/png";
        r.strength = 0.9;
        r.seed = 42;
        return r;
    }

    static Outcome run(const ImageRequest &r, ProviderConfig c = config(), std::int64_t deadline_ms = 20000) {
        HttpClient http;
        return run_call(http, find_image_provider("fal")->make_call(c, r), deadline_ms);
    }
};

TEST_F(FalE2E, SubmitPollResultDownload) {
    const Outcome o = run(request("a watercolor fox [[id:fe-ok]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(o.image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(o.image_mime, "image/png");
    EXPECT_EQ(o.image_width, 64);
    EXPECT_EQ(o.image_height, 64);
    EXPECT_FALSE(o.request_id.empty());
    EXPECT_GE(o.http_requests, 4); // submit, >= 1 status, result, download
    EXPECT_GE(o.latency_ms, 140);
    EXPECT_EQ(server_->count("fe-ok", "submit"), 1);
    EXPECT_GE(server_->count("fe-ok", "status"), 2); // IN_QUEUE/IN_PROGRESS before COMPLETED
    EXPECT_EQ(server_->count("fe-ok", "result"), 1);
    EXPECT_EQ(server_->count("fe-ok", "download"), 1);
    EXPECT_EQ(server_->count("fe-ok", "download_with_key"), 0); // the key stays with the API
}

TEST_F(FalE2E, SubmitOverloadRetriedByTheWorkerPolicy) {
    const RetryPolicy policy({10, 100, 5, 1000});
    int attempts = 0;
    Outcome o;
    for (;;) {
        o = run(request("[[fault:503x2]] [[id:fe-503x2]]"));
        ++attempts;
        const auto d = policy.decide(o, attempts);
        if (!d.retry) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(d.delay_ms));
    }
    EXPECT_TRUE(o.success()) << o.message;
    EXPECT_EQ(attempts, 3);
    EXPECT_EQ(server_->count("fe-503x2", "submit"), 3);
}

TEST_F(FalE2E, StatusHiccupsAreAbsorbedInsideOneCall) {
    const Outcome o = run(request("[[fault:status_503x2]] [[id:fe-status]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(server_->count("fe-status", "submit"), 1); // no second payment
    EXPECT_GE(server_->count("fe-status", "status"), 3);
}

TEST_F(FalE2E, ModelValidationErrorIsPermanentWithDetail) {
    const Outcome o = run(request("[[fault:result_422]] [[id:fe-422]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 422);
    EXPECT_EQ(
        o.message,
        "fal result returned HTTP 422: body.image_url: Could not load the image from image_url (fake).");
}

TEST_F(FalE2E, SubmitValidationAndAuthErrorsArePermanent) {
    Outcome o = run(request("[[fault:422]] [[id:fe-s422]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    ProviderConfig c = config();
    c.api_key = "";
    o = run(request("x [[id:fe-nokey]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 401);
}

TEST_F(FalE2E, UserTimeoutAndModerationArePermanent) {
    Outcome o = run(request("[[fault:user_timeout]] [[id:fe-ut]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "request_timeout_user");
    o = run(request("[[fault:moderation]] [[id:fe-mod]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "content_flagged");
    EXPECT_EQ(server_->count("fe-mod", "download"), 0);
}

TEST_F(FalE2E, ForeignQueueUrlsNeverReceiveTheKey) {
    const Outcome o = run(request("[[fault:foreign_url]] [[id:fe-foreign]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "untrusted_url");
    EXPECT_EQ(server_->count("fe-foreign", "status"), 0);
}

TEST_F(FalE2E, DataUriResultsAndOversizedDownloads) {
    Outcome o = run(request("[[fault:data_uri]] [[id:fe-data]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(server_->count("fe-data", "download"), 0);

    ProviderConfig c = config();
    c.max_image_bytes = 50000;
    o = run(request("[[fault:big=200000]] [[id:fe-big]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "too_large");
}

TEST_F(FalE2E, HungSubmitTimesOutAndLostRequestsResubmit) {
    ProviderConfig c = config();
    c.request_timeout_ms = 300;
    Outcome o = run(request("[[fault:hang]] [[id:fe-hang]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "timeout");

    o = run(request("[[fault:lost]] [[id:fe-lost]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "request_lost");
    EXPECT_TRUE(o.resume_token.empty());
}

TEST_F(FalE2E, AbortedJobResumesWithoutPayingTwice) {
    HttpClient http;
    Outcome first;
    {
        JobRunner runner(http);
        runner.add(1,
                   find_image_provider("fal")->make_call(config(),
                                                         request("[[fault:latency=1500]] [[id:fe-resume]]")),
                   0);
        const auto start = std::chrono::steady_clock::now();
        const auto finished = runner.run([&] { return ms_since(start) > 250; });
        ASSERT_EQ(finished.size(), 1u);
        first = finished[0].outcome;
    }
    ASSERT_TRUE(first.aborted());
    ASSERT_FALSE(first.resume_token.empty());

    ImageRequest again = request("[[fault:latency=1500]] [[id:fe-resume]]");
    again.resume_token = first.resume_token;
    const Outcome o = run(again);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(server_->count("fe-resume", "submit"), 1);
}

// The worker books a call's remote id while it runs (a kill -9 gives no abort): the runner
// reports the queue ticket once, as soon as the submit's answer carried it, and a call resumed
// from that ticket (as after a crash) polls the same request instead of submitting again.
TEST_F(FalE2E, TicketIsReportedWhileRunningAndResumesAfterACrash) {
    HttpClient http;
    std::vector<TokenChange> changes;
    {
        JobRunner runner(http);
        runner.add(7,
                   find_image_provider("fal")->make_call(config(),
                                                         request("[[fault:latency=1500]] [[id:fe-ticket]]")),
                   0);
        const auto start = std::chrono::steady_clock::now();
        while (changes.empty() && ms_since(start) < 1000) {
            EXPECT_TRUE(runner.step(20).empty()); // still queued at fal: nothing finishes
            for (TokenChange &c : runner.take_token_changes())
                changes.push_back(std::move(c));
        }
        // More polls of the same request report nothing new.
        for (int i = 0; i < 5; ++i)
            runner.step(20);
        EXPECT_TRUE(runner.take_token_changes().empty());
        // The runner is destroyed here without abort_all(): what a killed worker leaves.
    }
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].id, 7);
    EXPECT_NE(changes[0].token.find("fal_request_id"), std::string::npos) << changes[0].token;
    EXPECT_EQ(server_->count("fe-ticket", "submit"), 1);

    ImageRequest again = request("[[fault:latency=1500]] [[id:fe-ticket]]");
    again.resume_token = changes[0].token;
    const Outcome o = run(again);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(server_->count("fe-ticket", "submit"), 1);
}

TEST_F(FalE2E, DeadlineCancelsTheQueuedRequest) {
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = run(request("[[fault:latency=5000]] [[id:fe-deadline]]"), config(), 300);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "deadline");
    EXPECT_LT(ms_since(start), 1500);
    EXPECT_EQ(server_->count("fe-deadline", "cancel"), 1);
}

TEST_F(FalE2E, ManyJobsProgressConcurrently) {
    server_->control(R"({"latency_ms": 200})");
    HttpClient http;
    http.set_pool_limit("fal", 64);
    JobRunner runner(http);
    ProviderConfig c = config();
    c.poll_interval_ms = 100;
    for (int i = 0; i < 32; ++i)
        runner.add(
            i, find_image_provider("fal")->make_call(c, request("job [[id:fe-c" + std::to_string(i) + "]]")),
            20000);
    const auto start = std::chrono::steady_clock::now();
    const auto finished = runner.run();
    const double took = ms_since(start);
    ASSERT_EQ(finished.size(), 32u);
    for (const auto &f : finished)
        EXPECT_TRUE(f.outcome.success()) << f.outcome.message;
    std::printf("[ figures  ] 32 fal jobs x 200 ms processing, 100 ms polls, pool 64: %.0f ms\n", took);
    EXPECT_LT(took, 1500);
}

} // namespace
} // namespace rolloy::providers

namespace rolloy::providers {
namespace {

// A measurement, not a check: run with --gtest_also_run_disabled_tests.
TEST_F(FalE2E, DISABLED_Throughput1000ImagesAt64) {
    server_->control(R"({"latency_ms": 200, "image_px": 256})");
    HttpClient http;
    http.set_pool_limit("fal", 64);
    JobRunner runner(http);
    ProviderConfig c = config();
    c.poll_interval_ms = 100;
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    int next = 0, ok = 0, requests = 0;
    while (next < 1000 || runner.active() > 0) {
        while (next < 1000 && runner.active() < 64) {
            ImageRequest r = request("bench");
            r.seed = next;
            runner.add(next, find_image_provider("fal")->make_call(c, r), 60000);
            ++next;
        }
        for (const auto &f : runner.step(100)) {
            ok += f.outcome.success() ? 1 : 0;
            requests += f.outcome.http_requests;
        }
    }
    const double took = ms_since(start);
    std::printf("[ figures  ] client CPU for the batch: %.0f ms\n",
                1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    std::printf("[ figures  ] 1000 fal jobs, 64 in flight, 200 ms processing, 100 ms polls: %.0f ms "
                "(%.0f jobs/s), %d ok, %.1f HTTP requests/job\n",
                took, 1000 / (took / 1000), ok, requests / 1000.0);
    EXPECT_EQ(ok, 1000);
    server_->control(R"({"latency_ms": 150, "image_px": 64})");
}

} // namespace
} // namespace rolloy::providers
