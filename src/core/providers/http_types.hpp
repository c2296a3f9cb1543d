// The plain data exchanged with HttpClient: what to send and what came back.
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rolloy::providers {

enum class HttpMethod { Get, Post, Put, Delete };

const char *to_string(HttpMethod method);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Limits of one HTTP exchange. Zero means "use the client default" (HttpClientOptions).
struct HttpLimits {
    std::int64_t connect_timeout_ms = 0;
    std::int64_t total_timeout_ms = 0; // the clock starts when the transfer starts, not when queued
    std::int64_t max_response_bytes = 0;
    std::optional<bool> follow_redirects; // unset: client default (off for API calls)
    // A request that must reach the server at most once (a create without idempotency key):
    // libcurl re-sends a request by itself when a reused connection dies before any answer
    // byte, so this one opens a new connection.
    bool fresh_connection = false;
};

struct HttpRequest {
    HttpMethod method = HttpMethod::Get;
    std::string url; // http:// or https:// only; other schemes fail without a connection
    HeaderList headers;
    std::string body; // sent for Post/Put (may be empty)
    // Requests of one pool share a concurrency limit (HttpClient::set_pool_limit); providers use
    // their own name so that one slow provider cannot starve another.
    std::string pool;
    HttpLimits limits;
};

// Why a transfer did not produce an HTTP response.
enum class TransportError {
    None,
    Timeout,    // connect or total timeout
    Connect,    // DNS, refused, reset, TLS handshake, connection closed mid-body
    TooLarge,   // the body exceeded max_response_bytes; the transfer was stopped
    BadRequest, // a malformed URL, a forbidden scheme, a header with a line break
    Aborted,    // cancelled by the caller (should_abort, cancel())
    Other,
};

const char *to_string(TransportError error);

struct HttpResponse {
    long status = 0;    // 0 when no response arrived (transport_error != None)
    HeaderList headers; // names lower-cased, in arrival order, of the final response only
    std::string body;
    std::int64_t elapsed_ms = 0; // from transfer start to end (queue wait excluded)
    std::int64_t queued_ms = 0;  // time spent waiting for a free slot in its pool
    TransportError transport_error = TransportError::None;
    std::string error; // libcurl's description of a transport error, never contains headers

    bool ok() const { return transport_error == TransportError::None; }
    // First header with that (case-insensitive) name, or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
};

} // namespace rolloy::providers
