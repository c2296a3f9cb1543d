// An encoded image as stored by rolloy: the bytes, their size in pixels and their fingerprint.
#pragma once
#include "core/common/core_only.hpp"

#include <string>

namespace rolloy::images {

struct EncodedImage {
    std::string bytes; // JPEG file
    std::string mime;  // "image/jpeg"
    int width = 0;
    int height = 0;
    std::string sha256; // lower-case hex of bytes
};

} // namespace rolloy::images
