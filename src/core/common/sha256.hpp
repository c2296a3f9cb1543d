// SHA-256, used to fingerprint stored images (identical bytes are recognised, downloads can be
// verified) and imported files. Computed by OpenSSL's libcrypto: its SHA-NI / AVX2 code is about
// 6x the speed of a portable C++ loop, and a hash is no place for code of our own.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy {

// Lower-case hexadecimal SHA-256 of data (64 characters).
// Throws rolloy::Error (Internal) if OpenSSL fails, with OpenSSL's reason in the detail.
std::string sha256_hex(std::string_view data);

} // namespace rolloy
