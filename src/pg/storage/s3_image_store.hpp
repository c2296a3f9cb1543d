// Scheme "s3": images as objects of an S3-compatible bucket (see core/storage/object_keys.hpp
// for the layout), one object per image; the thumbnail is a row of rolloy.image_store under the
// same reference (insert_image_row). Backends read the objects for image() and project_zip()
// (libcurl is initialised in the backend on first use, never in the postmaster), thumbnails
// from the database; the worker uploads new files before it writes their rows and thumbnails
// (core/storage/upload_pipeline.hpp).
#pragma once
#include "pg/storage/image_store.hpp"

#include "core/storage/s3_client.hpp"

namespace rolloy::pg::storage {

// This backend's client for the configured bucket (rebuilt when the settings or credentials
// change; cancels with the statement). Throws rolloy::Error when no bucket is configured.
rolloy::storage::S3Client &backend_s3_client(SpiConnection &spi);

class S3ImageStore final : public ImageStore {
  public:
    void put(SpiConnection &spi, const std::string &ref, const StoredImage &image) override;
    std::optional<std::string> get(SpiConnection &spi, const std::string &ref, Part part) override;
    // Deletes the thumbnail row only: the deleting transaction may still roll back, and an
    // object deleted by a transaction that did not commit would leave a row without its image.
    // Objects without a row are swept by rolloy.cleanup() (sweep_orphans).
    bool remove(SpiConnection &spi, const std::string &ref) override;
};

// Deletes the objects under generated/ and reference/ that no row refers to and that are older
// than grace_seconds (younger ones may belong to a row whose transaction has not committed
// yet: the worker uploads first and then commits). Returns how many objects were deleted.
long sweep_orphans(SpiConnection &spi, long grace_seconds);

} // namespace rolloy::pg::storage
