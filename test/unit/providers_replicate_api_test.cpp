// Replicate's wire format: the create request, the prediction parser, resume tickets, the
// "never sent" test for create retries, and the RFC 7807 error bodies. No network.
#include "core/common/error.hpp"
#include "core/providers/replicate_api.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers::replicate {
namespace {

using testing::read_fixture;
using testing::response;

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://api.replicate.com";
    c.model = "black-forest-labs/flux-dev";
    c.api_key = "r8_TESTKEY0123456789";
    c.request_timeout_ms = 30'000;
    return c;
}

ImageRequest request() {
    ImageRequest r;
    r.prompt = "a watercolor fox";
    r.reference = "PNGDATA";
    r.reference_mime = "image/png";
    return r;
}

std::string header(const HttpRequest &req, const std::string &name) {
    for (const auto &[k, v] : req.headers)
        if (k == name) return v;
    return "<none>";
}

TEST(ReplicateApi, CreateBodyCarriesTheImg2ImgInputs) {
    ImageRequest r = request();
    r.seed = 42;
    r.strength = 0.75;
    r.steps = 30;
    r.guidance = 3.5;
    r.aspect_ratio = "4:5";
    r.output_format = "png";
    ProviderConfig c = config();
    c.options["num_outputs"] = "2";
    const json::Ptr body = json::parse(build_create_body(c, r));
    ASSERT_TRUE(body);
    const json_t *input = json::at(body.get(), {"input"});
    ASSERT_TRUE(json_is_object(input));
    EXPECT_EQ(json::get_string(input, {"prompt"}), "a watercolor fox");
    EXPECT_EQ(json::get_string(input, {"image"}), "data:image/png;base64,UE5HREFUQQ==");
    EXPECT_DOUBLE_EQ(json_real_value(json::at(input, {"prompt_strength"})), 0.75);
    EXPECT_EQ(json::get_int(input, {"seed"}), 42);
    EXPECT_EQ(json::get_int(input, {"num_inference_steps"}), 30);
    EXPECT_DOUBLE_EQ(json_real_value(json::at(input, {"guidance"})), 3.5);
    EXPECT_EQ(json::get_string(input, {"aspect_ratio"}), "4:5");
    EXPECT_EQ(json::get_string(input, {"output_format"}), "png");
    EXPECT_EQ(json::get_int(input, {"num_outputs"}), 2);
    EXPECT_EQ(json_object_size(body.get()), 1u); // no version, no webhook
}

TEST(ReplicateApi, CreateBodyDefaultsLeaveTheModelsOwnDefaults) {
    const json::Ptr body = json::parse(build_create_body(config(), request()));
    const json_t *input = json::at(body.get(), {"input"});
    EXPECT_EQ(json::get_string(input, {"output_format"}), "jpg"); // "jpeg" is spelt jpg here
    for (const char *absent : {"seed", "prompt_strength", "num_outputs", "aspect_ratio", "guidance"})
        EXPECT_EQ(json::at(input, {absent}), nullptr) << absent;
}

TEST(ReplicateApi, ProModelsTakeTheReferenceUnderAnotherName) {
    ProviderConfig c = config();
    c.options["image_input"] = "input_image";
    const json::Ptr body = json::parse(build_create_body(c, request()));
    const json_t *input = json::at(body.get(), {"input"});
    EXPECT_EQ(json::at(input, {"image"}), nullptr);
    EXPECT_EQ(json::get_string(input, {"input_image"}).rfind("data:image/png;base64,", 0), 0u);
}

TEST(ReplicateApi, CreateBodyRejectsBadInput) {
    ImageRequest r = request();
    r.reference.clear();
    EXPECT_THROW(build_create_body(config(), r), Error);
    r = request();
    r.prompt = "bad \xff utf8";
    EXPECT_THROW(build_create_body(config(), r), Error);
    r = request();
    r.output_format = "gif";
    EXPECT_THROW(build_create_body(config(), r), Error);
    ProviderConfig c = config();
    c.options["num_outputs"] = "5";
    EXPECT_THROW(build_create_body(c, request()), Error);
    c.options["num_outputs"] = "two";
    EXPECT_THROW(build_create_body(c, request()), Error);
}

TEST(ReplicateApi, CreateRequestUsesTheModelsEndpointBearerAndPreferWait) {
    ProviderConfig c = config();
    c.options["prefer_wait"] = "30";
    const HttpRequest req = create_request(c, "{}");
    EXPECT_EQ(req.method, HttpMethod::Post);
    EXPECT_EQ(req.url, "https://api.replicate.com/v1/models/black-forest-labs/flux-dev/predictions");
    EXPECT_EQ(header(req, "Authorization"), "Bearer r8_TESTKEY0123456789");
    EXPECT_EQ(header(req, "Prefer"), "wait=30");
    EXPECT_EQ(header(req, "Content-Type"), "application/json");
    EXPECT_EQ(req.pool, "replicate");
    EXPECT_EQ(req.limits.total_timeout_ms, 40'000); // above the wait, whatever request_timeout_ms says
    EXPECT_TRUE(req.limits.fresh_connection);       // never re-sent by libcurl
    EXPECT_EQ(req.body, "{}");
}

TEST(ReplicateApi, PreferWaitDefaultsTo60AndZeroTurnsItOff) {
    EXPECT_EQ(prefer_wait_seconds(config()), 60);
    EXPECT_EQ(header(create_request(config(), "{}"), "Prefer"), "wait=60");
    ProviderConfig c = config();
    c.options["prefer_wait"] = "0";
    const HttpRequest req = create_request(c, "{}");
    EXPECT_EQ(header(req, "Prefer"), "<none>");
    EXPECT_EQ(req.limits.total_timeout_ms, 30'000);
    for (const char *bad : {"61", "-1", "1.5", "wait"}) {
        c.options["prefer_wait"] = bad;
        EXPECT_THROW(prefer_wait_seconds(c), Error) << bad;
    }
}

TEST(ReplicateApi, ModelIdMustBeOwnerSlashName) {
    ProviderConfig c = config();
    for (const char *bad : {"flux-dev", "a/b/c", "/flux", "owner/", "../x", "a/..", "a b/c", "a/b?x=1", ""}) {
        c.model = bad;
        EXPECT_THROW(create_request(c, "{}"), Error) << bad;
    }
    c.model = "black-forest-labs/flux-1.1-pro";
    EXPECT_NO_THROW(create_request(c, "{}"));
}

TEST(ReplicateApi, StatusesAndTerminality) {
    const std::pair<const char *, Status> all[] = {
        {"starting", Status::Starting}, {"processing", Status::Processing}, {"succeeded", Status::Succeeded},
        {"failed", Status::Failed},     {"canceled", Status::Canceled},     {"aborted", Status::Aborted}};
    for (const auto &[text, status] : all) {
        EXPECT_EQ(parse_status(text), status);
        EXPECT_STREQ(to_string(status), text);
    }
    EXPECT_EQ(parse_status("queued"), Status::Unknown);
    EXPECT_EQ(parse_status("Succeeded"), Status::Unknown);
    EXPECT_FALSE(is_terminal(Status::Starting));
    EXPECT_FALSE(is_terminal(Status::Processing));
    EXPECT_FALSE(is_terminal(Status::Unknown));
    for (Status s : {Status::Succeeded, Status::Failed, Status::Canceled, Status::Aborted})
        EXPECT_TRUE(is_terminal(s));
}

TEST(ReplicateApi, ParsesAStartingPrediction) {
    const auto p = parse_prediction(read_fixture("replicate_prediction_starting.json"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->id, "gm3qorzdhgbfurvjtvhg6dckhu");
    EXPECT_EQ(p->status, Status::Starting);
    EXPECT_EQ(p->model, "black-forest-labs/flux-dev");
    EXPECT_EQ(p->get_url, "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu");
    EXPECT_EQ(p->cancel_url, "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel");
    EXPECT_TRUE(p->output_null);
    EXPECT_TRUE(p->outputs.empty());
    EXPECT_FALSE(p->predict_time);
}

TEST(ReplicateApi, ParsesBothOutputShapes) {
    auto p = parse_prediction(read_fixture("replicate_prediction_succeeded.json"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, Status::Succeeded);
    ASSERT_EQ(p->outputs.size(), 1u);
    EXPECT_EQ(p->outputs[0], "https://replicate.delivery/xezq/abc123/out-0.jpg");
    ASSERT_TRUE(p->predict_time);
    EXPECT_DOUBLE_EQ(*p->predict_time, 5.81);
    p = parse_prediction(read_fixture("replicate_prediction_succeeded_single.json"));
    ASSERT_TRUE(p);
    ASSERT_EQ(p->outputs.size(), 1u); // a single URL string (the pro models)
    EXPECT_EQ(p->outputs[0], "https://replicate.delivery/xezq/def456/tmpabc.png");
    EXPECT_FALSE(p->output_null);
}

TEST(ReplicateApi, ShortEmptyAndRemovedOutputs) {
    auto p = parse_prediction(read_fixture("replicate_prediction_succeeded_short.json"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->outputs.size(), 1u); // two asked for, one kept by the safety checker
    p = parse_prediction(read_fixture("replicate_prediction_succeeded_empty.json"));
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->outputs.empty());
    EXPECT_FALSE(p->output_null);
    p = parse_prediction(read_fixture("replicate_prediction_expired.json"));
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->output_null);
    EXPECT_TRUE(p->data_removed);
    p = parse_prediction(R"({"id":"x","status":"succeeded","output":[1,null,"https://a/b.png",{"u":1}]})");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->outputs.size(), 1u); // non-strings skipped
    EXPECT_EQ(p->outputs[0], "https://a/b.png");
}

TEST(ReplicateApi, FailedPredictionKeepsErrorButNeverLogs) {
    const auto p = parse_prediction(read_fixture("replicate_prediction_failed_nsfw.json"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, Status::Failed);
    EXPECT_EQ(p->error.rfind("All generated images contained NSFW content.", 0), 0u);
    const auto q = parse_prediction(
        R"({"id":"x","status":"processing","logs":"secret r8_TESTKEY0123456789","error":null})");
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->error.empty());
}

TEST(ReplicateApi, NonPredictionsAreRejected) {
    for (const char *bad : {"", "null", "[]", "{}", R"({"id":"x"})", R"({"status":"starting"})",
                            R"({"id":7,"status":"starting"})", "{\"id\":\"x\",", "<html>502</html>"})
        EXPECT_FALSE(parse_prediction(bad)) << bad;
    EXPECT_TRUE(parse_prediction(R"({"id":"x","status":"weird"})")); // unknown statuses still parse
}

TEST(ReplicateApi, LongOutputStringsSurviveTheLiftedParse) {
    const std::string uri = "data:image/png;base64," + std::string(10000, 'A');
    const auto p = parse_prediction(R"({"id":"x","status":"succeeded","output":[")" + uri + R"("]})");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->outputs.size(), 1u);
    EXPECT_EQ(p->outputs[0], uri);
}

TEST(ReplicateApi, TicketRoundTripAndForeignTokens) {
    ResumeTicket t;
    t.id = "abc";
    t.get_url = "https://api.replicate.com/v1/predictions/abc";
    t.cancel_url = t.get_url + "/cancel";
    t.created_at = 1'765'000'000;
    const auto back = decode_ticket(encode_ticket(t));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, "abc");
    EXPECT_EQ(back->get_url, t.get_url);
    EXPECT_EQ(back->cancel_url, t.cancel_url);
    EXPECT_EQ(back->created_at, t.created_at);
    // A fal ticket, garbage, or a ticket without its URL is not ours.
    EXPECT_FALSE(
        decode_ticket(R"({"fal_request_id":"x","status_url":"https://q/s","response_url":"https://q/r"})"));
    EXPECT_FALSE(decode_ticket("not json"));
    EXPECT_FALSE(decode_ticket(R"({"replicate_prediction":"abc"})"));
}

HttpResponse transport(TransportError e, std::string message) {
    HttpResponse r;
    r.transport_error = e;
    r.error = std::move(message);
    return r;
}

TEST(ReplicateApi, NeverSentOnlyBeforeTheRequestLeft) {
    EXPECT_TRUE(never_sent(transport(TransportError::Connect, "Could not resolve host: api.replicate.com")));
    EXPECT_TRUE(never_sent(
        transport(TransportError::Connect,
                  "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server")));
    EXPECT_TRUE(
        never_sent(transport(TransportError::Timeout, "Connection timed out after 10001 milliseconds")));
    EXPECT_TRUE(
        never_sent(transport(TransportError::BadRequest, "only http:// and https:// URLs are allowed")));
    // Once the request may have been written, the prediction may exist.
    EXPECT_FALSE(never_sent(transport(TransportError::Timeout,
                                      "Operation timed out after 65000 milliseconds with 0 bytes received")));
    EXPECT_FALSE(never_sent(transport(TransportError::Connect, "Empty reply from server")));
    EXPECT_FALSE(never_sent(transport(TransportError::Connect, "Recv failure: Connection reset by peer")));
    EXPECT_FALSE(never_sent(transport(TransportError::TooLarge, "response larger than the limit")));
    EXPECT_FALSE(never_sent(transport(TransportError::Other, "")));
    EXPECT_FALSE(never_sent(transport(TransportError::Aborted, "aborted")));
}

TEST(ReplicateApi, ErrorBodiesAreProblemDetails) {
    const Redactor redactor("r8_TESTKEY0123456789");
    EXPECT_EQ(error_message(response(401, read_fixture("replicate_401.json")), redactor),
              "Unauthenticated: You did not pass a valid authentication token");
    EXPECT_EQ(
        error_message(response(422, read_fixture("replicate_422.json")), redactor),
        "Input validation failed: - input.prompt_strength: Must be less than or equal to 1; input: prompt is "
        "required");
    EXPECT_EQ(error_message(response(429, read_fixture("replicate_429.json")), redactor),
              "Request was throttled. Expected available in 1 second.");
    EXPECT_EQ(error_message(response(502, "<html>Bad gateway</html>"), redactor), "<html>Bad gateway</html>");
    EXPECT_EQ(error_message(response(404, R"({"detail":"Not found: r8_TESTKEY0123456789"})"), redactor),
              "Not found: [redacted]");
}

TEST(ReplicateApi, ErrorOutcomesByStatus) {
    const Redactor redactor("r8_TESTKEY0123456789");
    Outcome o =
        error_outcome(response(401, read_fixture("replicate_401.json")), "Replicate create", redactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 401);
    EXPECT_NE(o.message.find("check the Replicate API token"), std::string::npos) << o.message;
    o = error_outcome(response(402, read_fixture("replicate_402.json")), "Replicate create", redactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(
        o.message.rfind("Replicate create returned HTTP 402: Insufficient credit: You have insufficient", 0),
        0u)
        << o.message;
    o = error_outcome(response(429, read_fixture("replicate_429.json"), {{"retry-after", "7"}}), "x",
                      redactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.retry_after_ms, 7000);
    o = error_outcome(response(503, "{}"), "x", redactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
}

} // namespace
} // namespace rolloy::providers::replicate
