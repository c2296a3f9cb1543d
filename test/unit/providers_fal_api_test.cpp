#include "core/providers/fal_api.hpp"

#include "core/common/base64.hpp"
#include "core/common/error.hpp"
#include "core/providers/json.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers::fal {
namespace {

using testing::read_fixture;
using testing::response;

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://queue.fal.run";
    c.model = "fal-ai/flux/dev/image-to-image";
    c.api_key = "fal-key-123:secret";
    return c;
}

const Redactor kRedactor(config().api_key);

ImageRequest request() {
    ImageRequest r;
    r.prompt = "a watercolor fox";
    r.reference = "PNGDATA";
    r.reference_mime = "image/png";
    r.strength = 0.85;
    r.steps = 28;
    r.guidance = 3.5;
    r.seed = 42;
    return r;
}

TEST(FalSubmit, BodyFollowsBaseImageToInput) {
    const json::Ptr body = json::parse(build_submit_body(config(), request()));
    ASSERT_TRUE(body);
    EXPECT_EQ(json::get_string(body.get(), {"prompt"}), "a watercolor fox");
    EXPECT_EQ(json::get_string(body.get(), {"image_url"}),
              "data:image/png;base64," + base64_encode("PNGDATA"));
    EXPECT_DOUBLE_EQ(json_real_value(json::at(body.get(), {"strength"})), 0.85);
    EXPECT_EQ(json::get_int(body.get(), {"num_inference_steps"}), 28);
    EXPECT_DOUBLE_EQ(json_real_value(json::at(body.get(), {"guidance_scale"})), 3.5);
    EXPECT_EQ(json::get_int(body.get(), {"seed"}), 42);
    EXPECT_EQ(json::get_int(body.get(), {"num_images"}), 1);
    EXPECT_EQ(json::get_string(body.get(), {"output_format"}), "jpeg");
    EXPECT_TRUE(json::get_bool(body.get(), {"enable_safety_checker"}));
    EXPECT_FALSE(json::get_bool(body.get(), {"sync_mode"}, true));
}

TEST(FalSubmit, UnsetKnobsAreLeftToTheModelAndOptionsApply) {
    ImageRequest r;
    r.prompt = "p";
    r.reference = "x";
    ProviderConfig c = config();
    c.options["enable_safety_checker"] = "false";
    const json::Ptr body = json::parse(build_submit_body(c, r));
    EXPECT_EQ(json::at(body.get(), {"strength"}), nullptr);
    EXPECT_EQ(json::at(body.get(), {"seed"}), nullptr);
    EXPECT_FALSE(json::get_bool(body.get(), {"enable_safety_checker"}, true));
    EXPECT_EQ(json::get_string(body.get(), {"image_url"}).rfind("data:image/jpeg;base64,", 0), 0u);
    r.reference.clear();
    EXPECT_THROW(build_submit_body(c, r), Error);
}

TEST(FalSubmit, RequestShape) {
    const HttpRequest req = submit_request(config(), "{}");
    EXPECT_EQ(req.method, HttpMethod::Post);
    EXPECT_EQ(req.url, "https://queue.fal.run/fal-ai/flux/dev/image-to-image");
    EXPECT_EQ(req.pool, "fal");
    EXPECT_TRUE(
        req.limits.fresh_connection); // billed: libcurl must not re-send it on a dead reused connection
    EXPECT_EQ(req.headers.at(0),
              (std::pair<std::string, std::string>{"Authorization", "Key fal-key-123:secret"}));
    ProviderConfig bad = config();
    for (const char *model : {"../x", "/fal-ai/flux", "fal-ai/flux?x=1", "fal ai", ""}) {
        bad.model = model;
        EXPECT_THROW(submit_request(bad, "{}"), Error) << model;
    }
}

TEST(FalQueue, ParsesTheTicketAndRoundTripsIt) {
    const auto t = parse_ticket(read_fixture("fal_submit.json"));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->request_id, "80e732af-660e-45cd-bd63-580e4f2a94cc");
    EXPECT_EQ(t->status_url,
              "https://queue.fal.run/fal-ai/flux/requests/80e732af-660e-45cd-bd63-580e4f2a94cc/status");
    EXPECT_EQ(t->response_url,
              "https://queue.fal.run/fal-ai/flux/requests/80e732af-660e-45cd-bd63-580e4f2a94cc");
    EXPECT_EQ(t->cancel_url,
              "https://queue.fal.run/fal-ai/flux/requests/80e732af-660e-45cd-bd63-580e4f2a94cc/cancel");
    const auto back = decode_ticket(encode_ticket(*t));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->status_url, t->status_url);
    EXPECT_EQ(back->request_id, t->request_id);
    EXPECT_FALSE(parse_ticket(R"({"status":"IN_QUEUE","request_id":"x"})"));
    EXPECT_FALSE(decode_ticket("garbage"));
}

TEST(FalQueue, ReadsQueueStates) {
    EXPECT_EQ(parse_status(read_fixture("fal_status_in_queue.json")), QueueState::InQueue);
    EXPECT_EQ(parse_status(read_fixture("fal_status_in_progress.json")), QueueState::InProgress);
    EXPECT_EQ(parse_status(read_fixture("fal_status_completed.json")), QueueState::Completed);
    EXPECT_EQ(parse_status("{}"), QueueState::Unknown);
    EXPECT_EQ(parse_status("nope"), QueueState::Unknown);
}

TEST(FalResult, ReadsTheFirstImage) {
    const auto image = parse_result(read_fixture("fal_result.json"));
    ASSERT_TRUE(image);
    EXPECT_EQ(image->url, "https://v3.fal.media/files/rabbit/abc.jpeg");
    EXPECT_EQ(image->content_type, "image/jpeg");
    EXPECT_EQ(image->width, 1024);
    EXPECT_EQ(image->height, 768);
    EXPECT_FALSE(image->nsfw);
    EXPECT_TRUE(parse_result(read_fixture("fal_result_nsfw.json"))->nsfw);
    EXPECT_FALSE(parse_result(R"({"images": []})"));
    EXPECT_FALSE(parse_result(R"({"images": [{"width": 1}]})"));
}

TEST(FalErrors, ValidationDetailListBecomesReadable) {
    const HttpResponse r = response(422, read_fixture("fal_422_detail.json"));
    EXPECT_EQ(error_message(r, kRedactor),
              "body.image_url: Failed to download the file. Please check if the URL is accessible.; "
              "body.strength: ensure this value is less than or equal to 1");
    const Outcome o = error_outcome(r, "fal result", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.http_status, 422);
    EXPECT_EQ(o.message.rfind("fal result returned HTTP 422: body.image_url: Failed", 0), 0u) << o.message;
}

TEST(FalErrors, UserTimeoutIsPermanentOtherTimeoutsAreNot) {
    HttpResponse r =
        response(504, read_fixture("fal_504_timeout.json"), {{"x-fal-request-timeout-type", "user"}});
    Outcome o = error_outcome(r, "fal result", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "request_timeout_user");
    EXPECT_EQ(o.message, "fal result returned HTTP 504: Request timed out [request_timeout]");
    r.headers.clear();
    EXPECT_EQ(error_outcome(r, "fal result", kRedactor).kind, OutcomeKind::Transient);
}

TEST(FalErrors, PlainDetailHeaderTypeAndNonJson) {
    EXPECT_EQ(error_message(response(401, R"({"detail": "No user found for Key ID and Secret"})"), kRedactor),
              "No user found for Key ID and Secret");
    EXPECT_EQ(error_message(response(503, R"({"detail": "Runner disconnected"})",
                                     {{"x-fal-error-type", "runner_disconnected"}}),
                            kRedactor),
              "Runner disconnected [runner_disconnected]");
    EXPECT_EQ(error_message(response(502, "<html>Bad gateway</html>"), kRedactor),
              "<html>Bad gateway</html>");
    EXPECT_EQ(error_message(response(500, R"({"message": "boom"})"), kRedactor), "boom");
    EXPECT_EQ(error_outcome(response(429, "{}"), "fal submit", kRedactor).kind, OutcomeKind::Transient);
    EXPECT_EQ(error_outcome(response(402, R"({"detail":"Exhausted balance"})"), "fal submit", kRedactor).kind,
              OutcomeKind::Permanent);
}

} // namespace
} // namespace rolloy::providers::fal
