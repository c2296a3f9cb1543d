// SHA-256 (FIPS 180-4), used to fingerprint stored images so identical bytes are recognised and
// downloads can be verified. Self-contained: the core links no crypto library.
#pragma once
#include "core/common/core_only.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rolloy {

// Incremental hasher: update() any number of times, then digest() once.
class Sha256 {
  public:
    Sha256();
    void update(std::string_view data);
    // Finishes the hash; the object must not be updated afterwards (reset() makes it reusable).
    std::array<std::uint8_t, 32> digest();
    void reset();

  private:
    void compress(const std::uint8_t *block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_;
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

// Lower-case hexadecimal SHA-256 of data (64 characters).
std::string sha256_hex(std::string_view data);

} // namespace rolloy
