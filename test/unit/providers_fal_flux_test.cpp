// The fal state machine driven by hand with canned responses: no network.
#include "core/providers/fal_api.hpp"
#include "core/providers/fal_flux.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers::fal {
namespace {

using testing::read_fixture;
using testing::response;

const std::string kRequestUrl =
    "https://queue.fal.run/fal-ai/flux/requests/80e732af-660e-45cd-bd63-580e4f2a94cc";

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://queue.fal.run";
    c.model = "fal-ai/flux/dev/image-to-image";
    c.api_key = "fal-key-123:secret";
    c.poll_interval_ms = 500;
    c.max_image_bytes = 1234567;
    return c;
}

ImageRequest request() {
    ImageRequest r;
    r.prompt = "a watercolor fox";
    r.reference = "PNGDATA";
    r.reference_mime = "image/png";
    r.seed = 42;
    return r;
}

bool has_key(const HttpRequest &req) {
    for (const auto &[name, value] : req.headers)
        if (value.find("fal-key-123") != std::string::npos) return true;
    return false;
}

// Drives a call through submit and the first poll.
std::unique_ptr<ProviderCall> submitted() {
    auto call = image_provider().make_call(config(), request());
    const Action submit = call->start();
    EXPECT_EQ(submit.type, Action::Type::Send);
    EXPECT_EQ(submit.request.url, "https://queue.fal.run/fal-ai/flux/dev/image-to-image");
    const Action poll = call->on_response(response(200, read_fixture("fal_submit.json")));
    EXPECT_EQ(poll.type, Action::Type::Send);
    EXPECT_EQ(poll.request.url, kRequestUrl + "/status");
    EXPECT_EQ(poll.delay_ms, 500);
    return call;
}

TEST(FalFlux, HappyPathSubmitPollResultDownload) {
    auto call = submitted();
    Action a = call->on_response(response(202, read_fixture("fal_status_in_queue.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, kRequestUrl + "/status");
    EXPECT_EQ(a.delay_ms, 500);
    a = call->on_response(response(202, read_fixture("fal_status_in_progress.json")));
    EXPECT_EQ(a.request.url, kRequestUrl + "/status");
    a = call->on_response(response(200, read_fixture("fal_status_completed.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, kRequestUrl);
    EXPECT_EQ(a.delay_ms, 0);
    EXPECT_TRUE(has_key(a.request));
    a = call->on_response(response(200, read_fixture("fal_result.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://v3.fal.media/files/rabbit/abc.jpeg");
    EXPECT_FALSE(has_key(a.request)); // the CDN never sees the key
    EXPECT_TRUE(a.request.headers.empty());
    EXPECT_EQ(a.request.limits.max_response_bytes, 1234567);
    EXPECT_EQ(a.request.limits.follow_redirects, true);
    a = call->on_response(response(200, "JPEGBYTES", {{"content-type", "image/jpeg; charset=binary"}}));
    ASSERT_EQ(a.type, Action::Type::Finish);
    const Outcome &o = a.outcome;
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(o.image, "JPEGBYTES");
    EXPECT_EQ(o.image_mime, "image/jpeg");
    EXPECT_EQ(o.image_width, 1024);
    EXPECT_EQ(o.image_height, 768);
    EXPECT_EQ(o.request_id, "80e732af-660e-45cd-bd63-580e4f2a94cc");
}

TEST(FalFlux, RefusesToSendTheKeyToAnotherOrigin) {
    auto call = image_provider().make_call(config(), request());
    call->start();
    std::string ticket = read_fixture("fal_submit.json");
    for (std::size_t p; (p = ticket.find("https://queue.fal.run")) != std::string::npos;)
        ticket.replace(p, 21, "https://evil.example");
    const Action a = call->on_response(response(200, ticket));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.error_code, "untrusted_url");
}

TEST(FalFlux, SubmitFailuresAreReturnedForTheWorkerToRetry) {
    auto call = image_provider().make_call(config(), request());
    call->start();
    Action a =
        call->on_response(response(503, R"({"detail":"Runner disconnected"})", {{"retry-after", "3"}}));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Transient);
    EXPECT_EQ(a.outcome.retry_after_ms, 3000);
    EXPECT_TRUE(a.outcome.resume_token.empty()); // nothing was accepted: resubmit

    call = image_provider().make_call(config(), request());
    call->start();
    a = call->on_response(
        response(401, R"({"detail":"No user found for Key ID and Secret fal-key-123:secret"})"));
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.message.find("fal-key-123:secret"), std::string::npos) << a.outcome.message;
}

TEST(FalFlux, PollFailuresRetryInsideTheCallWithGrowingDelays) {
    auto call = submitted();
    Action a = call->on_response(response(503, "{}"));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.delay_ms, 500);
    HttpResponse timeout;
    timeout.transport_error = TransportError::Timeout;
    a = call->on_response(timeout);
    EXPECT_EQ(a.delay_ms, 1000);
    a = call->on_response(response(429, "{}", {{"retry-after", "7"}}));
    EXPECT_EQ(a.delay_ms, 7000); // the server's wish beats the 2 s backoff
    a = call->on_response(response(200, read_fixture("fal_status_completed.json")));
    EXPECT_EQ(a.request.url, kRequestUrl);
}

TEST(FalFlux, PersistentPollFailureCarriesAResumeToken) {
    ProviderConfig c = config();
    c.options["step_retries"] = "1";
    auto call = image_provider().make_call(c, request());
    call->start();
    call->on_response(response(200, read_fixture("fal_submit.json")));
    EXPECT_EQ(call->on_response(response(502, "{}")).type, Action::Type::Send);
    const Action a = call->on_response(response(502, "{}"));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Transient);
    ASSERT_FALSE(a.outcome.resume_token.empty());

    // The next attempt resumes polling the same request instead of paying for a new one.
    ImageRequest again = request();
    again.resume_token = a.outcome.resume_token;
    auto resumed = image_provider().make_call(c, again);
    const Action first = resumed->start();
    ASSERT_EQ(first.type, Action::Type::Send);
    EXPECT_EQ(first.request.method, HttpMethod::Get);
    EXPECT_EQ(first.request.url, kRequestUrl + "/status");
}

TEST(FalFlux, ResumeTokenForAnotherOriginIsIgnored) {
    QueueTicket t;
    t.status_url = "https://evil.example/x/status";
    t.response_url = "https://evil.example/x";
    ImageRequest r = request();
    r.resume_token = encode_ticket(t);
    auto call = image_provider().make_call(config(), r);
    const Action a = call->start();
    EXPECT_EQ(a.request.method, HttpMethod::Post); // submits anew
    EXPECT_EQ(a.request.url, "https://queue.fal.run/fal-ai/flux/dev/image-to-image");
}

TEST(FalFlux, LostRequestIsTransientWithoutToken) {
    auto call = submitted();
    const Action a = call->on_response(response(404, R"({"detail":"Request not found"})"));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Transient);
    EXPECT_EQ(a.outcome.error_code, "request_lost");
    EXPECT_TRUE(a.outcome.resume_token.empty());
}

TEST(FalFlux, ModelErrorsFromTheResultArePermanent) {
    auto call = submitted();
    call->on_response(response(200, read_fixture("fal_status_completed.json")));
    const Action a = call->on_response(response(422, read_fixture("fal_422_detail.json")));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_NE(a.outcome.message.find("body.image_url: Failed to download the file"), std::string::npos);
    EXPECT_EQ(a.outcome.request_id, "80e732af-660e-45cd-bd63-580e4f2a94cc");
}

TEST(FalFlux, SafetyCheckerFlagIsPermanent) {
    auto call = submitted();
    call->on_response(response(200, read_fixture("fal_status_completed.json")));
    const Action a = call->on_response(response(200, read_fixture("fal_result_nsfw.json")));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.error_code, "content_flagged");
}

TEST(FalFlux, DataUriResultNeedsNoDownload) {
    auto call = submitted();
    call->on_response(response(200, read_fixture("fal_status_completed.json")));
    const Action a = call->on_response(
        response(200, R"({"images":[{"url":"data:image/png;base64,iVBORw0K","width":2,"height":2}]})"));
    ASSERT_EQ(a.type, Action::Type::Finish);
    ASSERT_TRUE(a.outcome.success());
    EXPECT_EQ(a.outcome.image, std::string("\x89PNG\r\n", 6));
    EXPECT_EQ(a.outcome.image_mime, "image/png");
}

TEST(FalFlux, OversizedDownloadIsPermanent) {
    auto call = submitted();
    call->on_response(response(200, read_fixture("fal_status_completed.json")));
    call->on_response(response(200, read_fixture("fal_result.json")));
    HttpResponse big;
    big.transport_error = TransportError::TooLarge;
    big.error = "response larger than the limit of 1234567 bytes";
    const Action a = call->on_response(big);
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.message, "fal image download: response larger than the limit of 1234567 bytes");
}

TEST(FalFlux, CancelRequestOnlyWhilePolling) {
    auto call = image_provider().make_call(config(), request());
    call->start();
    EXPECT_FALSE(call->cancel_request());
    call->on_response(response(200, read_fixture("fal_submit.json")));
    const auto cancel = call->cancel_request();
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->method, HttpMethod::Put);
    EXPECT_EQ(cancel->url, kRequestUrl + "/cancel");
    EXPECT_TRUE(has_key(*cancel));
    EXPECT_FALSE(call->resume_token().empty());
}

} // namespace
} // namespace rolloy::providers::fal
