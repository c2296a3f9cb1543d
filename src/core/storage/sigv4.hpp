// AWS Signature Version 4 pieces for S3 that libcurl does not give us: the URI encoding of
// object keys (libcurl 7.88 signs the path verbatim, so it must already be canonical), the
// signing key, and presigned GET URLs (query-string signing, which libcurl cannot do at all).
// Header signing of requests is libcurl's (CURLOPT_AWS_SIGV4); see s3_client.hpp.
#pragma once
#include "core/common/core_only.hpp"

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace rolloy::storage {

// Percent-encodes every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), uppercase hex:
// the canonical form of SigV4 (AWS "UriEncode").
std::string uri_encode(std::string_view text, bool keep_slash);

// Hex SHA-256 of the empty body: the x-amz-content-sha256 of GET, HEAD and DELETE.
extern const char *const kEmptyPayloadSha256;

// HMAC-SHA256 (raw bytes) by OpenSSL.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
// date as YYYYMMDD. Raw bytes.
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// YYYYMMDDTHHMMSSZ of a UTC time.
std::string amz_date(std::time_t when);

struct PresignRequest {
    std::string host; // as sent in the Host header, with ":port" unless the default
    std::string path; // already encoded (uri_encode(..., true)), starting with '/'
    std::string access_key_id, secret_access_key, region;
    std::string session_token; // optional (X-Amz-Security-Token)
    std::time_t signed_at = 0;
    std::int64_t expires_seconds = 3600; // 1..604800
};

// The query string (without '?') of a presigned GET: X-Amz-Algorithm ... X-Amz-Signature.
// Throws rolloy::Error(InvalidInput) for an expiry outside 1 s .. 7 days.
std::string presign_get_query(const PresignRequest &request);

// The canonical request a presigned GET signs (exposed for tests and diagnostics).
std::string presign_canonical_request(const PresignRequest &request, const std::string &canonical_query);

} // namespace rolloy::storage
