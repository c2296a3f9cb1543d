#include "core/common/crc32.hpp"

#include <zlib.h>

namespace rolloy {

std::uint32_t crc32(std::string_view data, std::uint32_t previous) {
    // zlib returns 0, not `previous`, for a null buffer (an empty string_view may have one).
    if (data.empty()) return previous;
    // crc32_z takes a size_t length (plain crc32 a 32-bit one); zlib has it since 1.2.9.
    return std::uint32_t(::crc32_z(previous, reinterpret_cast<const Bytef *>(data.data()), data.size()));
}

} // namespace rolloy
