#include "core/providers/gemini_api.hpp"
#include "core/providers/gemini_text.hpp"

#include "core/common/error.hpp"
#include "core/providers/json.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers::gemini {
namespace {

using testing::read_fixture;
using testing::response;

ProviderConfig config(const std::string &model = "gemini-2.5-flash") {
    ProviderConfig c;
    c.base_url = "https://generativelanguage.googleapis.com/";
    c.model = model;
    c.api_key = "AIzaTESTKEY123";
    return c;
}

const Redactor kRedactor(config().api_key);

TEST(GeminiTextBody, HasSystemInstructionContentsAndLimits) {
    TextRequest r;
    r.system_prompt = "You write Flux prompts.";
    r.prompt = "Scene: park. Driver: joy ✓";
    r.max_output_tokens = 256;
    r.temperature = 0.25;
    const json::Ptr body = json::parse(build_text_body(config(), r));
    ASSERT_TRUE(body);
    EXPECT_EQ(
        json::get_string(json_array_get(json::at(body.get(), {"systemInstruction", "parts"}), 0), {"text"}),
        "You write Flux prompts.");
    const json_t *content = json_array_get(json::at(body.get(), {"contents"}), 0);
    EXPECT_EQ(json::get_string(content, {"role"}), "user");
    EXPECT_EQ(json::get_string(json_array_get(json::at(content, {"parts"}), 0), {"text"}),
              "Scene: park. Driver: joy ✓");
    EXPECT_EQ(json::get_int(body.get(), {"generationConfig", "maxOutputTokens"}), 256);
    EXPECT_DOUBLE_EQ(json_real_value(json::at(body.get(), {"generationConfig", "temperature"})), 0.25);
    EXPECT_EQ(json::get_int(body.get(), {"generationConfig", "thinkingConfig", "thinkingBudget"}, -1), 0);
}

TEST(GeminiTextBody, ThinkingBudgetOnlyWhereItApplies) {
    TextRequest r;
    r.prompt = "x";
    auto budget = [&](const ProviderConfig &c) {
        const json::Ptr body = json::parse(build_text_body(c, r));
        return json::at(body.get(), {"generationConfig", "thinkingConfig"}) != nullptr
                   ? json::get_int(body.get(), {"generationConfig", "thinkingConfig", "thinkingBudget"})
                   : -999;
    };
    EXPECT_EQ(budget(config("gemini-2.5-flash")), 0);
    EXPECT_EQ(budget(config("gemini-2.5-flash-lite")), 0);
    EXPECT_EQ(budget(config("gemini-2.0-flash")), -999);
    EXPECT_EQ(budget(config("gemini-2.5-pro")), -999);
    ProviderConfig c = config("gemini-2.5-pro");
    c.options["thinking_budget"] = "128";
    EXPECT_EQ(budget(c), 128);
    c = config("gemini-2.5-flash");
    c.options["thinking_budget"] = "default";
    EXPECT_EQ(budget(c), -999);
    c.options["thinking_budget"] = "lots";
    EXPECT_THROW(build_text_body(c, r), Error);
    EXPECT_EQ(json::at(json::parse(build_text_body(config(), r)).get(), {"systemInstruction"}), nullptr);
}

TEST(GeminiTextBody, RejectsInvalidUtf8) {
    TextRequest r;
    r.prompt = "bad \xff byte";
    EXPECT_THROW(build_text_body(config(), r), Error);
    const auto call = text_provider().make_call(config(), r);
    const Action a = call->start();
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.kind, OutcomeKind::Permanent);
    EXPECT_EQ(a.outcome.error_code, "invalid_request");
}

TEST(GeminiRequest, EndpointHeadersAndPool) {
    const HttpRequest req = generate_content_request(config(), "{}");
    EXPECT_EQ(req.method, HttpMethod::Post);
    EXPECT_EQ(req.url,
              "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_EQ(req.pool, "gemini");
    EXPECT_TRUE(
        req.limits.fresh_connection); // billed: libcurl must not re-send it on a dead reused connection
    EXPECT_EQ(req.headers.at(0), (std::pair<std::string, std::string>{"x-goog-api-key", "AIzaTESTKEY123"}));
    EXPECT_EQ(req.url.find("AIza"), std::string::npos); // the key never travels in the URL
    EXPECT_THROW(generate_content_request(config("../admin"), "{}"), Error);
    EXPECT_THROW(generate_content_request(config("m?key=x"), "{}"), Error);
    EXPECT_THROW(generate_content_request(config(""), "{}"), Error);
}

TEST(GeminiTextOutcome, SuccessWithTextUsageAndIds) {
    const Outcome o = text_outcome(response(200, read_fixture("gemini_text_success.json")), 256, kRedactor);
    ASSERT_EQ(o.kind, OutcomeKind::Success) << o.message;
    EXPECT_EQ(o.text, "Sunlit park path, a senior couple laughing, rollator expanded, candid UGC style.");
    EXPECT_EQ(o.tokens_in, 12);
    EXPECT_EQ(o.tokens_out, 83); // 40 candidates + 43 thoughts, both billed as output
    EXPECT_EQ(o.tokens_thoughts, 43);
    EXPECT_EQ(o.finish_reason, "STOP");
    EXPECT_EQ(o.request_id, "mM3oaK7sLbGZ1e8P");
    EXPECT_EQ(o.model_version, "gemini-2.5-flash");
    EXPECT_EQ(o.http_status, 200);
}

TEST(GeminiTextOutcome, ThoughtPartsAreNotTheAnswer) {
    const Outcome o =
        text_outcome(response(200, read_fixture("gemini_text_thought_parts.json")), 256, kRedactor);
    EXPECT_EQ(o.text, "Final prompt.");
}

TEST(GeminiTextOutcome, BlockedPromptIsPermanent) {
    const Outcome o = text_outcome(response(200, read_fixture("gemini_text_blocked.json")), 256, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "blocked");
    EXPECT_EQ(o.message, "Gemini generateContent refused the prompt (blockReason SAFETY)");
    EXPECT_EQ(o.tokens_in, 8); // still reported: it may be billed
}

TEST(GeminiTextOutcome, EmptyMaxTokensAnswerIsAClearFailure) {
    const Outcome o =
        text_outcome(response(200, read_fixture("gemini_text_max_tokens_empty.json")), 64, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "max_tokens");
    EXPECT_NE(o.message.find("maxOutputTokens (64)"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("64 tokens went to thinking"), std::string::npos) << o.message;
}

TEST(GeminiTextOutcome, TruncatedButNonEmptyAnswerSucceedsWithItsFinishReason) {
    const Outcome o =
        text_outcome(response(200, read_fixture("gemini_text_max_tokens_partial.json")), 8, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Success);
    EXPECT_EQ(o.finish_reason, "MAX_TOKENS");
    EXPECT_EQ(o.text, "Sunlit park path, a senior");
}

TEST(GeminiTextOutcome, SafetyStopIsPermanentEvenWithPartialText) {
    const Outcome o =
        text_outcome(response(200, read_fixture("gemini_text_safety_finish.json")), 64, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "SAFETY");
}

TEST(GeminiTextOutcome, MalformedBodyAfter200IsTransient) {
    for (const char *body : {"{\"candidates\": [", "", "[1,2]", "{}"}) {
        const Outcome o = text_outcome(response(200, body), 64, kRedactor);
        EXPECT_EQ(o.kind, OutcomeKind::Transient) << body;
        EXPECT_EQ(o.error_code, "malformed_response") << body;
    }
}

TEST(GeminiTextOutcome, ErrorsUseGooglesEnvelope) {
    Outcome o = text_outcome(response(429, read_fixture("gemini_429_retryinfo.json")), 64, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.retry_after_ms, 36000);
    o = text_outcome(response(400, read_fixture("gemini_400_invalid_key.json")), 64, kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "API_KEY_INVALID");
}

TEST(GeminiTextCall, RedactsTheKeyFromMessages) {
    TextRequest r;
    r.prompt = "x";
    const auto call = text_provider().make_call(config(), r);
    ASSERT_EQ(call->start().type, Action::Type::Send);
    const Action a = call->on_response(response(
        400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"bad key AIzaTESTKEY123"}})"));
    ASSERT_EQ(a.type, Action::Type::Finish);
    EXPECT_EQ(a.outcome.message.find("AIzaTESTKEY123"), std::string::npos);
    EXPECT_NE(a.outcome.message.find("[redacted]"), std::string::npos);
}

} // namespace
} // namespace rolloy::providers::gemini
