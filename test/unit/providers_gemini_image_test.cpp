#include "core/providers/gemini_image.hpp"

#include "core/common/base64.hpp"
#include "core/common/error.hpp"
#include "core/providers/json.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers::gemini {
namespace {

using testing::read_fixture;
using testing::response;

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://generativelanguage.googleapis.com";
    c.model = "gemini-2.5-flash-image";
    c.api_key = "AIzaTESTKEY123";
    return c;
}

const Redactor kRedactor(config().api_key);

ImageRequest request() {
    ImageRequest r;
    r.prompt = "Make it a sunny park";
    r.reference = std::string("\xff\xd8\xff\xe0 fake jpeg", 15);
    r.reference_mime = "image/jpeg";
    return r;
}

TEST(GeminiImageBody, CarriesTheReferenceInline) {
    ImageRequest r = request();
    r.aspect_ratio = "4:5";
    r.seed = 42;
    const json::Ptr body = json::parse(build_image_body(config(), r));
    ASSERT_TRUE(body);
    const json_t *parts = json::at(json_array_get(json::at(body.get(), {"contents"}), 0), {"parts"});
    ASSERT_EQ(json_array_size(parts), 2u);
    EXPECT_EQ(json::get_string(json_array_get(parts, 0), {"text"}), "Make it a sunny park");
    const json_t *inline_data = json::at(json_array_get(parts, 1), {"inline_data"});
    EXPECT_EQ(json::get_string(inline_data, {"mime_type"}), "image/jpeg");
    EXPECT_EQ(base64_decode(json::get_string(inline_data, {"data"})), r.reference);
    const json_t *modalities = json::at(body.get(), {"generationConfig", "responseModalities"});
    ASSERT_EQ(json_array_size(modalities), 1u);
    EXPECT_STREQ(json_string_value(json_array_get(modalities, 0)), "IMAGE");
    EXPECT_EQ(json::get_string(body.get(), {"generationConfig", "imageConfig", "aspectRatio"}), "4:5");
    EXPECT_EQ(json::get_int(body.get(), {"generationConfig", "seed"}), 42);
}

TEST(GeminiImageBody, APromptImitatingTheBodyStaysText) {
    // The reference is spliced into the serialised body: text that looks like the body's own
    // structure (quotes, the key, the placeholder's prefix) must stay inside the prompt.
    ImageRequest r = request();
    r.prompt = R"(say "data":"rolloy-verbatim-0000000000000000" and \ "inline_data" {})";
    const json::Ptr body = json::parse(build_image_body(config(), r));
    ASSERT_TRUE(body);
    const json_t *parts = json::at(json_array_get(json::at(body.get(), {"contents"}), 0), {"parts"});
    EXPECT_EQ(json::get_string(json_array_get(parts, 0), {"text"}), r.prompt);
    EXPECT_EQ(base64_decode(json::get_string(json_array_get(parts, 1), {"inline_data", "data"})),
              r.reference);
}

TEST(GeminiImageBody, ModalitiesOptionAndValidation) {
    ProviderConfig c = config();
    c.options["response_modalities"] = "TEXT, IMAGE";
    const json::Ptr body = json::parse(build_image_body(c, request()));
    const json_t *modalities = json::at(body.get(), {"generationConfig", "responseModalities"});
    ASSERT_EQ(json_array_size(modalities), 2u);
    EXPECT_STREQ(json_string_value(json_array_get(modalities, 0)), "TEXT");
    EXPECT_STREQ(json_string_value(json_array_get(modalities, 1)), "IMAGE");
    EXPECT_EQ(json::at(body.get(), {"generationConfig", "imageConfig"}), nullptr);

    ImageRequest no_ref = request();
    no_ref.reference.clear();
    EXPECT_THROW(build_image_body(config(), no_ref), Error);
    ImageRequest bad = request();
    bad.prompt = "\xc3(";
    EXPECT_THROW(build_image_body(config(), bad), Error);
}

TEST(GeminiImageOutcome, DecodesTheFirstInlineImage) {
    const Outcome o = image_outcome(response(200, read_fixture("gemini_image_success.json")), kRedactor);
    ASSERT_EQ(o.kind, OutcomeKind::Success) << o.message;
    EXPECT_EQ(o.image_mime, "image/png");
    ASSERT_GT(o.image.size(), 8u);
    EXPECT_EQ(o.image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(o.tokens_in, 267);
    EXPECT_EQ(o.tokens_out, 1290);
    EXPECT_EQ(o.request_id, "img-resp-1");
}

TEST(GeminiImageOutcome, AcceptsSnakeCaseInlineData) {
    const Outcome o = image_outcome(
        response(
            200,
            R"({"candidates":[{"content":{"parts":[{"inline_data":{"mime_type":"image/jpeg","data":"/9j/4A=="}}]},"finishReason":"STOP"}]})"),
        kRedactor);
    ASSERT_EQ(o.kind, OutcomeKind::Success);
    EXPECT_EQ(o.image_mime, "image/jpeg");
    EXPECT_EQ(o.image, std::string("\xff\xd8\xff\xe0", 4));
}

TEST(GeminiImageOutcome, TextOnlyAnswerIsPermanentWithTheModelsWords) {
    const Outcome o = image_outcome(response(200, read_fixture("gemini_image_text_only.json")), kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "no_image");
    EXPECT_EQ(o.message,
              "Gemini image generateContent answered with text only (finishReason STOP): I can't help "
              "with editing images of real people in that way.");
}

TEST(GeminiImageOutcome, ImageRefusalsArePermanent) {
    Outcome o = image_outcome(response(200, read_fixture("gemini_image_safety.json")), kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Permanent);
    EXPECT_EQ(o.error_code, "IMAGE_SAFETY");
    EXPECT_EQ(o.message, "Gemini image generateContent returned no image (finishReason IMAGE_SAFETY)");
    o = image_outcome(response(200, read_fixture("gemini_image_no_image.json")), kRedactor);
    EXPECT_EQ(o.error_code, "NO_IMAGE");
    EXPECT_NE(o.message.find("No image this time."), std::string::npos);
    o = image_outcome(response(200, read_fixture("gemini_text_blocked.json")), kRedactor);
    EXPECT_EQ(o.error_code, "blocked");
}

TEST(GeminiImageOutcome, BrokenBodiesAreTransient) {
    Outcome o = image_outcome(
        response(
            200,
            R"({"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"!!notbase64"}}]}}]})"),
        kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    EXPECT_EQ(o.error_code, "malformed_response");
    o = image_outcome(response(200, "not json"), kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
    o = image_outcome(response(200, "{}"), kRedactor);
    EXPECT_EQ(o.kind, OutcomeKind::Transient);
}

TEST(GeminiImageCall, SendsOneRequestAndDropsItsCopyOfTheReference) {
    const auto call = image_provider().make_call(config(), request());
    const Action a = call->start();
    ASSERT_EQ(a.type, Action::Type::Send);
    EXPECT_NE(a.request.body.find(base64_encode(request().reference)), std::string::npos);
    const Action done = call->on_response(response(200, read_fixture("gemini_image_success.json")));
    ASSERT_EQ(done.type, Action::Type::Finish);
    EXPECT_TRUE(done.outcome.success());
}

} // namespace
} // namespace rolloy::providers::gemini
