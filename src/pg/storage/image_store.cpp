#include "pg/storage/image_store.hpp"

#include "pg/storage/s3_image_store.hpp"

#include "core/common/error.hpp"

namespace rolloy::pg::storage {
namespace {

// Scheme "db": rows of rolloy.image_store. Reads run as the caller, so the table's row-level
// security (an image is readable where its row is) applies on top of the caller's own checks.
class DatabaseImageStore final : public ImageStore {
  public:
    void put(SpiConnection &spi, const std::string &ref, const StoredImage &image) override {
        insert_image_row(spi, ref, image);
    }

    std::optional<std::string> get(SpiConnection &spi, const std::string &ref, Part part) override {
        return read_image_row(spi, ref, part);
    }

    bool remove(SpiConnection &spi, const std::string &ref) override { return delete_image_row(spi, ref); }
};

} // namespace

ImageStore *find_store(const std::string &ref) {
    static DatabaseImageStore database;
    static S3ImageStore s3;
    const std::string scheme = ref.substr(0, ref.find(':'));
    if (scheme == "db" && ref.size() > 3) return &database;
    if (scheme == "s3" && ref.size() > 3) return &s3;
    return nullptr;
}

ImageStore &store_for(const std::string &ref) {
    if (ImageStore *store = find_store(ref)) return *store;
    throw Error(ErrorKind::Internal, "no image store serves the storage reference \"" + ref + "\"",
                "known schemes: db, s3");
}

void insert_image_row(SpiConnection &spi, const std::string &ref, const StoredImage &image) {
    const std::string size = std::to_string(image.content.size());
    if (ref.rfind("db:", 0) == 0) {
        spi.execute("INSERT INTO rolloy.image_store (storage_ref, content, content_type, thumbnail, sha256, "
                    "size_bytes)"
                    " VALUES ($1, $2, $3, $4, $5, $6::bigint)",
                    {ref, SqlArg::bytes(image.content), image.content_type, SqlArg::bytes(image.thumbnail),
                     image.sha256, size},
                    Plan::Kept);
        return;
    }
    // A plain INSERT is idempotent enough: the row commits with the image's row or not at all,
    // and a record that is tried again (a lock, a crash) finds no row of its attempt.
    spi.execute("INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)"
                " VALUES ($1, $2, $3, $4, $5::bigint)",
                {ref, image.content_type, SqlArg::bytes(image.thumbnail), image.sha256, size}, Plan::Kept);
}

std::optional<std::string> read_image_row(SpiConnection &spi, const std::string &ref, Part part) {
    auto rows =
        spi.query(part == Part::Content ? "SELECT content FROM rolloy.image_store WHERE storage_ref = $1"
                                        : "SELECT thumbnail FROM rolloy.image_store WHERE storage_ref = $1",
                  {ref}, true, Plan::Kept);
    if (rows.empty()) return std::nullopt;
    return rows[0][0];
}

bool delete_image_row(SpiConnection &spi, const std::string &ref) {
    return spi.execute("DELETE FROM rolloy.image_store WHERE storage_ref = $1", {ref}, Plan::Kept) > 0;
}

std::string generated_ref(const std::string &project_id, const std::string &image_id) {
    return "db:generated/" + project_id + "/" + image_id;
}

std::string reference_ref(const std::string &reference_image_id) {
    return "db:reference/" + reference_image_id;
}

} // namespace rolloy::pg::storage
