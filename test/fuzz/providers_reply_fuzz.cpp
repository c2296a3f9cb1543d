// libFuzzer target for the provider response readers: Gemini replies and error envelopes, fal
// tickets, statuses, results and error bodies, the lifted-string JSON scan, Retry-After and
// base64. Provider bodies are untrusted; nothing may crash, no exception may escape, and no
// message of a call may contain its key, whatever the body quotes.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//       $(pkg-config --cflags --libs libcurl jansson) test/fuzz/providers_reply_fuzz.cpp \
//       src/core/providers/*.cpp src/core/common/base64.cpp -o providers_reply_fuzz &&
//       ./providers_reply_fuzz test/fixtures/providers
#include "core/common/base64.hpp"
#include "core/providers/fal_api.hpp"
#include "core/providers/fal_flux.hpp"
#include "core/providers/gemini_image.hpp"
#include "core/providers/gemini_text.hpp"
#include "core/providers/google_error.hpp"
#include "core/providers/json.hpp"
#include "core/providers/retry_after.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace rolloy::providers;

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}

const char kKeyId[] = "fuzzKEY1";
const char kKeySecret[] = "fuzzSEC2";

bool keeps_the_key(const std::string &message) {
    return message.find(kKeyId) != std::string::npos || message.find(kKeySecret) != std::string::npos;
}

// The call's message for `response` as the first reply: Gemini's only one, fal's submit.
std::string call_message(const ImageProvider &provider, const HttpResponse &response) {
    ProviderConfig config;
    config.base_url = "https://example.test";
    config.model = "m";
    config.api_key = std::string(kKeyId) + ":" + kKeySecret;
    ImageRequest request;
    request.reference = "JPEG";
    const auto call = provider.make_call(config, request);
    (void)call->start();
    const Action action = call->on_response(response);
    return action.type == Action::Type::Finish ? action.outcome.message : std::string();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string body(reinterpret_cast<const char *>(data), size);
    HttpResponse r;
    r.body = body;
    r.headers = {{"retry-after", body.substr(0, 40)}, {"x-fal-request-timeout-type", "user"}};
    const Redactor redactor(std::string(kKeyId) + ":" + kKeySecret);
    for (const long status : {200L, 429L, 503L}) {
        r.status = status;
        const Outcome text = gemini::text_outcome(r, 64, redactor);
        check(status != 200 || text.success() || !text.message.empty());
        const Outcome image = gemini::image_outcome(r, redactor);
        check(!image.success() || !image.image.empty());
        (void)fal::error_outcome(r, "fal", redactor);
        check(!keeps_the_key(call_message(gemini::image_provider(), r)));
        check(!keeps_the_key(call_message(fal::image_provider(), r)));
    }
    (void)parse_google_error(body);
    (void)fal::parse_ticket(body);
    (void)fal::decode_ticket(body);
    (void)fal::parse_status(body);
    (void)fal::parse_result(body);
    const auto lifted = json::LiftedDocument::parse(body, 8);
    if (lifted.root()) (void)lifted.get_string(lifted.root(), {"a"});
    (void)parse_retry_after_ms(body, 1445412480);
    (void)parse_duration_ms(body);
    if (const auto decoded = rolloy::base64_decode(body)) {
        const auto again = rolloy::base64_decode(rolloy::base64_encode(*decoded));
        check(again && *again == *decoded);
    }
    return 0;
}
