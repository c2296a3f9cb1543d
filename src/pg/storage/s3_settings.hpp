// Where images are stored, and the S3 bucket: GUCs (PGC_SIGHUP, set in postgresql.conf or with
// ALTER SYSTEM, read by the worker and by every backend that serves an image) plus the
// credentials, which live in rolloy.storage_credentials (readable by the extension owner only,
// never dumped, never shown).
#pragma once
#include "pg/common/spi.hpp"

#include "core/storage/s3_config.hpp"

#include <optional>

namespace rolloy::pg::storage {

void define_storage_gucs();

// rolloy.image_store: the store of new generated images.
bool new_images_go_to_s3();
// rolloy.s3_endpoint is set (images may be in the bucket, or be moved there).
bool s3_configured();

// The bucket's settings and credentials. The credentials are read as the extension's owner
// (the caller may be a member, who cannot read them) and never leave this process.
// Nothing when no endpoint is set; an incomplete configuration comes back as it is (the client
// refuses it with a message that says what is missing).
std::optional<rolloy::storage::S3Config> load_s3_config(SpiConnection &spi);

// True while Postgres wants the current statement to stop (cancel, terminate): the abort check
// of S3 transfers run by a backend (reads a flag only).
bool interrupt_pending();

} // namespace rolloy::pg::storage
