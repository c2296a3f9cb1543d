// rolloy_internal._stored_image(storage_ref, thumbnail): the bytes behind a storage reference, from
// whichever store serves it, for the SQL functions image(), thumbnail() and reference_image().
// It runs as the caller and serves only references of rows the caller can see (row-level
// security on generated_images / reference_images), so a store without row-level security of
// its own (an object store) is just as protected.
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/storage/image_store.hpp"

using rolloy::pg::SpiConnection;
using namespace rolloy::pg::storage;

ROLLOY_FUNCTION(rolloy_stored_image) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    std::string ref = rolloy::pg::text_arg(fcinfo, 0);
    bool thumbnail = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
    SpiConnection spi;
    auto visible =
        spi.query("SELECT 1 FROM rolloy.generated_images WHERE storage_ref = $1"
                  " UNION ALL SELECT 1 FROM rolloy.reference_images WHERE storage_ref = $1 LIMIT 1",
                  {ref}, true);
    std::optional<std::string> bytes;
    if (!visible.empty()) bytes = store_for(ref).get(spi, ref, thumbnail ? Part::Thumbnail : Part::Content);
    spi.finish();
    if (!bytes) PG_RETURN_NULL();
    // Built after SPI_finish: memory allocated while connected belongs to SPI and is freed by it.
    return rolloy::pg::bytea_datum(*bytes);
}

// rolloy_internal._remove_stored_image(storage_ref): deletes the bytes behind a reference from its store.
// Called by the AFTER DELETE triggers of generated_images and reference_images (in the deleting
// transaction), never by users (no EXECUTE for PUBLIC).
ROLLOY_FUNCTION(rolloy_remove_stored_image) {
    std::string ref = rolloy::pg::text_arg(fcinfo, 0);
    // A reference no store serves has no bytes to delete: the row's deletion goes ahead.
    ImageStore *store = find_store(ref);
    if (!store) PG_RETURN_BOOL(false);
    SpiConnection spi;
    bool removed = store->remove(spi, ref);
    spi.finish();
    PG_RETURN_BOOL(removed);
}
