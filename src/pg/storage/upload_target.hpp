// The worker's view of where new images go: refreshed by the worker's main thread inside a
// transaction (settings after a reload, credentials after set_storage_credentials), read by the
// result threads without Postgres.
#pragma once
#include "pg/common/spi.hpp"

#include "core/storage/s3_config.hpp"

#include <memory>
#include <mutex>

namespace rolloy::pg::storage {

class UploadTarget {
  public:
    // Reads rolloy.image_store and, for s3, the bucket's settings and credentials.
    void refresh(SpiConnection &spi);
    // The bucket new images are uploaded to before their rows are written; nullptr: the
    // database store (the row's own transaction stores the image).
    std::shared_ptr<const rolloy::storage::S3Config> s3() const;

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const rolloy::storage::S3Config> s3_;
};

} // namespace rolloy::pg::storage
