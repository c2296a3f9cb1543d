// No piece of an API key may reach a stored message (last_error, api_usage_logs.error), wherever
// a provider quotes it. Every error path is driven through a real ProviderCall with a body that
// quotes the key at every offset around the path's excerpt limit: a message cut before it is
// redacted keeps the head of a key that straddles the cut.
#include "core/providers/fal_flux.hpp"
#include "core/providers/gemini_image.hpp"
#include "core/providers/gemini_text.hpp"
#include "core/providers/redaction.hpp"
#include "core/providers/secret_spellings.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace rolloy::providers {
namespace {

using testing::read_fixture;
using testing::response;

const std::string kGeminiKey = "AIzaSyD3kQ9vLmN0pRtUwZ7bC1eF5gH2jK4oP8s";
const std::string kFalId = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d";
const std::string kFalSecret = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const std::string kFalKey = kFalId + ":" + kFalSecret; // fal keys are KEY_ID:KEY_SECRET

// A key with every character that JSON or percent-encoding spells differently.
const std::string kEAcute = "\xc3\xa9";
const std::string kOddKey = R"(AIza/Sy+D3k"Q9\vLm&N0p<Rt>Uw)" + kEAcute + "7bQ";
// kOddKey as providers may echo it, written out by hand rather than by the code under test.
const std::vector<std::string> kOddSpellings = {
    R"(AIza/Sy+D3k\"Q9\\vLm&N0p<Rt>Uw)" + kEAcute + "7bQ",                // JSON (JSON.stringify, jansson)
    R"(AIza\/Sy+D3k\"Q9\\vLm&N0p<Rt>Uw)" + kEAcute + "7bQ",               // JSON with "\/" (PHP)
    R"(AIza/Sy+D3k\"Q9\\vLm&N0p<Rt>Uw\u00e97bQ)",                         // JSON, ASCII only (Python)
    R"(AIza/Sy+D3k\"Q9\\vLm\u0026N0p\u003cRt\u003eUw)" + kEAcute + "7bQ", // JSON, HTML-safe (Go)
    "AIza%2FSy%2BD3k%22Q9%5CvLm%26N0p%3CRt%3EUw%C3%A97bQ",                // percent-encoded
    "AIza%2fSy%2bD3k%22Q9%5cvLm%26N0p%3cRt%3eUw%c3%a97bQ"};               // lower-case hex

// The shortest piece of a key that counts as a leak: a shorter one is not worth redacting (see
// Redactor), and provider_keys() itself shows the last four characters.
constexpr std::size_t kMinPiece = 4;

std::optional<std::string> piece_of(const std::string &secret, const std::string &message) {
    for (std::size_t i = 0; i + kMinPiece <= secret.size(); ++i)
        if (message.find(secret.substr(i, kMinPiece)) != std::string::npos)
            return secret.substr(i, kMinPiece);
    return std::nullopt;
}

std::string quote(const std::string &text) { // a JSON string literal
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

enum class Api { GeminiImage, GeminiText, Fal };

std::unique_ptr<ProviderCall> make_call(Api api, const std::string &key) {
    ProviderConfig config;
    config.api_key = key;
    if (api == Api::Fal) {
        config.base_url = "https://queue.fal.run";
        config.model = "fal-ai/flux/dev/image-to-image";
    } else {
        config.base_url = "https://generativelanguage.googleapis.com";
        config.model = api == Api::GeminiText ? "gemini-2.5-flash" : "gemini-2.5-flash-image";
    }
    if (api == Api::GeminiText) {
        TextRequest request;
        request.prompt = "Write a prompt";
        return gemini::text_provider().make_call(config, request);
    }
    ImageRequest request;
    request.prompt = "a park";
    request.reference = "JPEGDATA";
    request.reference_mime = "image/jpeg";
    return (api == Api::Fal ? fal::image_provider() : gemini::image_provider()).make_call(config, request);
}

// Runs a call on canned replies; the last one must finish it.
Outcome outcome_of(Api api, const std::string &key, std::vector<HttpResponse> replies) {
    auto call = make_call(api, key);
    Action action = call->start();
    for (HttpResponse &reply : replies) {
        EXPECT_EQ(action.type, Action::Type::Send);
        action = call->on_response(std::move(reply));
    }
    EXPECT_EQ(action.type, Action::Type::Finish);
    return action.outcome;
}

// One error path: the replies that end a call with a message quoting `text`, the excerpt limit
// of that path, and what the message says before the excerpt.
struct Path {
    std::string name;
    Api api;
    std::size_t cut;
    std::string lead;
    std::function<std::vector<HttpResponse>(const std::string &text)> replies;
};

void PrintTo(const Path &path, std::ostream *os) {
    *os << path.name;
}

// The end of a long message, where the excerpt is cut.
std::string end_of(const std::string &message) {
    return message.size() <= 160 ? message : "..." + message.substr(message.size() - 160);
}

std::vector<HttpResponse> one(long status, std::string body) {
    return {response(status, std::move(body))};
}

// fal replies up to the step that fails.
std::vector<HttpResponse> fal_at(int step, HttpResponse failure) {
    std::vector<HttpResponse> replies = {response(200, read_fixture("fal_submit.json")),
                                         response(200, read_fixture("fal_status_completed.json")),
                                         response(200, read_fixture("fal_result.json"))};
    replies.resize(static_cast<std::size_t>(step));
    replies.push_back(std::move(failure));
    return replies;
}

std::string envelope(const std::string &text) {
    return R"({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": )" + quote(text) + "}}";
}
std::string blocked(const std::string &text) {
    return R"({"promptFeedback": {"blockReason": "OTHER", "blockReasonMessage": )" + quote(text) + "}}";
}
std::string finished(const char *reason, const std::string &text) {
    return R"({"candidates": [{"finishReason": ")" + std::string(reason) + R"(", "finishMessage": )" +
           quote(text) + "}]}";
}
std::string answered(const char *reason, const std::string &text) {
    return R"({"candidates": [{"finishReason": ")" + std::string(reason) +
           R"(", "content": {"parts": [{"text": )" + quote(text) + "}]}}]}";
}
std::string detail(const std::string &text) {
    return R"({"detail": )" + quote(text) + "}";
}

std::vector<Path> paths() {
    using S = const std::string &;
    std::vector<Path> out;
    struct Gemini {
        Api api;
        std::string name, what;
    };
    for (const Gemini &g : {Gemini{Api::GeminiImage, "GeminiImage", "Gemini image generateContent"},
                            Gemini{Api::GeminiText, "GeminiText", "Gemini generateContent"}}) {
        out.push_back(
            {g.name + "ErrorEnvelope", g.api, 1000,
             g.what + " returned HTTP 400: INVALID_ARGUMENT: ", [](S t) { return one(400, envelope(t)); }});
        out.push_back({g.name + "OtherErrorBody", g.api, 300,
                       g.what + " returned HTTP 502: ", [](S t) { return one(502, t); }});
        out.push_back({g.name + "MalformedReply", g.api, 200,
                       g.what + " returned HTTP 200 with a body that is not a generateContent reply: ",
                       [](S t) { return one(200, t); }});
        out.push_back(
            {g.name + "BlockedPrompt", g.api, 500,
             g.what + " refused the prompt (blockReason OTHER): ", [](S t) { return one(200, blocked(t)); }});
    }
    const std::string image = "Gemini image generateContent";
    out.insert(
        out.end(),
        {
            {"GeminiImageRefusalMessage", Api::GeminiImage, 500,
             image + " returned no image (finishReason IMAGE_SAFETY): ",
             [](S t) { return one(200, finished("IMAGE_SAFETY", t)); }},
            {"GeminiImageRefusalText", Api::GeminiImage, 500,
             image + " returned no image (finishReason IMAGE_OTHER): ",
             [](S t) { return one(200, answered("IMAGE_OTHER", t)); }},
            {"GeminiImageTextOnly", Api::GeminiImage, 500,
             image + " answered with text only (finishReason STOP): ",
             [](S t) { return one(200, answered("STOP", t)); }},
            {"GeminiTextRefusalMessage", Api::GeminiText, 500,
             "Gemini generateContent stopped with finishReason SAFETY: ",
             [](S t) { return one(200, finished("SAFETY", t)); }},
            {"FalSubmitDetail", Api::Fal, 1000,
             "fal submit returned HTTP 400: ", [](S t) { return one(400, detail(t)); }},
            {"FalSubmitOtherErrorBody", Api::Fal, 300,
             "fal submit returned HTTP 502: ", [](S t) { return one(502, t); }},
            {"FalSubmitWithoutTicket", Api::Fal, 200,
             "fal submit returned HTTP 200 without status_url/response_url: ",
             [](S t) { return one(200, t); }},
            {"FalStatusLost", Api::Fal, 1000,
             "fal status returned HTTP 404: ", [](S t) { return fal_at(1, response(404, detail(t))); }},
            {"FalResultDetail", Api::Fal, 1000,
             "fal result returned HTTP 422: ", [](S t) { return fal_at(2, response(422, detail(t))); }},
            {"FalResultWithoutImage", Api::Fal, 200,
             "fal result has no images[0].url: ", [](S t) { return fal_at(2, response(200, t)); }},
            {"FalDownloadErrorBody", Api::Fal, 200,
             "fal image download returned HTTP 403: ", [](S t) { return fal_at(3, response(403, t)); }},
        });
    return out;
}

class KeyAroundTheCut : public ::testing::TestWithParam<Path> {
  protected:
    // Quotes `spelling` (of `secret`) at every offset from cut - length - 2 to cut + 2 and checks
    // each message; reports the failing offsets once, with the first failure.
    void sweep(const std::string &key, const std::string &secret, const std::string &spelling) {
        const Path &path = GetParam();
        std::vector<std::size_t> failed;
        std::string first;
        for (std::size_t offset = path.cut - spelling.size() - 2; offset <= path.cut + 2; ++offset) {
            const std::string text = std::string(offset, 'x') + spelling + std::string(path.cut, 'x');
            const std::string problem =
                check(outcome_of(path.api, key, path.replies(text)).message, offset, secret, spelling);
            if (problem.empty()) continue;
            failed.push_back(offset);
            if (first.empty()) first = "at offset " + std::to_string(offset) + ": " + problem;
        }
        if (!failed.empty())
            ADD_FAILURE() << failed.size() << " offsets of " << spelling.size() + 5 << " fail for \""
                          << spelling << "\" (cut at " << path.cut << "), first " << first;
    }

    // Empty when the message is safe and still useful: it says what failed, keeps the text
    // before the key, and marks the key where the excerpt reached it.
    std::string check(const std::string &message, std::size_t offset, const std::string &secret,
                      const std::string &spelling) {
        const Path &path = GetParam();
        for (const std::string *s : {&secret, &spelling})
            if (auto piece = piece_of(*s, message))
                return "\"" + *piece + "\" survives in: " + end_of(message);
        std::string expected = path.lead + std::string(std::min(offset, path.cut), 'x');
        if (offset < path.cut) expected += "[redacted]";
        if (message.compare(0, expected.size(), expected) != 0)
            return "the message does not start with ..." + end_of(expected) + ": " + end_of(message);
        if (message.size() < 3 || message.compare(message.size() - 3, 3, "…") != 0)
            return "the cut is not marked: " + end_of(message);
        return {};
    }
};

TEST_P(KeyAroundTheCut, LeavesNoPieceOfTheKey) {
    if (GetParam().api != Api::Fal) return sweep(kGeminiKey, kGeminiKey, kGeminiKey);
    sweep(kFalKey, kFalKey, kFalKey);
    sweep(kFalKey, kFalId, kFalId); // fal may name either half of the key alone
    sweep(kFalKey, kFalSecret, kFalSecret);
}

TEST_P(KeyAroundTheCut, LeavesNoPieceOfAnEncodedKey) {
    for (const std::string &spelling : kOddSpellings)
        sweep(kOddKey, kOddKey, spelling);
}

INSTANTIATE_TEST_SUITE_P(Providers, KeyAroundTheCut, ::testing::ValuesIn(paths()),
                         [](const ::testing::TestParamInfo<Path> &info) { return info.param.name; });

// libcurl's error buffer holds 256 bytes: a description quoting a key may arrive already cut,
// before rolloy can redact it.
TEST(KeyCutBeforeRolloySawIt, TheHeadOfTheKeyIsRedacted) {
    for (const Api api : {Api::GeminiImage, Api::GeminiText, Api::Fal}) {
        const std::string &key = api == Api::Fal ? kFalKey : kGeminiKey;
        for (std::size_t n = kMinPiece; n < key.size(); ++n) {
            HttpResponse cut;
            cut.transport_error = TransportError::Connect;
            cut.error = "Failed to connect to proxy for " + key.substr(0, n);
            const std::string message = outcome_of(api, key, {cut}).message;
            EXPECT_EQ(piece_of(key, message), std::nullopt) << n << ": " << message;
            EXPECT_NE(message.find("Failed to connect to proxy for [redacted]"), std::string::npos)
                << message;
        }
    }
}

TEST(Redactor, HidesEveryOccurrenceAndMergesOverlappingOnes) {
    const Redactor r("AIzaSECRET");
    EXPECT_EQ(r.redact("key AIzaSECRET and AIzaSECRET"), "key [redacted] and [redacted]");
    EXPECT_EQ(r.redact("AIzaSECRETAIzaSECRET"), "[redacted][redacted]");
    EXPECT_EQ(r.redact("nothing here"), "nothing here");
    // Occurrences at 1, 4 and 7 overlap: replacing them one at a time would leave "cabcab".
    EXPECT_EQ(Redactor("abcabcab").redact("xabcabcabcabcabx"), "x[redacted]x");
}

TEST(Redactor, LeavesSecretsShorterThanFourAlone) {
    EXPECT_EQ(Redactor("abc").redact("abc abcd"), "abc abcd"); // would mangle every message
    EXPECT_EQ(Redactor("").redact("text"), "text");
    EXPECT_EQ(Redactor("ab:cdefghij").redact("ab cdefghij"), "ab [redacted]"); // a short part too
}

TEST(Redactor, HidesEachHalfOfAFalKey) {
    const Redactor r(kFalKey);
    EXPECT_EQ(r.redact("Key ID " + kFalId + " has no secret " + kFalSecret + "."),
              "Key ID [redacted] has no secret [redacted].");
    EXPECT_EQ(r.redact("Key " + kFalKey), "Key [redacted]");
    EXPECT_EQ(r.redact("Key " + kFalId + "%3A" + kFalSecret), "Key [redacted]"); // percent-encoded
}

TEST(Redactor, HidesTheEncodedSpellings) {
    const Redactor r(kOddKey);
    for (const std::string &spelling : kOddSpellings)
        EXPECT_EQ(r.redact("<" + spelling + ">"), "<[redacted]>") << spelling;
}

TEST(Redactor, HidesTheHeadOfAKeySomeoneElseCut) {
    const Redactor r("AIzaSECRET");
    EXPECT_EQ(r.redact("host AIzaSECR"), "host [redacted]");
    EXPECT_EQ(r.redact("host AIzaSECR \n"), "host [redacted] \n");
    EXPECT_EQ(r.redact("host AIz"), "host AIz");           // three characters tell nothing
    EXPECT_EQ(r.redact("AIzaSECR host"), "AIzaSECR host"); // inside a text, a head may be anything
}

TEST(Redactor, ExcerptsAreOneLineAndCutOnCharacterBoundaries) {
    const Redactor r("AIzaSECRET");
    EXPECT_EQ(r.excerpt("  a\n\tb  c \r\n"), "a b c");
    EXPECT_EQ(r.excerpt("abcdef", 3), "abc…");
    EXPECT_EQ(r.excerpt("ab\xc3\xa9z", 3), "ab\xc3\xa9…"); // é is kept whole
}

TEST(Redactor, ExcerptsHideTheKeyBeforeTheyCutAndKeepTheMarkWhole) {
    const Redactor r("AIzaSECRET");
    EXPECT_EQ(r.excerpt("abAIzaSECRETcd", 3), "ab[redacted]…");
    EXPECT_EQ(r.excerpt("ab AIzaSECRET", 5), "ab [redacted]");
    EXPECT_EQ(r.excerpt("abcAIzaSECRET", 3), "abc…");
    EXPECT_EQ(r.excerpt("a\tAIzaSECRET\nb", 300), "a [redacted] b");
}

TEST(SecretSpellings, OnePlainSpellingForPlainKeys) {
    EXPECT_EQ(secret_spellings(kGeminiKey), std::vector<std::string>{kGeminiKey});
    EXPECT_EQ(secret_spellings(kFalSecret), std::vector<std::string>{kFalSecret});
    const auto fal = secret_spellings(kFalKey); // ':' is percent-encoded
    EXPECT_EQ(fal,
              (std::vector<std::string>{kFalKey, kFalId + "%3A" + kFalSecret, kFalId + "%3a" + kFalSecret}));
}

TEST(SecretSpellings, CoversTheEncodersProvidersUse) {
    const auto spellings = secret_spellings(kOddKey);
    EXPECT_EQ(spellings.front(), kOddKey);
    for (const std::string &expected : kOddSpellings)
        EXPECT_NE(std::find(spellings.begin(), spellings.end(), expected), spellings.end()) << expected;
    const auto emoji = secret_spellings("key\xf0\x9f\x94\x91"); // U+1F511: a surrogate pair
    EXPECT_NE(std::find(emoji.begin(), emoji.end(), R"(key\ud83d\udd11)"), emoji.end());
    EXPECT_NE(std::find(emoji.begin(), emoji.end(), R"(key\uD83D\uDD11)"), emoji.end());
}

} // namespace
} // namespace rolloy::providers
