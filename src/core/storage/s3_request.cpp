#include "core/storage/s3_request.hpp"

#include "core/common/sha256.hpp"
#include "core/storage/s3_client.hpp"
#include "core/storage/sigv4.hpp"

#include <cstring>

namespace rolloy::storage {
namespace {

int on_progress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto *check = static_cast<const std::function<bool()> *>(user);
    return (check && *check && (*check)()) ? 1 : 0;
}

} // namespace

std::vector<std::string> request_headers(const S3Config &config, const std::string &payload_sha256,
                                         const std::string &content_type) {
    std::vector<std::string> headers;
    headers.push_back("x-amz-content-sha256: " + payload_sha256);
    if (!content_type.empty()) headers.push_back("Content-Type: " + content_type);
    if (!config.session_token.empty()) headers.push_back("x-amz-security-token: " + config.session_token);
    return headers;
}

std::string sigv4_option(const S3Config &config) {
    return "aws:amz:" + config.region + ":s3";
}

size_t S3Request::on_body(char *data, size_t size, size_t count, void *user) {
    auto *sink = static_cast<Sink *>(user);
    const size_t n = size * count;
    if (sink->body->size() + n > sink->max_bytes) {
        sink->too_large = true;
        return 0;
    }
    sink->body->append(data, n);
    return n;
}

S3Request::S3Request(CURL *easy, const S3Config &config, const char *method, std::string key,
                     const std::string &query, const std::string *body, const std::string &content_type,
                     std::size_t max_bytes, const std::function<bool()> *abort_check,
                     const std::string &body_sha256)
    : easy_(easy), config_(config), method_(method), key_(std::move(key)),
      sigv4_(sigv4_option(config)), sink_{&reply_.body, max_bytes} {
    url_ = locate(config_, key_).url() + (query.empty() ? "" : "?" + query);
    const std::string payload_hash = !body                 ? std::string(kEmptyPayloadSha256)
                                     : body_sha256.empty() ? sha256_hex(*body)
                                                           : body_sha256;
    for (const std::string &h : request_headers(config_, payload_hash, content_type)) {
        curl_slist *grown = curl_slist_append(headers_, h.c_str());
        if (!grown) {
            curl_slist_free_all(headers_);
            throw S3Error(0, "", std::string("S3 ") + method + " failed: out of memory", "");
        }
        headers_ = grown;
    }
    CURL *h = easy_;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, config_.timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.access_key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.secret_access_key.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink_);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "rolloy-storage");
    // libcurl adds "Expect: 100-continue" to bodies over 1 MiB only (images are mostly smaller)
    // and then waits for the 100 answer, a round trip. Waiting 0 ms sends the body at once. The
    // header itself cannot be removed: 7.88 would sign the removal ("Expect:") and the server
    // would answer 403 SignatureDoesNotMatch (tried against @20minutes/s3rver).
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, abort_check);
    if (body) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    } else if (std::strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
}

S3Request::~S3Request() {
    curl_slist_free_all(headers_);
}

S3Reply S3Request::finish(CURLcode code) {
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &reply_.status);
    if (code != CURLE_OK) {
        const ObjectLocation loc = locate(config_, key_);
        std::string what = sink_.too_large
                               ? "the object is larger than " + std::to_string(sink_.max_bytes) + " bytes"
                           : code == CURLE_ABORTED_BY_CALLBACK ? std::string("cancelled")
                           : error_buffer_[0]                  ? std::string(error_buffer_)
                                                               : std::string(curl_easy_strerror(code));
        throw S3Error(0, "", std::string("S3 ") + method_ + " failed: " + what + " (" + loc.path + ")",
                      "endpoint " + loc.base);
    }
    return std::move(reply_);
}

void throw_s3_failure(const S3Config &config, const char *method, const std::string &key,
                      const S3Reply &reply) {
    auto [code, message] = parse_error_body(reply.body);
    std::string hint;
    if (reply.status == 403)
        hint = "Check the access key and secret (rolloy.set_storage_credentials), the region and the clock.";
    else if (code == "NoSuchBucket")
        hint = "Create the bucket or set rolloy.s3_bucket to an existing one.";
    const ObjectLocation loc = locate(config, key);
    // Status and code first: the worker keeps the first 255 bytes of a message.
    std::string text = "S3 " + std::string(method) + ": HTTP " + std::to_string(reply.status) +
                       (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message) + " (" +
                       loc.path + ")";
    if (text.size() > 400) text.resize(400);
    throw S3Error(reply.status, code, text, "endpoint " + loc.base, hint);
}

} // namespace rolloy::storage
