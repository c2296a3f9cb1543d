#include "core/storage/result_upload.hpp"

#include "core/storage/object_keys.hpp"
#include "core/storage/s3_client.hpp"

namespace rolloy::storage {

void upload_result(const std::shared_ptr<const S3Config> &config, const generation::ImageJob &job,
                   generation::JobRecord &record, const std::function<bool()> &abort_check) {
    if (record.kind != generation::JobRecord::Kind::Completed || !config) return;
    // The client of the configuration this thread used last; a new configuration (a reload) gets
    // a new one. Keyed by the shared object, which lives as long as it is in use here.
    thread_local std::shared_ptr<const S3Config> client_config;
    thread_local std::unique_ptr<S3Client> client;
    try {
        if (!client || client_config != config) {
            client.reset();
            client = std::make_unique<S3Client>(*config);
            client_config = config;
        }
        client->set_abort_check(abort_check);
        const std::string ref = s3_generated_ref(job.project_id, job.image_id, record.sha256);
        // The file only: its thumbnail goes into the database with the row (one request per image).
        client->put(content_key(ref), record.image, "image/jpeg");
        record.storage_ref = ref;
        record.storage_error.clear();
    } catch (const std::exception &e) {
        record.storage_ref.clear();
        record.storage_error = e.what();
        client.reset(); // a broken connection is not reused
    }
}

} // namespace rolloy::storage
