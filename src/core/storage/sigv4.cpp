#include "core/storage/sigv4.hpp"

#include "core/common/error.hpp"
#include "core/common/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rolloy::storage {

const char *const kEmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string uri_encode(std::string_view text, bool keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        if (unreserved || (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()), data.size(), out, &len))
        throw Error(ErrorKind::Internal, "HMAC-SHA256 failed (OpenSSL)");
    return std::string(reinterpret_cast<const char *>(out), len);
}

std::string to_hex(std::string_view bytes) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
    return out;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
    std::string k = hmac_sha256("AWS4" + std::string(secret), date);
    k = hmac_sha256(k, region);
    k = hmac_sha256(k, service);
    return hmac_sha256(k, "aws4_request");
}

std::string amz_date(std::time_t when) {
    std::tm tm{};
    gmtime_r(&when, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string presign_canonical_request(const PresignRequest &request, const std::string &canonical_query) {
    return "GET\n" + request.path + "\n" + canonical_query + "\nhost:" + request.host +
           "\n\nhost\nUNSIGNED-PAYLOAD";
}

std::string presign_get_query(const PresignRequest &request) {
    if (request.expires_seconds < 1 || request.expires_seconds > 604800)
        throw Error(ErrorKind::InvalidInput, "a presigned URL lives between 1 second and 7 days",
                    "asked for " + std::to_string(request.expires_seconds) + " seconds");
    const std::string when = amz_date(request.signed_at);
    const std::string date = when.substr(0, 8);
    const std::string scope = date + "/" + request.region + "/s3/aws4_request";
    // Parameters in byte order of their names (all start with X-Amz-): the canonical query.
    std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
    query += "&X-Amz-Credential=" + uri_encode(request.access_key_id + "/" + scope, false);
    query += "&X-Amz-Date=" + when;
    query += "&X-Amz-Expires=" + std::to_string(request.expires_seconds);
    if (!request.session_token.empty())
        query += "&X-Amz-Security-Token=" + uri_encode(request.session_token, false);
    query += "&X-Amz-SignedHeaders=host";
    const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + when + "\n" + scope + "\n" +
                                       sha256_hex(presign_canonical_request(request, query));
    const std::string key = signing_key(request.secret_access_key, date, request.region, "s3");
    return query + "&X-Amz-Signature=" + to_hex(hmac_sha256(key, string_to_sign));
}

} // namespace rolloy::storage
