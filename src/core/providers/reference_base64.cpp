#include "core/providers/reference_base64.hpp"

#include "core/common/base64.hpp"

namespace rolloy::providers {
namespace {

constexpr std::size_t kRememberAtMost = 2u << 20;

struct LastEncoded {
    std::string bytes;
    std::string base64;
};

} // namespace

std::string reference_base64(std::string_view bytes) {
    if (bytes.size() > kRememberAtMost) return base64_encode(bytes);
    thread_local LastEncoded last;
    // Comparing the bytes costs a few microseconds; encoding them again ~50 per 40 KB.
    if (!last.base64.empty() && std::string_view(last.bytes) == bytes) return last.base64;
    last.bytes.assign(bytes.data(), bytes.size());
    last.base64 = base64_encode(bytes);
    return last.base64;
}

} // namespace rolloy::providers
