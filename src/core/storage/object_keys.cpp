#include "core/storage/object_keys.hpp"

#include "core/common/error.hpp"

#include <cstring>

namespace rolloy::storage {

std::string s3_generated_ref(const std::string &project_id, const std::string &image_id,
                             const std::string &sha256) {
    return std::string(kS3Scheme) + "generated/" + project_id + "/" + image_id + "/" + sha256;
}

std::string content_key(const std::string &ref) {
    if (ref.rfind(kS3Scheme, 0) != 0 || ref.size() <= std::strlen(kS3Scheme))
        throw Error(ErrorKind::InvalidInput, "not an s3 storage reference: \"" + ref.substr(0, 80) + "\"");
    return ref.substr(std::strlen(kS3Scheme));
}

std::optional<std::string> ref_of_key(const std::string &key) {
    if (key.rfind("generated/", 0) != 0 && key.rfind("reference/", 0) != 0) return std::nullopt;
    std::string path = key;
    const std::size_t suffix = std::strlen(kThumbnailSuffix);
    if (path.size() > suffix && path.compare(path.size() - suffix, suffix, kThumbnailSuffix) == 0)
        path.resize(path.size() - suffix);
    return kS3Scheme + path;
}

} // namespace rolloy::storage
