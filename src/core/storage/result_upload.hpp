// The worker's upload of a completed image to the object store, on a result thread and before
// the row is written: the row then commits pointing at bytes already there. No Postgres here.
#pragma once
#include "core/common/core_only.hpp"

#include "core/generation/image_job.hpp"
#include "core/storage/s3_config.hpp"

#include <functional>
#include <memory>

namespace rolloy::storage {

// Puts the file (one object; the thumbnail is written with the row, in the database) under the
// record's content-hash reference and sets record.storage_ref; on failure sets record.storage_error instead
// (the message, never the secret) and leaves storage_ref empty. Other kinds of records are left alone. Each
// thread keeps one client (one kept-alive connection) per configuration.
void upload_result(const std::shared_ptr<const S3Config> &config, const generation::ImageJob &job,
                   generation::JobRecord &record, const std::function<bool()> &abort_check = {});

} // namespace rolloy::storage
