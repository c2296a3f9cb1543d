// The Replicate state machine driven by hand with canned responses: no network.
#include "core/providers/replicate_api.hpp"
#include "core/providers/replicate_flux.hpp"
#include "core/providers/replicate_reconcile.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace rolloy::providers::replicate {
namespace {

using testing::read_fixture;
using testing::response;

const std::string kKey = "r8_TESTKEY0123456789";
const std::string kGet = "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu";
const std::string kCreateUrl = "https://api.replicate.com/v1/models/black-forest-labs/flux-dev/predictions";

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://api.replicate.com";
    c.model = "black-forest-labs/flux-dev";
    c.api_key = kKey;
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
        if (value.find(kKey) != std::string::npos) return true;
    return false;
}

HttpResponse transport(TransportError e, std::string message) {
    HttpResponse r;
    r.transport_error = e;
    r.error = std::move(message);
    return r;
}

std::unique_ptr<ProviderCall> started(ProviderConfig c = config(), ImageRequest r = request()) {
    auto call = image_provider().make_call(c, std::move(r));
    const Action a = call->start();
    EXPECT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, kCreateUrl);
    return call;
}

// Drives a call through a create whose Prefer: wait ran out (status starting).
std::unique_ptr<ProviderCall> created(ProviderConfig c = config()) {
    auto call = started(c);
    EXPECT_FALSE(decode_ticket(call->resume_token())); // no id yet: the pending create only
    EXPECT_TRUE(decode_pending(call->resume_token()));
    const Action poll = call->on_response(response(201, read_fixture("replicate_prediction_starting.json")));
    EXPECT_EQ(poll.type, Action::Type::Send);
    EXPECT_EQ(poll.request.method, HttpMethod::Get);
    EXPECT_EQ(poll.request.url, kGet);
    EXPECT_EQ(poll.delay_ms, 500);
    EXPECT_TRUE(has_key(poll.request));
    return call;
}

Outcome finish_with(ProviderCall &call, HttpResponse r) {
    const Action a = call.on_response(std::move(r));
    EXPECT_EQ(a.type, Action::Type::Finish);
    return a.outcome;
}

TEST(ReplicateFlux, PreferWaitAnswerNeedsNoPolling) {
    auto call = started();
    Action a = call->on_response(response(201, read_fixture("replicate_prediction_succeeded.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://replicate.delivery/xezq/abc123/out-0.jpg");
    EXPECT_FALSE(has_key(a.request)); // the delivery host never sees the key
    EXPECT_TRUE(a.request.headers.empty());
    EXPECT_EQ(a.request.limits.max_response_bytes, 1234567);
    EXPECT_EQ(a.request.limits.follow_redirects, true);
    EXPECT_FALSE(call->resume_token().empty()); // the prediction is paid for: a later attempt fetches it
    const Outcome o = finish_with(*call, response(200, "JPEGBYTES", {{"content-type", "image/jpeg"}}));
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(o.image, "JPEGBYTES");
    EXPECT_EQ(o.image_mime, "image/jpeg");
    EXPECT_EQ(o.request_id, "gm3qorzdhgbfurvjtvhg6dckhu");
    EXPECT_EQ(o.http_status, 200);
}

TEST(ReplicateFlux, PollsUntilSucceeded) {
    auto call = created();
    const std::string token = call->resume_token();
    const auto ticket = decode_ticket(token);
    ASSERT_TRUE(ticket);
    EXPECT_EQ(ticket->id, "gm3qorzdhgbfurvjtvhg6dckhu");
    EXPECT_EQ(ticket->get_url, kGet);
    EXPECT_EQ(ticket->cancel_url, kGet + "/cancel");
    EXPECT_LE(std::abs(ticket->created_at - static_cast<std::int64_t>(std::time(nullptr))), 5);
    Action a = call->on_response(response(200, read_fixture("replicate_prediction_starting.json")));
    EXPECT_EQ(a.request.url, kGet);
    EXPECT_EQ(a.delay_ms, 500);
    a = call->on_response(response(200, read_fixture("replicate_prediction_processing.json")));
    EXPECT_EQ(a.request.url, kGet);
    a = call->on_response(response(200, read_fixture("replicate_prediction_succeeded_single.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://replicate.delivery/xezq/def456/tmpabc.png"); // single URL output
    EXPECT_EQ(a.delay_ms, 0);
    const Outcome o = finish_with(*call, response(200, "PNGBYTES")); // no content type: from the URL
    ASSERT_TRUE(o.success()) << o.message;
    EXPECT_EQ(o.image_mime, "image/png");
}

TEST(ReplicateFlux, NoPreferHeaderWhenWaitIsZero) {
    ProviderConfig c = config();
    c.options["prefer_wait"] = "0";
    auto call = image_provider().make_call(c, request());
    const Action a = call->start();
    for (const auto &[name, value] : a.request.headers)
        EXPECT_NE(name, "Prefer");
}

TEST(ReplicateFlux, SafetyCheckerShortOutputKeepsTheImageItKept) {
    auto call = created();
    const Action a =
        call->on_response(response(200, read_fixture("replicate_prediction_succeeded_short.json")));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://replicate.delivery/xezq/abc123/out-1.webp");
    const Outcome o = finish_with(*call, response(200, "RIFF....WEBP", {{"content-type", "image/webp"}}));
    EXPECT_TRUE(o.success()) << o.message;
}

TEST(ReplicateFlux, EmptyOutputIsAContentRefusal) {
    auto call = created();
    const Outcome o =
        finish_with(*call, response(200, read_fixture("replicate_prediction_succeeded_empty.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "content_flagged");
    EXPECT_TRUE(o.resume_token.empty());
    EXPECT_EQ(o.request_id, "gm3qorzdhgbfurvjtvhg6dckhu");
}

TEST(ReplicateFlux, TerminalFailures) {
    struct Case {
        const char *fixture;
        OutcomeKind kind;
        const char *code;
        const char *says;
    };
    const Case cases[] = {
        {"replicate_prediction_failed_nsfw.json", OutcomeKind::Permanent, "content_flagged", "NSFW"},
        {"replicate_prediction_failed.json", OutcomeKind::Permanent, "prediction_failed", "E1001"},
        {"replicate_prediction_canceled.json", OutcomeKind::Permanent, "prediction_canceled", "canceled"},
        {"replicate_prediction_aborted.json", OutcomeKind::Transient, "prediction_aborted", "aborted"},
        {"replicate_prediction_expired.json", OutcomeKind::Permanent, "output_expired", "an hour"},
    };
    for (const Case &c : cases) {
        auto call = created();
        const Outcome o = finish_with(*call, response(200, read_fixture(c.fixture)));
        EXPECT_EQ(o.kind, c.kind) << c.fixture;
        EXPECT_EQ(o.error_code, c.code) << c.fixture;
        EXPECT_NE(o.message.find(c.says), std::string::npos) << o.message;
        EXPECT_TRUE(o.resume_token.empty()) << c.fixture; // nothing left to continue
    }
}

TEST(ReplicateFlux, TerminalAnswerToTheCreateItself) {
    auto call = started();
    const Outcome o =
        finish_with(*call, response(201, read_fixture("replicate_prediction_failed_nsfw.json")));
    EXPECT_EQ(o.error_code, "content_flagged");
}

TEST(ReplicateFlux, CreateThrottledIsTransientWithRetryAfter) {
    auto call = started();
    const Outcome o =
        finish_with(*call, response(429, read_fixture("replicate_429.json"), {{"retry-after", "3"}}));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.retry_after_ms, 3000);
    EXPECT_EQ(o.http_status, 429);
    EXPECT_TRUE(o.resume_token.empty()); // nothing was created: a new create is safe
    EXPECT_FALSE(o.outcome_unknown());
}

TEST(ReplicateFlux, CreateRefusalsArePermanentWithTheProvidersDetail) {
    auto call = started();
    Outcome o = finish_with(*call, response(402, read_fixture("replicate_402.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 402);
    EXPECT_NE(o.message.find("You have insufficient credit to run this model"), std::string::npos)
        << o.message;
    call = started();
    o = finish_with(*call, response(422, read_fixture("replicate_422.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_NE(o.message.find("input.prompt_strength: Must be less than or equal to 1"), std::string::npos)
        << o.message;
    call = started();
    o = finish_with(*call, response(401, read_fixture("replicate_401.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 401);
    EXPECT_NE(o.message.find("rolloy.set_provider_key('replicate'"), std::string::npos) << o.message;
}

// A list page holding `entries` (prediction objects), newest first.
std::string page(const std::vector<std::string> &entries, const std::string &next = "") {
    std::string body = R"({"next":)" + (next.empty() ? std::string("null") : "\"" + next + "\"") +
                       R"(,"previous":null,"results":[)";
    for (std::size_t i = 0; i < entries.size(); ++i)
        body += (i ? "," : "") + entries[i];
    return body + "]}";
}

// The prediction our create made, as the list shows it: created just now, our input.
std::string ours(const std::string &id = "gm3qorzdhgbfurvjtvhg6dckhu", const std::string &seed = "42") {
    return R"({"id":")" + id +
           R"(","model":"black-forest-labs/flux-dev","status":"processing","created_at":")" +
           format_iso8601(static_cast<std::int64_t>(std::time(nullptr))) +
           R"(","input":{"prompt":"a watercolor fox","seed":)" + seed +
           R"(},"urls":{"get":"https://api.replicate.com/v1/predictions/)" + id +
           R"(","cancel":"https://api.replicate.com/v1/predictions/)" + id + R"(/cancel"}})";
}

std::string pending_token(std::int64_t sent_ago, std::int64_t settle_in) {
    PendingCreate p = pending_create(config(), request(), 0, 0);
    p.sent_at -= sent_ago;
    p.settle_at = static_cast<std::int64_t>(std::time(nullptr)) + settle_in;
    return encode_pending(p);
}

bool is_list(const Action &a) {
    return a.type == Action::Type::Send && a.request.method == HttpMethod::Get &&
           a.request.url.rfind("https://api.replicate.com/v1/predictions?created_after=", 0) == 0;
}

TEST(ReplicateFlux, CreateIsNamedBeforeItLeaves) {
    auto call = started();
    const auto pending = decode_pending(call->resume_token());
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->model, "black-forest-labs/flux-dev");
    EXPECT_EQ(pending->seed, std::optional<std::int64_t>(42));
    // The create may take its timeout (the longer of request_timeout_ms, 120 s here, and
    // Prefer: wait + 10 s); its prediction is listed within 30 s after that.
    EXPECT_EQ(pending->settle_at - pending->sent_at, 150);
    EXPECT_FALSE(call->cancel_request()); // no id: nothing to cancel yet
}

TEST(ReplicateFlux, CreateWithoutAnswerIsFoundInTheList) {
    const HttpResponse lost[] = {
        transport(TransportError::Timeout,
                  "Operation timed out after 70000 milliseconds with 0 bytes received"),
        transport(TransportError::Connect, "Empty reply from server"),
        transport(TransportError::TooLarge, "response larger than the limit of 10 bytes"),
        response(502, "<html>Bad gateway</html>"),
        response(500, R"({"detail":"Internal server error"})"),
        response(201, "{\"id\":"),                 // cut
        response(201, R"({"status":"starting"})"), // no id
    };
    for (const HttpResponse &r : lost) {
        auto call = started();
        Action a = call->on_response(r);
        ASSERT_TRUE(is_list(a)) << a.request.url << " " << a.outcome.message;
        EXPECT_TRUE(has_key(a.request));
        EXPECT_TRUE(decode_pending(call->resume_token())); // stopped now, the next attempt looks again
        // Newest first: another image's prediction, then ours.
        a = call->on_response(response(200, page({ours("zzzotherzzz", "7"), ours()})));
        ASSERT_EQ(a.type, Action::Type::Send);
        EXPECT_EQ(a.request.url, kGet); // polled by its id, never created again
        EXPECT_EQ(a.delay_ms, 0);
        const auto ticket = decode_ticket(call->resume_token());
        ASSERT_TRUE(ticket);
        EXPECT_EQ(ticket->id, "gm3qorzdhgbfurvjtvhg6dckhu");
        a = call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
        const Outcome o = finish_with(*call, response(200, "JPEGBYTES", {{"content-type", "image/jpeg"}}));
        EXPECT_TRUE(o.success()) << o.message;
    }
}

TEST(ReplicateFlux, CreateNotListedIsLookedForUntilItCannotArrive) {
    auto call = started();
    Action a = call->on_response(response(503, "{}"));
    ASSERT_TRUE(is_list(a));
    a = call->on_response(response(200, page({})));
    ASSERT_TRUE(is_list(a)); // it may still be on its way: list again once it cannot be
    EXPECT_GE(a.delay_ms, 30000);
    EXPECT_LE(a.delay_ms, 32000);
    EXPECT_TRUE(decode_pending(call->resume_token()));
}

TEST(ReplicateFlux, ResumedPendingCreateListsInsteadOfCreating) {
    ImageRequest r = request();
    r.resume_token = pending_token(40, 60);
    auto call = image_provider().make_call(config(), r);
    Action a = call->start();
    ASSERT_TRUE(is_list(a)) << a.request.url;
    a = call->on_response(response(200, page({ours()})));
    EXPECT_EQ(a.request.url, kGet);
}

TEST(ReplicateFlux, PendingCreateNotListedAfterItSettledCreatedNothing) {
    ImageRequest r = request();
    r.resume_token = pending_token(200, -5);
    auto call = image_provider().make_call(config(), r);
    ASSERT_TRUE(is_list(call->start()));
    const Outcome o = finish_with(*call, response(200, page({ours("zzzotherzzz", "7")})));
    EXPECT_EQ(o.kind, OutcomeKind::Transient) << o.message;
    EXPECT_EQ(o.error_code, "create_lost");
    EXPECT_TRUE(o.resume_token.empty()); // the next attempt creates
    EXPECT_NE(o.message.find("nothing was created or billed"), std::string::npos) << o.message;
}

TEST(ReplicateFlux, ListPagesFollowTheCursorOnTheApiOriginOnly) {
    ImageRequest r = request();
    r.resume_token = pending_token(10, -1);
    auto call = image_provider().make_call(config(), r);
    ASSERT_TRUE(is_list(call->start()));
    const std::string next = "https://api.replicate.com/v1/predictions?cursor=cD0yMDI2";
    Action a = call->on_response(response(200, page({ours("zzzotherzzz", "7")}, next)));
    EXPECT_EQ(a.request.url, next);
    a = call->on_response(response(200, page({ours()})));
    EXPECT_EQ(a.request.url, kGet);

    auto foreign = image_provider().make_call(config(), r);
    ASSERT_TRUE(is_list(foreign->start()));
    const Outcome o =
        finish_with(*foreign, response(200, page({}, "https://evil.example/v1/predictions?cursor=x")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_TRUE(o.outcome_unknown()) << o.message;
}

TEST(ReplicateFlux, ListFailures) {
    ImageRequest r = request();
    r.resume_token = pending_token(10, -1);
    ProviderConfig c = config();
    c.options["step_retries"] = "1";
    auto call = image_provider().make_call(c, r);
    ASSERT_TRUE(is_list(call->start()));
    Action a = call->on_response(response(503, "{}")); // retried within the attempt
    ASSERT_TRUE(is_list(a));
    Outcome o = finish_with(*call, response(200, "<html>")); // then transient, still pending
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_TRUE(decode_pending(o.resume_token));
    auto denied = image_provider().make_call(c, r);
    ASSERT_TRUE(is_list(denied->start()));
    o = finish_with(*denied, response(401, read_fixture("replicate_401.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent); // a person must look: it may exist and bill
    EXPECT_TRUE(o.outcome_unknown()) << o.message;
    EXPECT_NE(o.message.find("not created again"), std::string::npos) << o.message;
    auto huge = image_provider().make_call(c, r); // a page over max_response_bytes
    ASSERT_TRUE(is_list(huge->start()));
    o = finish_with(*huge, transport(TransportError::TooLarge, "response larger than the limit"));
    EXPECT_TRUE(o.outcome_unknown()) << o.message;
}

TEST(ReplicateFlux, CreateThatNeverLeftIsTransient) {
    for (const HttpResponse &r :
         {transport(TransportError::Connect, "Could not resolve host: api.replicate.com"),
          transport(TransportError::Connect,
                    "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect"),
          transport(TransportError::Timeout, "Connection timed out after 10001 milliseconds")}) {
        auto call = started();
        const Outcome o = finish_with(*call, r);
        EXPECT_EQ(o.kind, OutcomeKind::Transient) << o.message;
        EXPECT_FALSE(o.outcome_unknown());
    }
}

TEST(ReplicateFlux, PollFailuresRetryInsideTheCallThenCarryTheToken) {
    ProviderConfig c = config();
    c.options["step_retries"] = "3";
    auto call = created(c);
    Action a = call->on_response(response(503, "{}"));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, kGet);
    EXPECT_EQ(a.delay_ms, 500);
    a = call->on_response(transport(TransportError::Connect, "Recv failure: Connection reset by peer"));
    EXPECT_EQ(a.delay_ms, 1000);
    a = call->on_response(response(429, read_fixture("replicate_429.json"), {{"retry-after", "7"}}));
    EXPECT_EQ(a.delay_ms, 7000); // the server's wish beats the 2 s backoff
    const Outcome o = finish_with(*call, response(200, "<html>oops</html>"));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "malformed_response");
    const auto ticket = decode_ticket(o.resume_token);
    ASSERT_TRUE(ticket);
    EXPECT_EQ(ticket->id, "gm3qorzdhgbfurvjtvhg6dckhu");
}

TEST(ReplicateFlux, PollSuccessResetsTheStepBudget) {
    ProviderConfig c = config();
    c.options["step_retries"] = "1";
    auto call = created(c);
    EXPECT_EQ(call->on_response(response(503, "{}")).type, Action::Type::Send);
    EXPECT_EQ(call->on_response(response(200, read_fixture("replicate_prediction_processing.json"))).type,
              Action::Type::Send);
    EXPECT_EQ(call->on_response(response(503, "{}")).type, Action::Type::Send); // a fresh budget
}

TEST(ReplicateFlux, PollAuthFailureAndLostPredictionArePermanent) {
    auto call = created();
    Outcome o = finish_with(*call, response(401, read_fixture("replicate_401.json")));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    call = created();
    o = finish_with(*call,
                    response(404, R"({"detail":"The requested resource could not be found.","status":404})"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "prediction_lost");
}

TEST(ReplicateFlux, ResumeByTokenPollsInsteadOfCreating) {
    ImageRequest r = request();
    r.resume_token = created()->resume_token();
    auto call = image_provider().make_call(config(), r);
    Action a = call->start();
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.method, HttpMethod::Get);
    EXPECT_EQ(a.request.url, kGet);
    EXPECT_EQ(a.delay_ms, 0);
    EXPECT_TRUE(has_key(a.request));
    a = call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    EXPECT_EQ(a.request.url, "https://replicate.delivery/xezq/abc123/out-0.jpg");
    EXPECT_TRUE(finish_with(*call, response(200, "JPEG", {{"content-type", "image/jpeg"}})).success());
}

TEST(ReplicateFlux, UntrustedResumeUrlIsRefusedWithoutCreating) {
    ResumeTicket t;
    t.id = "gm3qorzdhgbfurvjtvhg6dckhu";
    t.get_url = "https://evil.example/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu";
    ImageRequest r = request();
    r.resume_token = encode_ticket(t);
    auto call = image_provider().make_call(config(), r);
    const Action a = call->start();
    ASSERT_EQ(a.type, Action::Type::Finish); // neither the key goes there nor a second create out
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.error_code, "untrusted_url");
}

TEST(ReplicateFlux, AnotherProvidersTokenIsIgnored) {
    ImageRequest r = request();
    r.resume_token =
        R"({"fal_request_id":"x","status_url":"https://queue.fal.run/s","response_url":"https://q/r"})";
    auto call = image_provider().make_call(config(), r);
    const Action a = call->start();
    EXPECT_EQ(a.request.method, HttpMethod::Post);
    EXPECT_EQ(a.request.url, kCreateUrl);
}

TEST(ReplicateFlux, CreateAnswerWithForeignUrlsIsRefused) {
    auto call = started();
    std::string body = read_fixture("replicate_prediction_starting.json");
    for (std::size_t p; (p = body.find("https://api.replicate.com")) != std::string::npos;)
        body.replace(p, 25, "https://evil.example");
    const Outcome o = finish_with(*call, response(201, body));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "untrusted_url");
    EXPECT_NE(o.message.find("gm3qorzdhgbfurvjtvhg6dckhu"), std::string::npos) << o.message;
}

TEST(ReplicateFlux, MissingUrlsAreDerivedFromTheBase) {
    auto call = started();
    const Action a = call->on_response(response(201, R"({"id":"abc123","status":"processing"})"));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://api.replicate.com/v1/predictions/abc123");
}

TEST(ReplicateFlux, ExpiredResumeFailsClearly) {
    ResumeTicket t;
    t.id = "gm3qorzdhgbfurvjtvhg6dckhu";
    t.get_url = kGet;
    t.created_at = static_cast<std::int64_t>(std::time(nullptr)) - 2 * 3600;
    ImageRequest r = request();
    r.resume_token = encode_ticket(t);
    // The API still lists the output URLs, but the delivery host has deleted the file.
    auto call = image_provider().make_call(config(), r);
    call->start();
    call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    Outcome o = finish_with(*call, response(404, "Not Found", {{"content-type", "text/plain"}}));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "output_expired");
    EXPECT_NE(o.message.find("an hour"), std::string::npos) << o.message;
    // Or the API says so itself.
    call = image_provider().make_call(config(), r);
    call->start();
    o = finish_with(*call, response(200, read_fixture("replicate_prediction_expired.json")));
    EXPECT_EQ(o.error_code, "output_expired");
}

TEST(ReplicateFlux, FreshDownload404IsRetriedThenResumable) {
    ProviderConfig c = config();
    c.options["step_retries"] = "1";
    auto call = created(c);
    call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    const Action a = call->on_response(response(404, "Not Found"));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_EQ(a.request.url, "https://replicate.delivery/xezq/abc123/out-0.jpg");
    const Outcome o = finish_with(*call, response(404, "Not Found"));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_TRUE(decode_ticket(o.resume_token)); // the next attempt fetches the same paid image
}

TEST(ReplicateFlux, DownloadThatIsNotAnImageIsRetried) {
    ProviderConfig c = config();
    c.options["step_retries"] = "0";
    auto call = created(c);
    call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    const Outcome o =
        finish_with(*call, response(200, "<html>", {{"content-type", "text/html; charset=utf-8"}}));
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "not_image");
    EXPECT_FALSE(o.resume_token.empty());
}

TEST(ReplicateFlux, OversizedDownloadIsPermanent) {
    auto call = created();
    call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    const Outcome o =
        finish_with(*call, transport(TransportError::TooLarge, "response larger than the limit"));
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
}

TEST(ReplicateFlux, OutputOnTheApiOriginGetsTheKeyAndDataUrisNeedNoDownload) {
    auto call = created();
    Action a =
        call->on_response(response(200, R"({"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"succeeded",)"
                                        R"("output":["https://api.replicate.com/v1/files/abc/download"]})"));
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_TRUE(has_key(a.request));
    EXPECT_FALSE(a.request.limits.follow_redirects.value_or(false));
    call = created();
    a = call->on_response(response(
        200,
        R"({"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"succeeded","output":"data:image/png;base64,iVBORw0K"})"));
    ASSERT_EQ(a.type, Action::Type::Finish);
    ASSERT_TRUE(a.outcome.success()) << a.outcome.message;
    EXPECT_EQ(a.outcome.image_mime, "image/png");
}

TEST(ReplicateFlux, CancelGoesToUrlsCancelWhileRunningOnly) {
    auto call = started();
    EXPECT_FALSE(call->cancel_request()); // no prediction yet
    call->on_response(response(201, read_fixture("replicate_prediction_starting.json")));
    const auto cancel = call->cancel_request();
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->method, HttpMethod::Post);
    EXPECT_EQ(cancel->url, kGet + "/cancel");
    EXPECT_TRUE(has_key(*cancel));
    EXPECT_LE(cancel->limits.total_timeout_ms, 5000);
    call->on_response(response(200, read_fixture("replicate_prediction_succeeded.json")));
    EXPECT_FALSE(call->cancel_request()); // finished: downloading, nothing to cancel
}

TEST(ReplicateFlux, InvalidRequestsFailBeforeAnyCreate) {
    ImageRequest r = request();
    r.reference.clear();
    auto call = image_provider().make_call(config(), r);
    Action a = call->start();
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.error_code, "invalid_request");
    ProviderConfig c = config();
    c.model = "flux-dev";
    a = image_provider().make_call(c, request())->start();
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
}

TEST(ReplicateFlux, SecretsNeverReachMessages) {
    const std::string echo = R"({"title":"Unauthenticated","detail":"Invalid token )" + kKey + R"("})";
    auto call = started();
    Outcome o = finish_with(*call, response(401, echo));
    EXPECT_EQ(o.message.find(kKey), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("[redacted]"), std::string::npos) << o.message;
    call = created();
    o = finish_with(*call, response(200, R"({"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"failed",)"
                                         R"("error":"bad header Bearer )" +
                                             kKey + R"(","logs":")" + kKey + R"("})"));
    EXPECT_EQ(o.message.find(kKey), std::string::npos) << o.message;
    // A lost create's story ends up in the message of a list that fails for good: redacted too.
    call = started();
    ASSERT_TRUE(is_list(call->on_response(response(500, "upstream said " + kKey))));
    o = finish_with(*call, response(401, echo));
    EXPECT_TRUE(o.outcome_unknown());
    EXPECT_NE(o.message.find("upstream said"), std::string::npos) << o.message;
    EXPECT_EQ(o.message.find(kKey), std::string::npos) << o.message;
    call = started();
    ASSERT_TRUE(is_list(
        call->on_response(transport(TransportError::Timeout, "timed out; token " + kKey.substr(0, 10)))));
    o = finish_with(*call, response(403, echo));
    EXPECT_EQ(o.message.find(kKey.substr(0, 10)), std::string::npos) << o.message;
}

} // namespace
} // namespace rolloy::providers::replicate
