// Recognising an image format from its first bytes. File names and declared content types are
// never trusted: providers and uploads mislabel files, and a renamed PDF must not reach a decoder.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::images {

// The media type announced by the magic bytes at the start of `bytes`: "image/jpeg",
// "image/png", "image/webp", "image/gif", "image/tiff", "image/bmp", "image/avif", "image/heic",
// "image/jxl", "image/vnd.adobe.photoshop"; empty when no known image signature matches.
// Recognising a format does not mean it is accepted: see is_supported_mime().
std::string sniff_mime(std::string_view bytes);

// True for the formats this module decodes: JPEG, PNG, WebP and GIF (first frame).
bool is_supported_mime(std::string_view mime);

} // namespace rolloy::images
