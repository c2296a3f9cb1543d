// libFuzzer target for Replicate's replies: prediction objects (create and poll answers), list
// pages, RFC 7807 error bodies and resume tokens (tickets and pending creates). Bodies are untrusted; nothing
// may crash, no exception may escape, no message may contain the key, and a call given any token either polls
// on the configured origin, creates, or fails without sending the key anywhere else.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//       $(pkg-config --cflags --libs libcurl jansson) test/fuzz/replicate_reply_fuzz.cpp \
//       src/core/providers/*.cpp src/core/common/{base64,sha256,utf8}.cpp -lcrypto -o replicate_reply_fuzz &&
//       ./replicate_reply_fuzz test/fixtures/providers
#include "core/providers/replicate_api.hpp"
#include "core/providers/replicate_flux.hpp"
#include "core/providers/replicate_reconcile.hpp"
#include "core/providers/url.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace rolloy::providers;

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}

const char kKey[] = "r8_fuzzKEYfuzz";
const char kBase[] = "https://api.replicate.com";

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = kBase;
    c.model = "black-forest-labs/flux-dev";
    c.api_key = kKey;
    c.options["step_retries"] = "1";
    return c;
}

bool carries_key(const HttpRequest &req) {
    for (const auto &[name, value] : req.headers)
        if (value.find(kKey) != std::string::npos) return true;
    return false;
}

// Every request with the key goes to the API's origin; every finish keeps the key out.
void check_action(const Action &a) {
    if (a.type == Action::Type::Send) {
        check(!carries_key(a.request) || same_origin(a.request.url, kBase));
    } else {
        check(a.outcome.message.find(kKey) == std::string::npos);
        check(!a.outcome.success() || !a.outcome.image.empty());
    }
}

// Feeds `response` to a call again and again (create, polls, download) until it finishes.
void drive(ProviderCall &call, Action a, const HttpResponse &response) {
    for (int i = 0; i < 8 && a.type == Action::Type::Send; ++i) {
        check_action(a);
        a = call.on_response(response);
    }
    check_action(a);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string body(reinterpret_cast<const char *>(data), size);
    (void)replicate::parse_prediction(body);
    (void)replicate::decode_ticket(body);
    (void)replicate::decode_pending(body);
    (void)replicate::parse_page(body); // list pages (reconciling a create without an answer)
    (void)replicate::parse_iso8601(body);
    const Redactor redactor(kKey);
    for (const long status : {200L, 201L, 202L, 404L, 422L, 429L, 502L}) {
        HttpResponse r;
        r.status = status;
        r.body = body;
        r.headers = {{"retry-after", body.substr(0, 20)}, {"content-type", body.substr(0, 30)}};
        check(replicate::error_message(r, redactor).find(kKey) == std::string::npos);

        ImageRequest request;
        request.prompt = "p";
        request.reference = "JPEG";
        auto call = replicate::image_provider().make_call(config(), request);
        drive(*call, call->start(), r);

        // The body as a resume token: it must never send the key off the API's origin.
        request.resume_token = body;
        auto resumed = replicate::image_provider().make_call(config(), request);
        drive(*resumed, resumed->start(), r);
        if (const auto cancel = resumed->cancel_request()) check(same_origin(cancel->url, kBase));
    }
    return 0;
}
