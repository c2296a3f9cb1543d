#include "core/providers/classify.hpp"
#include "core/providers/google_error.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

using testing::read_fixture;
using testing::response;

const Redactor kRedactor("AIzaTESTKEY123");

TEST(ClassifyHttpStatus, FollowsTheRetryTable) {
    for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 520L, 529L})
        EXPECT_EQ(classify_http_status(s), OutcomeKind::Transient) << s;
    for (long s : {400L, 401L, 402L, 403L, 404L, 409L, 413L, 422L, 501L, 505L, 301L, 302L, 100L})
        EXPECT_EQ(classify_http_status(s), OutcomeKind::Permanent) << s;
    EXPECT_EQ(classify_http_status(200), OutcomeKind::Success);
}

TEST(TransportFailure, ClassifiesByCause) {
    HttpResponse r;
    r.transport_error = TransportError::Timeout;
    r.error = "Operation timed out after 300 milliseconds with 0 bytes received";
    Outcome o = transport_failure(r, "Gemini generateContent");
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "timeout");
    EXPECT_EQ(o.message,
              "Gemini generateContent: Operation timed out after 300 milliseconds with 0 bytes received");

    r.transport_error = TransportError::Connect;
    EXPECT_EQ(transport_failure(r, "x").kind, OutcomeKind::Transient);
    r.transport_error = TransportError::TooLarge;
    EXPECT_EQ(transport_failure(r, "x").kind, OutcomeKind::Permanent);
    r.transport_error = TransportError::BadRequest;
    EXPECT_EQ(transport_failure(r, "x").kind, OutcomeKind::Permanent);
    r.transport_error = TransportError::Aborted;
    o = transport_failure(r, "x");
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_TRUE(o.aborted());
}

TEST(HttpFailure, CarriesStatusMessageAndRetryAfter) {
    const Outcome o =
        http_failure(response(503, "", {{"retry-after", "7"}}), "fal submit", "Runner disconnected");
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.http_status, 503);
    EXPECT_EQ(o.error_code, "http_503");
    EXPECT_EQ(o.message, "fal submit returned HTTP 503: Runner disconnected");
    EXPECT_EQ(o.retry_after_ms, 7000);
}

TEST(GoogleError, ReadsRetryInfoFromTheRealQuotaBody) {
    const auto e = parse_google_error(read_fixture("gemini_429_retryinfo.json"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, 429);
    EXPECT_EQ(e->status, "RESOURCE_EXHAUSTED");
    EXPECT_EQ(e->retry_delay_ms, 36000);
    ASSERT_EQ(e->quota_ids.size(), 1u);
    EXPECT_FALSE(e->per_day_quota());

    const Outcome o =
        google_error_outcome(response(429, read_fixture("gemini_429_retryinfo.json")), "Gemini", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.retry_after_ms, 36000);
    EXPECT_EQ(o.error_code, "RESOURCE_EXHAUSTED");
    EXPECT_EQ(
        o.message.rfind("Gemini returned HTTP 429: RESOURCE_EXHAUSTED: You exceeded your current quota", 0),
        0u)
        << o.message;
}

TEST(GoogleError, PerDayQuotaIsPermanent) {
    const Outcome o =
        google_error_outcome(response(429, read_fixture("gemini_429_per_day.json")), "Gemini", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "quota_per_day");
    EXPECT_FALSE(o.retry_after_ms);
    EXPECT_NE(o.message.find("daily quota"), std::string::npos);
}

TEST(GoogleError, InvalidKeyIsPermanentWithTheProvidersMessage) {
    const Outcome o =
        google_error_outcome(response(400, read_fixture("gemini_400_invalid_key.json")), "Gemini", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "API_KEY_INVALID");
    EXPECT_EQ(o.message,
              "Gemini returned HTTP 400: INVALID_ARGUMENT: API key not valid. Please pass a valid API key.");
}

TEST(GoogleError, UnwrapsAnArrayAndKeepsHeaderDelays) {
    const Outcome o = google_error_outcome(
        response(503, read_fixture("gemini_503_overloaded_wrapped.json"), {{"retry-after", "4"}}), "Gemini",
        kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "UNAVAILABLE");
    EXPECT_EQ(o.retry_after_ms, 4000);
    EXPECT_NE(o.message.find("The model is overloaded"), std::string::npos);
}

TEST(GoogleError, RetiredModelIsPermanent) {
    const Outcome o =
        google_error_outcome(response(404, read_fixture("gemini_404_model.json")), "Gemini", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "NOT_FOUND");
}

TEST(GoogleError, NonJsonErrorBodiesStillExplainThemselves) {
    EXPECT_FALSE(parse_google_error("<html>502 Bad Gateway</html>"));
    const Outcome o =
        google_error_outcome(response(502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>"), "Gemini", kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "http_502");
    EXPECT_EQ(o.message, "Gemini returned HTTP 502: <html> <h1>502 Bad Gateway</h1> </html>");
}

} // namespace
} // namespace rolloy::providers

namespace rolloy::providers {
namespace {

TEST(LiftedJson, RestoresLongStringsAndLeavesTheRestToJansson) {
    const std::string big(10000, 'A');
    const std::string body = R"({"a": "short", "b": {"data": ")" + big + R"("}, "c": ["x\"y", ")" + big +
                             "B" + R"("], "esc": ")" + std::string(5000, 'e') + R"(\n"})";
    const auto doc = json::LiftedDocument::parse(body, 4096);
    ASSERT_NE(doc.root(), nullptr);
    EXPECT_EQ(doc.lifted_count(), 2u); // the string with an escape stays with jansson
    EXPECT_EQ(doc.get_string(doc.root(), {"a"}), "short");
    EXPECT_EQ(doc.get_string(doc.root(), {"b", "data"}), big);
    const json_t *c = json::at(doc.root(), {"c"});
    EXPECT_EQ(doc.get_string(json_array_get(c, 0), {}), "x\"y");
    EXPECT_EQ(doc.get_string(json_array_get(c, 1), {}), big + "B");
    EXPECT_EQ(doc.get_string(doc.root(), {"esc"}), std::string(5000, 'e') + "\n");
}

TEST(LiftedJson, HandlesEscapedBackslashesBeforeQuotesAndBrokenInput) {
    const std::string big(5000, 'z');
    const std::string body = R"({"k\\": ")" + big + R"(", "t": "a\\\\"})";
    const auto doc = json::LiftedDocument::parse(body, 4096);
    ASSERT_NE(doc.root(), nullptr);
    EXPECT_EQ(doc.get_string(doc.root(), {"k\\"}), big);
    EXPECT_EQ(doc.get_string(doc.root(), {"t"}), "a\\\\");
    EXPECT_EQ(json::LiftedDocument::parse(R"({"a": ")" + big, 4096).root(), nullptr);
    EXPECT_EQ(json::LiftedDocument::parse(R"({"a": ")" + big + R"(" ,,})", 4096).root(), nullptr);
    EXPECT_EQ(json::LiftedDocument::parse("", 4096).root(), nullptr);
}

} // namespace
} // namespace rolloy::providers
