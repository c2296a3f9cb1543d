// One HTTP exchange as a libcurl easy handle: option setup, header/body collection with the
// size cap, and the translation of the result into an HttpResponse. Internal to HttpClient.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/http_client.hpp"

#include <curl/curl.h>

#include <chrono>
#include <string>

namespace rolloy::providers::detail {

using Clock = std::chrono::steady_clock;

class CurlTransfer {
  public:
    CurlTransfer(RequestId id, HttpRequest request, Clock::time_point queued_at);
    ~CurlTransfer();
    CurlTransfer(const CurlTransfer &) = delete;
    CurlTransfer &operator=(const CurlTransfer &) = delete;

    RequestId id() const { return id_; }
    const std::string &pool() const { return request_.pool; }

    // Empty when the request may be sent; otherwise why not (safe to show: no header values).
    std::string validate() const;

    // Creates and configures the easy handle. False (with response() filled) on failure.
    bool prepare(const HttpClientOptions &options);
    CURL *easy() const { return easy_; }
    void mark_started(Clock::time_point now);

    // Fills response() from the finished handle and libcurl's result code.
    void finish(CURLcode code, Clock::time_point now);
    // Marks the transfer as failed before or without a response.
    void fail(TransportError error, std::string message, Clock::time_point now);

    HttpResponse take_response() { return std::move(response_); }

  private:
    static size_t on_body(char *data, size_t size, size_t count, void *self);
    static size_t on_header(char *data, size_t size, size_t count, void *self);

    RequestId id_;
    HttpRequest request_;
    HttpResponse response_;
    CURL *easy_ = nullptr;
    curl_slist *header_list_ = nullptr;
    char error_buffer_[CURL_ERROR_SIZE] = {};
    std::int64_t max_bytes_ = 0;
    bool too_large_ = false;
    Clock::time_point queued_at_;
    Clock::time_point started_at_;
};

} // namespace rolloy::providers::detail
