// How images are laid out in an object store, from their storage references:
//   s3:generated/<project>/<image>/<sha256>  ->  object <that path> (the file)
// One object per image: the 300x300 thumbnail is kept in the database (a row of
// rolloy.image_store under the same reference), which halves the requests per image. Builds
// before that wrote a second object, <that path>.thumbnail; the orphan sweep still knows it.
// The content hash in the reference makes every upload idempotent: a retried upload of the same
// result writes the same bytes to the same key, and a different result (a later attempt) gets a
// key of its own, so a committed row never points at bytes another attempt overwrote.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>
#include <string>

namespace rolloy::storage {

inline constexpr const char *kS3Scheme = "s3:";
// Suffix of the thumbnail objects of earlier builds (none are written now).
inline constexpr const char *kThumbnailSuffix = ".thumbnail";

std::string s3_generated_ref(const std::string &project_id, const std::string &image_id,
                             const std::string &sha256);

// The object key of an "s3:" reference (throws rolloy::Error(InvalidInput) for another scheme).
std::string content_key(const std::string &ref);

// The reference an object key belongs to (a file, or a thumbnail object of an earlier build);
// nothing for keys rolloy did not write.
std::optional<std::string> ref_of_key(const std::string &key);

} // namespace rolloy::storage
