// Where image bytes live. Every stored image has a storage reference "<scheme>:<path>", laid out
// by kind, project and image (generated/<project>/<image>, reference/<id>); the scheme picks the
// store. The built-in store, "db", keeps the bytes in rolloy.image_store, so backups, RLS and
// PostgREST cover them; "s3" keeps the file in an S3-compatible bucket (s3_image_store.hpp) and
// its thumbnail in rolloy.image_store too, so that an image is one object and a thumbnail is
// read without a request. Another object store is another implementation of ImageStore and one
// line in find_store(); everything else reaches images only through this interface.
#pragma once
#include "pg/common/spi.hpp"

#include <optional>
#include <string>

namespace rolloy::pg::storage {

struct StoredImage {
    std::string content;      // the file
    std::string content_type; // its MIME type
    std::string thumbnail;    // 300x300 JPEG
    std::string sha256;       // of content, hex
};

enum class Part { Content, Thumbnail };

class ImageStore {
  public:
    virtual ~ImageStore() = default;
    // Stores `image` under `ref` (a new reference: references are never reused).
    virtual void put(SpiConnection &spi, const std::string &ref, const StoredImage &image) = 0;
    // The bytes of one part, or nothing when the store has no such image.
    virtual std::optional<std::string> get(SpiConnection &spi, const std::string &ref, Part part) = 0;
    // Forgets an image; true when there was one.
    virtual bool remove(SpiConnection &spi, const std::string &ref) = 0;
};

// The store of a reference's scheme, or nullptr when no store serves it.
ImageStore *find_store(const std::string &ref);
// The same, throwing for a scheme no store serves.
ImageStore &store_for(const std::string &ref);

// The row of rolloy.image_store behind a reference, written in the transaction that writes the
// image's (or photo's) own row: file and thumbnail for the db store; for an object store the
// thumbnail only (content NULL; type, hash and size describe the object, which is written
// before, outside the transaction).
void insert_image_row(SpiConnection &spi, const std::string &ref, const StoredImage &image);
// One part of that row (runs as the caller: row-level security applies); nothing without a row.
std::optional<std::string> read_image_row(SpiConnection &spi, const std::string &ref, Part part);
// Deletes that row; true when there was one.
bool delete_image_row(SpiConnection &spi, const std::string &ref);

// References of the database store (the worker's s3 references carry the content hash:
// core/storage/object_keys.hpp).
std::string generated_ref(const std::string &project_id, const std::string &image_id);
std::string reference_ref(const std::string &reference_image_id);

} // namespace rolloy::pg::storage
