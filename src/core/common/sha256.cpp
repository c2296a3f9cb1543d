#include "core/common/sha256.hpp"

#include "core/common/error.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

namespace rolloy {
namespace {

// OpenSSL's reasons for the last failure, oldest first. Draining the thread's error queue also
// keeps a stale entry from being blamed on the next OpenSSL call in the process (Postgres' own
// SSL code shares the queue).
std::string openssl_errors() {
    std::string reasons;
    while (unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        reasons += (reasons.empty() ? "" : "; ") + std::string(text);
    }
    return reasons.empty() ? "no reason given" : reasons;
}

} // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length != 32)
        throw Error(ErrorKind::Internal, "could not compute a SHA-256 digest",
                    "OpenSSL: " + openssl_errors());
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0x0f]);
    }
    return hex;
}

} // namespace rolloy
