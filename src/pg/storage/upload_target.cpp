#include "pg/storage/upload_target.hpp"

#include "pg/storage/s3_settings.hpp"

namespace rolloy::pg::storage {

void UploadTarget::refresh(SpiConnection &spi) {
    std::shared_ptr<const rolloy::storage::S3Config> next;
    if (new_images_go_to_s3()) {
        // s3 without an endpoint still means s3: uploads fail with a message that says what is
        // missing, and the results wait, rather than landing in the database unasked.
        rolloy::storage::S3Config config = load_s3_config(spi).value_or(rolloy::storage::S3Config{});
        std::lock_guard<std::mutex> lock(mutex_);
        if (s3_ && *s3_ == config) return; // unchanged: the threads keep their connections
        s3_ = std::make_shared<const rolloy::storage::S3Config>(std::move(config));
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    s3_ = std::move(next);
}

std::shared_ptr<const rolloy::storage::S3Config> UploadTarget::s3() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return s3_;
}

} // namespace rolloy::pg::storage
