// A blocking S3 client for the few calls rolloy makes: PUT, GET, DELETE of one object and
// ListObjectsV2. Requests are signed by libcurl (CURLOPT_AWS_SIGV4) with the rules Debian 12's
// libcurl 7.88 needs (s3_request.hpp, ../../../docs/generation.md#storage): we send
// x-amz-content-sha256 ourselves (7.88 does not), every header we pass is signed (so no
// "Expect:" removal), and the path is percent-encoded here because 7.88 signs it as given.
// One client holds one connection (kept alive between calls); use one per thread. Messages never
// carry the secret or a signature.
#pragma once
#include "core/common/core_only.hpp"

#include "core/common/error.hpp"
#include "core/storage/s3_config.hpp"
#include "core/storage/s3_request.hpp"

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rolloy::storage {

// A failed S3 call: the HTTP status (0: no answer) and S3's error code (NoSuchBucket,
// SignatureDoesNotMatch, ...), besides the message.
class S3Error : public Error {
  public:
    S3Error(long http_status, std::string code, const std::string &message, std::string detail = {},
            std::string hint = {})
        : Error(ErrorKind::ExternalService, message, std::move(detail), std::move(hint)),
          http_status_(http_status), code_(std::move(code)) {}
    long http_status() const noexcept { return http_status_; }
    const std::string &code() const noexcept { return code_; }

  private:
    long http_status_;
    std::string code_;
};

struct ListedObject {
    std::string key;
    std::time_t last_modified = 0;
};

// Keys, dates and the continuation token of a ListObjectsV2 answer.
struct ListPage {
    std::vector<ListedObject> objects;
    std::string next_token; // empty: the last page
};
ListPage parse_list_page(const std::string &xml);

class S3Client {
  public:
    explicit S3Client(S3Config config); // validates it
    ~S3Client();
    S3Client(const S3Client &) = delete;
    S3Client &operator=(const S3Client &) = delete;

    // Asked while a transfer runs; true aborts it (a Postgres cancel, shutdown). Must not call
    // Postgres: read a flag.
    void set_abort_check(std::function<bool()> check) { abort_check_ = std::move(check); }

    const S3Config &config() const { return config_; }

    void put(const std::string &key, const std::string &body, const std::string &content_type);
    // The object's bytes; nothing when the bucket has no such key (S3Error for anything else,
    // a missing bucket included). Bodies over max_bytes fail.
    std::optional<std::string> get(const std::string &key, std::size_t max_bytes);
    // Deletes a key (no error when it is already gone).
    void remove(const std::string &key);
    // Every object whose key starts with prefix.
    std::vector<ListedObject> list(const std::string &prefix);

  private:
    S3Reply perform(const char *method, const std::string &key, const std::string &query,
                    const std::string *body, const std::string &content_type, std::size_t max_bytes);

    S3Config config_;
    CURL *easy_ = nullptr;
    std::function<bool()> abort_check_;
};

} // namespace rolloy::storage
