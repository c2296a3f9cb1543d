// One signed S3 request on a libcurl easy handle. The blocking client (s3_client.hpp) and the
// worker's concurrent uploads (upload_pipeline.hpp) both build their requests here, so they
// send the same bytes: the rules Debian 12's libcurl 7.88 needs (docs/generation.md#storage) live
// in one place.
#pragma once
#include "core/common/core_only.hpp"

#include "core/storage/s3_config.hpp"

#include <curl/curl.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rolloy::storage {

// The headers a request signs, as libcurl receives them (exposed for tests): the payload hash,
// the content type of a PUT, the session token.
std::vector<std::string> request_headers(const S3Config &config, const std::string &payload_sha256,
                                         const std::string &content_type);

// The value of CURLOPT_AWS_SIGV4 for a region.
std::string sigv4_option(const S3Config &config);

// The <Code> and <Message> of an S3 error body (empty when absent).
std::pair<std::string, std::string> parse_error_body(const std::string &xml);

struct S3Reply {
    long status = 0;
    std::string body;
};

// S3Error for an answer outside 2xx: status, S3's code and message, the object's path, a hint
// (never the secret or a signature).
[[noreturn]] void throw_s3_failure(const S3Config &config, const char *method, const std::string &key,
                                   const S3Reply &reply);

class S3Request {
  public:
    // Resets `easy` and sets every option for METHOD on KEY (and QUERY, canonical already).
    // `body` (null: none) and `abort_check` (null: never) must outlive the transfer; the
    // request itself must too, as libcurl keeps pointers into it. `body_sha256`: the body's
    // SHA-256 in hex when the caller has it already (empty: computed here).
    S3Request(CURL *easy, const S3Config &config, const char *method, std::string key,
              const std::string &query, const std::string *body, const std::string &content_type,
              std::size_t max_bytes, const std::function<bool()> *abort_check,
              const std::string &body_sha256 = {});
    ~S3Request();
    S3Request(const S3Request &) = delete;
    S3Request &operator=(const S3Request &) = delete;

    // The answer, once the transfer ended with `code`; S3Error when none came (network,
    // timeout, a body over max_bytes, cancelled).
    S3Reply finish(CURLcode code);

    const std::string &key() const { return key_; }

  private:
    struct Sink {
        std::string *body;
        std::size_t max_bytes;
        bool too_large = false;
    };
    static size_t on_body(char *data, size_t size, size_t count, void *user);

    CURL *easy_;
    const S3Config &config_;
    const char *method_;
    std::string key_, url_, sigv4_;
    curl_slist *headers_ = nullptr;
    S3Reply reply_;
    Sink sink_;
    char error_buffer_[CURL_ERROR_SIZE] = {};
};

} // namespace rolloy::storage
