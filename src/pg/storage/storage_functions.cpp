// SQL functions of the image stores: presigned URLs, copying an image between stores (for
// rolloy.move_images) and the orphan sweep of rolloy.cleanup().
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/storage/image_store.hpp"
#include "pg/storage/s3_image_store.hpp"
#include "pg/storage/s3_settings.hpp"

#include "core/common/error.hpp"
#include "core/common/sha256.hpp"
#include "core/storage/object_keys.hpp"
#include "core/storage/sigv4.hpp"

#include <ctime>

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::SpiConnection;
using namespace rolloy::pg::storage;

// rolloy_internal._presigned_url(storage_ref, ttl_seconds): a presigned GET URL of an image in
// the s3 store, for rolloy.image_url(). Runs as the caller and signs only references of rows
// the caller can see, as _stored_image serves only those.
ROLLOY_FUNCTION(rolloy_presigned_url) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const std::string ref = rolloy::pg::text_arg(fcinfo, 0);
    const long long ttl = PG_ARGISNULL(1) ? 3600 : PG_GETARG_INT64(1);
    SpiConnection spi;
    auto visible =
        spi.query("SELECT 1 FROM rolloy.generated_images WHERE storage_ref = $1"
                  " UNION ALL SELECT 1 FROM rolloy.reference_images WHERE storage_ref = $1 LIMIT 1",
                  {ref}, true);
    if (visible.empty()) {
        spi.finish();
        PG_RETURN_NULL();
    }
    if (ref.rfind(rolloy::storage::kS3Scheme, 0) != 0)
        throw Error(
            ErrorKind::FeatureMissing, "this image is kept in the database store, which has no URLs", "",
            "Read it with rolloy.image(id), or move images to the s3 store: rolloy.move_images('s3').");
    std::optional<rolloy::storage::S3Config> config = load_s3_config(spi);
    spi.finish();
    if (!config)
        throw Error(ErrorKind::WrongState, "no s3 store is configured (rolloy.s3_endpoint is empty)", "",
                    "A superuser sets rolloy.s3_endpoint, rolloy.s3_bucket and rolloy.s3_region.");
    rolloy::storage::validate(*config);
    const rolloy::storage::ObjectLocation loc =
        rolloy::storage::locate(*config, rolloy::storage::content_key(ref));
    rolloy::storage::PresignRequest request;
    request.host = loc.authority;
    request.path = loc.path;
    request.access_key_id = config->access_key_id;
    request.secret_access_key = config->secret_access_key;
    request.session_token = config->session_token;
    request.region = config->region;
    request.signed_at = std::time(nullptr);
    request.expires_seconds = ttl;
    return rolloy::pg::text_datum(loc.url() + "?" + rolloy::storage::presign_get_query(request));
}

// rolloy_internal._copy_stored_image(source_ref, target, project_id, image_id, sha256): copies a
// generated image (file and thumbnail) from its store into the store `target` (db or s3) and
// returns its reference there. The bytes are checked against the row's SHA-256 before they are
// written. Only for rolloy.move_images() (no EXECUTE for PUBLIC).
ROLLOY_FUNCTION(rolloy_copy_stored_image) {
    const std::string source = rolloy::pg::text_arg(fcinfo, 0);
    const std::string target = rolloy::pg::text_arg(fcinfo, 1);
    const std::string project_id = rolloy::pg::text_arg(fcinfo, 2);
    const std::string image_id = rolloy::pg::text_arg(fcinfo, 3);
    const std::string sha256 = rolloy::pg::text_arg(fcinfo, 4);
    SpiConnection spi;
    ImageStore &from = store_for(source);
    StoredImage image;
    image.content_type = "image/jpeg";
    image.sha256 = sha256;
    std::optional<std::string> content = from.get(spi, source, Part::Content);
    std::optional<std::string> thumbnail = from.get(spi, source, Part::Thumbnail);
    if (!content || !thumbnail)
        throw Error(ErrorKind::DataCorrupted,
                    "the bytes of image " + image_id + " are missing from its store",
                    "storage reference " + source, "Delete or regenerate that image, then move again.");
    if (rolloy::sha256_hex(*content) != sha256)
        throw Error(ErrorKind::DataCorrupted, "the bytes of image " + image_id + " do not match its SHA-256",
                    "storage reference " + source, "Nothing was moved; regenerate that image.");
    image.content = std::move(*content);
    image.thumbnail = std::move(*thumbnail);
    std::string ref;
    if (target == "db")
        ref = generated_ref(project_id, image_id);
    else if (target == "s3")
        ref = rolloy::storage::s3_generated_ref(project_id, image_id, sha256);
    else
        throw Error(ErrorKind::InvalidInput, "unknown image store \"" + target.substr(0, 40) + "\"", "",
                    "Stores: db, s3.");
    store_for(ref).put(spi, ref, image);
    spi.finish();
    return rolloy::pg::text_datum(ref);
}

// rolloy_internal._sweep_storage(grace_seconds): deletes objects of the s3 store no row refers
// to (see sweep_orphans); 0 when no bucket is configured. For rolloy.cleanup().
ROLLOY_FUNCTION(rolloy_sweep_storage) {
    const long grace = PG_ARGISNULL(0) ? 86400 : static_cast<long>(PG_GETARG_INT64(0));
    SpiConnection spi;
    const long deleted = sweep_orphans(spi, grace);
    spi.finish();
    PG_RETURN_INT64(deleted);
}
