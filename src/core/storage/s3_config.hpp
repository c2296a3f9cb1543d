// Where an S3-compatible bucket is and how to sign for it, and the URLs of its objects.
// Endpoints: AWS (https://s3.REGION.amazonaws.com, virtual-hosted or path style), Cloudflare R2
// (https://ACCOUNT.r2.cloudflarestorage.com, path style, region "auto"), MinIO, and Supabase
// Storage (https://REF.supabase.co/storage/v1/s3, path style, the project's region): the
// endpoint may carry a base path, which every object path starts with.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::storage {

struct S3Config {
    std::string endpoint; // scheme://host[:port][/base path]
    std::string bucket;
    std::string region = "us-east-1";
    bool path_style = true; // https://host/bucket/key; false: https://bucket.host/key
    std::string access_key_id, secret_access_key;
    std::string session_token; // temporary credentials (x-amz-security-token), optional
    long connect_timeout_ms = 5000;
    long timeout_ms = 60000;
};

// Every field equal (a client made for `a` serves `b`).
bool operator==(const S3Config &a, const S3Config &b);
inline bool operator!=(const S3Config &a, const S3Config &b) {
    return !(a == b);
}

// Throws rolloy::Error(InvalidInput) naming what is missing or malformed (never a secret).
void validate(const S3Config &config);

struct ObjectLocation {
    std::string base;      // scheme://authority
    std::string authority; // host[:port] as the Host header carries it (default port left out)
    std::string path;      // canonical (percent-encoded) path, starting with '/'
    std::string url() const { return base + path; }
};

// The location of `key` in the bucket (an empty key: the bucket itself, for listing).
ObjectLocation locate(const S3Config &config, std::string_view key);

} // namespace rolloy::storage
