// Flux on Replicate end to end: the prediction state machine through JobRunner + HttpClient
// against fake_replicate.py (create with Prefer: wait, polling, delivery downloads, faults).
// The fake counts "created" predictions per key: each one could be billed, so most tests
// check that an image cost exactly one.
#include "core/providers/job_runner.hpp"
#include "core/providers/replicate_api.hpp"
#include "core/providers/registry.hpp"
#include "core/providers/replicate_flux.hpp"
#include "core/providers/replicate_reconcile.hpp"
#include "core/providers/retry_policy.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

namespace rolloy::providers::replicate {
namespace {

using testing::ms_since;

constexpr const char *kKey = "r8_E2Ee2eE2Ee2eSECRET";
constexpr char kFakeReplicate[] = "fake_replicate.py";

class ReplicateE2E : public testing::FakeServerSuite<kFakeReplicate, 150> {
  protected:
    static ProviderConfig config() {
        ProviderConfig c;
        c.base_url = server_->base_url();
        c.model = "black-forest-labs/flux-dev";
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
        r.strength = 0.8;
        r.seed = 42;
        return r;
    }

    static Outcome run(const ImageRequest &r, ProviderConfig c = config(), std::int64_t deadline_ms = 20000) {
        HttpClient http;
        return run_call(http, image_provider().make_call(c, r), deadline_ms);
    }

    static ProviderConfig polling() {
        ProviderConfig c = config();
        c.options["prefer_wait"] = "0";
        return c;
    }

    static int count(const std::string &key, const std::string &what) { return server_->count(key, what); }
};

TEST_F(ReplicateE2E, PreferWaitReturnsTheFinishedPrediction) {
    const Outcome o = run(request("a watercolor fox [[id:re-ok]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(o.image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(o.image_mime, "image/png");
    EXPECT_EQ(o.request_id.size(), 26u);
    EXPECT_EQ(o.http_requests, 2); // create (held until done) + download
    EXPECT_GE(o.latency_ms, 140);
    EXPECT_EQ(count("re-ok", "created"), 1);
    EXPECT_EQ(count("re-ok", "get"), 0);
    EXPECT_EQ(count("re-ok", "download"), 1);
    EXPECT_EQ(count("re-ok", "download_with_key"), 0); // the delivery origin never sees the key
}

TEST_F(ReplicateE2E, SlowCreateOutlivesPreferWaitAndIsPolled) {
    ProviderConfig c = config();
    c.options["prefer_wait"] = "1";
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = run(request("[[fault:latency=1600]] [[id:re-slow]]"), c);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_GE(ms_since(start), 1500);
    EXPECT_EQ(count("re-slow", "create"), 1);
    EXPECT_EQ(count("re-slow", "created"), 1);
    EXPECT_GE(count("re-slow", "get"), 2); // processing, then succeeded
}

TEST_F(ReplicateE2E, WithoutPreferWaitEverythingIsPolled) {
    const Outcome o = run(request("[[id:re-poll]]"), polling());
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_GE(count("re-poll", "get"), 2); // starting/processing before succeeded
    EXPECT_EQ(count("re-poll", "created"), 1);
}

TEST_F(ReplicateE2E, ThrottledCreateIsRetriedByTheWorkerPolicyAndPaidOnce) {
    const RetryPolicy policy({10, 100, 5, 2000});
    int attempts = 0;
    Outcome o;
    for (;;) {
        o = run(request("[[fault:429x2:retry_after=1]] [[id:re-429]]"));
        ++attempts;
        const auto d = policy.decide(o, attempts);
        if (!d.retry) break;
        EXPECT_EQ(d.delay_ms, 1000); // Retry-After
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(o.success()) << o.message;
    EXPECT_EQ(attempts, 3);
    EXPECT_EQ(count("re-429", "create"), 3);
    EXPECT_EQ(count("re-429", "created"), 1);
}

TEST_F(ReplicateE2E, RefusedCreatesArePermanentAndCreateNothing) {
    for (const char *code : {"402", "422", "404"}) {
        const std::string key = std::string("re-") + code;
        const Outcome o = run(request(std::string("[[fault:") + code + "]] [[id:" + key + "]]"));
        EXPECT_EQ(o.kind, OutcomeKind::Permanent) << code;
        EXPECT_EQ(o.http_status, std::atoi(code));
        EXPECT_EQ(count(key, "created"), 0);
    }
    const Outcome o = run(request("[[fault:402]] [[id:re-402b]]"));
    EXPECT_NE(o.message.find("You have insufficient credit to run this model"), std::string::npos)
        << o.message;
    // The fake's own input validation answers like Replicate.
    ImageRequest r = request("[[id:re-strength]]");
    r.strength = 1.5;
    const Outcome bad = run(r);
    EXPECT_EQ(bad.http_status, 422);
    EXPECT_NE(bad.message.find("input.prompt_strength: Must be less than or equal to 1"), std::string::npos)
        << bad.message;
}

TEST_F(ReplicateE2E, WrongTokenIsAConfigurationErrorAndStaysSecret) {
    ProviderConfig c = config();
    c.api_key = "";
    Outcome o = run(request("x [[id:re-nokey]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 401);
    o = run(request("[[fault:401]] [[fault:echo_key]] [[id:re-echo]]"));
    EXPECT_EQ(o.http_status, 401);
    EXPECT_EQ(o.message.find(kKey), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("[redacted]"), std::string::npos) << o.message;
}

// The fake makes the prediction, then the answer is lost: the call finds it in the list and
// finishes it; nothing is created twice.
TEST_F(ReplicateE2E, LostCreateAnswersAreFoundNotSentAgain) {
    ProviderConfig hung = polling();
    hung.request_timeout_ms = 400;
    const std::pair<const char *, ProviderConfig> cases[] = {
        {"drop", config()}, {"created_502", config()}, {"created_500", config()}, {"hang", hung}};
    for (const auto &[fault, c] : cases) {
        const std::string key = std::string("re-lost-") + fault;
        const Outcome o = run(request(std::string("[[fault:") + fault + "]] [[id:" + key + "]]"), c);
        EXPECT_TRUE(o.success()) << fault << ": " << o.message;
        EXPECT_EQ(count(key, "create"), 1) << fault;
        EXPECT_EQ(count(key, "created"), 1) << fault; // one prediction exists, and only one
    }
}

// Stopped (worker shutdown) or cut (job deadline) while a slow Prefer: wait create is in
// flight: the outcome carries the pending create, and the next attempt finds that prediction
// in the list and finishes it instead of creating a second one.
TEST_F(ReplicateE2E, CreateStoppedInFlightIsFoundByTheNextAttempt) {
    ProviderConfig c = config();
    c.options["prefer_wait"] = "5";
    for (const bool deadline : {false, true}) {
        const std::string key = deadline ? "re-inflight-deadline" : "re-inflight-abort";
        const std::string prompt = "[[fault:latency=1500]] [[id:" + key + "]]";
        HttpClient http;
        Outcome first;
        {
            JobRunner runner(http);
            runner.add(1, image_provider().make_call(c, request(prompt)), deadline ? 400 : 0);
            const auto start = std::chrono::steady_clock::now();
            const auto finished = runner.run([&] { return !deadline && ms_since(start) > 400; });
            ASSERT_EQ(finished.size(), 1u);
            first = finished[0].outcome;
        }
        EXPECT_EQ(first.error_code, deadline ? "deadline" : "aborted") << first.message;
        ASSERT_TRUE(decode_pending(first.resume_token)) << first.resume_token;
        EXPECT_EQ(count(key, "created"), 1);
        ImageRequest again = request(prompt);
        again.resume_token = first.resume_token;
        const Outcome o = run(again, c);
        ASSERT_TRUE(o.success()) << o.message;
        EXPECT_EQ(count(key, "create"), 1);
        EXPECT_EQ(count(key, "created"), 1);
        EXPECT_GE(count("_list", "list"), 1);
    }
}

// Newer predictions push ours to a later page: the cursor is followed (a page of one here).
TEST_F(ReplicateE2E, ReconciliationFollowsTheListCursor) {
    auto page_size = [](int n) {
        HttpClient http;
        HttpRequest req;
        req.method = HttpMethod::Post;
        req.url = server_->base_url() + "/_replicate";
        req.body = "{\"page_size\": " + std::to_string(n) + "}";
        http.perform({req});
    };
    ProviderConfig c = config();
    c.options["prefer_wait"] = "5";
    const std::string prompt = "[[fault:latency=600]] [[id:re-cursor]]";
    HttpClient http;
    Outcome first;
    {
        JobRunner runner(http);
        runner.add(1, image_provider().make_call(c, request(prompt)), 200); // the deadline cuts the create
        first = runner.run().at(0).outcome;
    }
    ASSERT_TRUE(decode_pending(first.resume_token)) << first.message;
    for (int i = 0; i < 3; ++i) // three newer predictions
        ASSERT_TRUE(run(request("[[id:re-cursor-newer" + std::to_string(i) + "]]")).success());
    const int lists = count("_list", "list");
    page_size(1);
    ImageRequest again = request(prompt);
    again.resume_token = first.resume_token;
    const Outcome o = run(again, c);
    page_size(100);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_GE(count("_list", "list") - lists, 4); // pages 1-3 hold the newer ones
    EXPECT_EQ(count("re-cursor", "create"), 1);
}

// The registry's model options: flux-dev asks for exactly one output, kontext gets its
// reference as input_image and no num_outputs (the fake refuses both otherwise, as Replicate).
TEST_F(ReplicateE2E, ModelOptionsFromTheRegistry) {
    ProviderConfig dev = config();
    apply_model_options("replicate", dev);
    Outcome o = run(request("[[id:re-dev-n]]"), dev);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-dev-n", "num_outputs=1"), 1);
    ProviderConfig kontext = config();
    kontext.model = "black-forest-labs/flux-kontext-pro";
    o = run(request("[[id:re-kontext-raw]]"), kontext); // without the registry: image, refused
    EXPECT_EQ(o.http_status, 422);
    EXPECT_NE(o.message.find("Additional property image is not allowed"), std::string::npos) << o.message;
    apply_model_options("replicate", kontext);
    o = run(request("[[id:re-kontext]]"), kontext);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-kontext", "num_outputs=unset"), 1);
    EXPECT_EQ(count("re-kontext", "created"), 1);
}

TEST_F(ReplicateE2E, CancelAfterStopsAnOrphan) {
    ProviderConfig c = polling();
    c.options["cancel_after"] = "5";
    const Outcome o = run(request("[[fault:latency=8000]] [[id:re-cancel-after]]"), c);
    EXPECT_EQ(o.error_code, "prediction_canceled") << o.message;
    EXPECT_EQ(count("re-cancel-after", "cancel_after=5s"), 1);
}

TEST_F(ReplicateE2E, CreateThatCouldNotConnectIsTransient) {
    ProviderConfig c = config();
    c.base_url = "http://127.0.0.1:1"; // nothing listens: the request never left
    const Outcome o = run(request("x"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Transient) << o.message;
    EXPECT_FALSE(o.outcome_unknown()) << o.message;
}

TEST_F(ReplicateE2E, PollHiccupsAreAbsorbedInsideOneCall) {
    const Outcome o =
        run(request("[[fault:get_503x2]] [[fault:get_429x1:retry_after=0]] [[id:re-get]]"), polling());
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-get", "created"), 1);
    EXPECT_GE(count("re-get", "get"), 3);
}

TEST_F(ReplicateE2E, SafetyChecker) {
    ImageRequest two = request("[[fault:nsfw=1]] [[id:re-nsfw1]]");
    ProviderConfig c = config();
    c.options["num_outputs"] = "2";
    Outcome o = run(two, c); // one of two dropped: the other is the image
    ASSERT_TRUE(o.success()) << o.message;
    o = run(request("[[fault:nsfw=1]] [[id:re-nsfw-all]]")); // the only one dropped: failed
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "content_flagged");
    EXPECT_NE(o.message.find("NSFW"), std::string::npos) << o.message;
    o = run(request("[[fault:empty_output]] [[id:re-empty]]"));
    EXPECT_EQ(o.error_code, "content_flagged");
    EXPECT_EQ(count("re-empty", "download"), 0);
}

TEST_F(ReplicateE2E, TerminalStatusesAndOutputShapes) {
    Outcome o = run(request("[[fault:fail]] [[id:re-fail]]"));
    EXPECT_EQ(o.error_code, "prediction_failed");
    EXPECT_NE(o.message.find("CUDA out of memory"), std::string::npos) << o.message;
    o = run(request("[[fault:canceled]] [[id:re-canceled]]"));
    EXPECT_EQ(o.error_code, "prediction_canceled");
    o = run(request("[[fault:aborted]] [[id:re-aborted]]"));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "prediction_aborted");
    ProviderConfig pro = config();
    pro.model = "black-forest-labs/flux-kontext-pro";
    pro.options["image_input"] = "input_image";
    o = run(request("[[id:re-pro]]"), pro); // output is a single URL string
    ASSERT_TRUE(o.success()) << o.message;
    o = run(request("[[fault:data_uri]] [[id:re-data]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-data", "download"), 0);
}

TEST_F(ReplicateE2E, DownloadFaults) {
    Outcome o = run(request("[[fault:download_503x1]] [[id:re-dl503]]"));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-dl503", "download"), 2);
    ProviderConfig c = config();
    c.max_image_bytes = 50000;
    o = run(request("[[fault:big=200000]] [[id:re-big]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "too_large");
    c = config();
    c.options["step_retries"] = "1";
    o = run(request("[[fault:notimagex2]] [[id:re-html]]"), c);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "not_image");
    ASSERT_FALSE(o.resume_token.empty()); // the next attempt fetches the paid image again
    ImageRequest again = request("[[fault:notimagex2]] [[id:re-html]]");
    again.resume_token = o.resume_token;
    o = run(again);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-html", "created"), 1);
}

TEST_F(ReplicateE2E, ForeignUrlsNeverReceiveTheKey) {
    const Outcome o = run(request("[[fault:foreign_url]] [[id:re-foreign]]"), polling());
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "untrusted_url");
    EXPECT_EQ(count("re-foreign", "get"), 0);
}

TEST_F(ReplicateE2E, AbortedJobResumesWithoutPayingTwice) {
    HttpClient http;
    Outcome first;
    {
        JobRunner runner(http);
        runner.add(
            1, image_provider().make_call(polling(), request("[[fault:latency=1500]] [[id:re-resume]]")), 0);
        const auto start = std::chrono::steady_clock::now();
        const auto finished = runner.run([&] { return ms_since(start) > 300; });
        ASSERT_EQ(finished.size(), 1u);
        first = finished[0].outcome;
    }
    ASSERT_TRUE(first.aborted());
    ASSERT_FALSE(first.resume_token.empty());
    ImageRequest again = request("[[fault:latency=1500]] [[id:re-resume]]");
    again.resume_token = first.resume_token;
    const Outcome o = run(again);
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(count("re-resume", "create"), 1);
    EXPECT_EQ(count("re-resume", "created"), 1);
}

TEST_F(ReplicateE2E, ExpiredResumeFailsClearly) {
    const Outcome first = [] {
        HttpClient http;
        JobRunner runner(http);
        runner.add(1,
                   image_provider().make_call(
                       polling(), request("[[fault:expired]] [[fault:latency=1500]] [[id:re-exp]]")),
                   0);
        const auto start = std::chrono::steady_clock::now();
        return runner.run([&] { return ms_since(start) > 300; }).at(0).outcome;
    }();
    auto ticket = decode_ticket(first.resume_token);
    ASSERT_TRUE(ticket) << first.message;
    ticket->created_at -= 2 * 3600; // as if the worker came back two hours later
    ImageRequest again = request("[[fault:expired]] [[fault:latency=1500]] [[id:re-exp]]");
    again.resume_token = encode_ticket(*ticket);
    const Outcome o = run(again);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "output_expired");
    EXPECT_EQ(count("re-exp", "created"), 1);
}

TEST_F(ReplicateE2E, DeadlineCancelsThePrediction) {
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = run(request("[[fault:latency=5000]] [[id:re-deadline]]"), polling(), 400);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "deadline");
    EXPECT_LT(ms_since(start), 2000);
    EXPECT_EQ(count("re-deadline", "cancel"), 1);
}

TEST_F(ReplicateE2E, ManyJobsProgressConcurrently) {
    HttpClient http;
    http.set_pool_limit("replicate", 64);
    JobRunner runner(http);
    for (int i = 0; i < 32; ++i)
        runner.add(i,
                   image_provider().make_call(config(), request("job [[id:re-c" + std::to_string(i) + "]]")),
                   20000);
    const auto start = std::chrono::steady_clock::now();
    const auto finished = runner.run();
    const double took = ms_since(start);
    ASSERT_EQ(finished.size(), 32u);
    for (const auto &f : finished)
        EXPECT_TRUE(f.outcome.success()) << f.outcome.message;
    std::printf("[ figures  ] 32 replicate jobs x 150 ms, Prefer: wait, pool 64: %.0f ms\n", took);
    EXPECT_LT(took, 3000);
}

} // namespace
} // namespace rolloy::providers::replicate

namespace rolloy::providers::replicate {
namespace {

// libcurl re-sends a request by itself when a reused connection dies before any answer byte
// (it takes the connection for stale): for a create that reached Replicate that would be a
// second, billed prediction. The create must go out once even on a warm connection.
TEST_F(ReplicateE2E, DroppedCreateOnAReusedConnectionIsNotResent) {
    HttpClient http; // one client: the second create reuses the first one's connection
    ASSERT_TRUE(run_call(http, image_provider().make_call(config(), request("warm [[id:re-warm]]")), 20000)
                    .success());
    const Outcome o = run_call(
        http, image_provider().make_call(config(), request("[[fault:drop]] [[id:re-reuse]]")), 20000);
    EXPECT_TRUE(o.success()) << o.message; // found in the list, not created again
    EXPECT_EQ(count("re-reuse", "create"), 1);
    EXPECT_EQ(count("re-reuse", "created"), 1);
}

} // namespace
} // namespace rolloy::providers::replicate
