#include "pg/storage/s3_image_store.hpp"

#include "pg/storage/s3_settings.hpp"

#include "core/common/error.hpp"
#include "core/storage/object_keys.hpp"

#include <ctime>
#include <memory>
#include <set>

namespace rolloy::pg::storage {
namespace {

// The largest object read back: images are checked against rolloy.max_image_mb (at most 512 MB)
// when they are made.
constexpr std::size_t kMaxObjectBytes = std::size_t(512) << 20;

} // namespace

rolloy::storage::S3Client &backend_s3_client(SpiConnection &spi) {
    static std::unique_ptr<rolloy::storage::S3Client> client;
    std::optional<rolloy::storage::S3Config> config = load_s3_config(spi);
    if (!config)
        throw Error(ErrorKind::WrongState, "no s3 store is configured (rolloy.s3_endpoint is empty)", "",
                    "A superuser sets rolloy.s3_endpoint, rolloy.s3_bucket and rolloy.s3_region.");
    if (!client || client->config() != *config) {
        client.reset();
        client = std::make_unique<rolloy::storage::S3Client>(std::move(*config));
        client->set_abort_check(interrupt_pending);
    }
    return *client;
}

// The object, then the thumbnail row: a transaction that rolls back leaves an object without a
// row, which the sweep deletes, never a row without its object.
void S3ImageStore::put(SpiConnection &spi, const std::string &ref, const StoredImage &image) {
    backend_s3_client(spi).put(rolloy::storage::content_key(ref), image.content, image.content_type);
    insert_image_row(spi, ref, image);
}

std::optional<std::string> S3ImageStore::get(SpiConnection &spi, const std::string &ref, Part part) {
    // Images stored by earlier builds of 0.2.0 had a thumbnail object instead: none can be here,
    // as 0.1.0 had no s3 store and a database made by such a build keeps its old image_store
    // (no upgrade script runs within a version), where no thumbnail row fits anyway.
    if (part == Part::Thumbnail) return read_image_row(spi, ref, Part::Thumbnail);
    return backend_s3_client(spi).get(rolloy::storage::content_key(ref), kMaxObjectBytes);
}

bool S3ImageStore::remove(SpiConnection &spi, const std::string &ref) {
    return delete_image_row(spi, ref);
}

long sweep_orphans(SpiConnection &spi, long grace_seconds) {
    if (!s3_configured()) return 0;
    rolloy::storage::S3Client &client = backend_s3_client(spi);
    // Listed before the rows are read: an object uploaded after the listing is not looked at,
    // and a row committed after the read refers to an object younger than the grace.
    std::vector<rolloy::storage::ListedObject> objects = client.list("generated/");
    for (auto &o : client.list("reference/"))
        objects.push_back(std::move(o));
    std::set<std::string> live;
    for (auto &row :
         spi.query("SELECT storage_ref FROM rolloy.generated_images WHERE storage_ref LIKE 's3:%'"
                   " UNION SELECT storage_ref FROM rolloy.reference_images WHERE storage_ref LIKE 's3:%'",
                   {}, true))
        live.insert(*row[0]);
    const std::time_t cutoff = std::time(nullptr) - grace_seconds;
    long deleted = 0;
    for (const auto &o : objects) {
        std::optional<std::string> ref = rolloy::storage::ref_of_key(o.key);
        if (!ref || live.count(*ref) || o.last_modified > cutoff) continue;
        client.remove(o.key);
        ++deleted;
    }
    return deleted;
}

} // namespace rolloy::pg::storage
