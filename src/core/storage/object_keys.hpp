// How images are laid out in an object store, from their storage references:
//   s3:generated/<project>/<image>/<sha256>  ->  objects <that path> (the file) and
//                                                 <that path>.thumbnail (300x300 JPEG)
// The content hash in the reference makes every upload idempotent: a retried upload of the same
// result writes the same bytes to the same key, and a different result (a later attempt) gets a
// key of its own, so a committed row never points at bytes another attempt overwrote.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>
#include <string>

namespace rolloy::storage {

inline constexpr const char *kS3Scheme = "s3:";
inline constexpr const char *kThumbnailSuffix = ".thumbnail";

std::string s3_generated_ref(const std::string &project_id, const std::string &image_id,
                             const std::string &sha256);

// The object keys of an "s3:" reference (throws rolloy::Error(InvalidInput) for another scheme).
std::string content_key(const std::string &ref);
std::string thumbnail_key(const std::string &ref);

// The reference an object key belongs to (a file or its thumbnail); nothing for keys rolloy
// did not write.
std::optional<std::string> ref_of_key(const std::string &key);

} // namespace rolloy::storage
