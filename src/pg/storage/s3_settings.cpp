#include "pg/storage/s3_settings.hpp"

#include "pg/common/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace rolloy::pg::storage {
namespace {

int image_store = 0; // 0 db, 1 s3
char *s3_endpoint = nullptr;
char *s3_bucket = nullptr;
char *s3_region = nullptr;
bool s3_path_style = true;
int s3_timeout_ms = 60000;
int orphan_grace_seconds = 86400; // SQL reads it (cleanup)

const struct config_enum_entry kStores[] = {{"db", 0, false}, {"s3", 1, false}, {nullptr, 0, false}};

// Runs a statement as the extension's owner (like a SECURITY DEFINER function would) and puts
// the caller back however it ends: SetUserIdAndSecContext only assigns, it cannot fail.
class AsExtensionOwner {
  public:
    explicit AsExtensionOwner(Oid owner) {
        call([this] { GetUserIdAndSecContext(&saved_user_, &saved_context_); });
        const Oid user = owner;
        const int context = saved_context_ | SECURITY_LOCAL_USERID_CHANGE;
        call([user, context] { SetUserIdAndSecContext(user, context); });
    }
    ~AsExtensionOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }
    AsExtensionOwner(const AsExtensionOwner &) = delete;
    AsExtensionOwner &operator=(const AsExtensionOwner &) = delete;

  private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
};

} // namespace

void define_storage_gucs() {
    DefineCustomEnumVariable("rolloy.image_store", "Where the worker stores new generated images: db or s3.",
                             "Existing images stay where they are until rolloy.move_images() moves them.",
                             &image_store, 0, kStores, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "rolloy.s3_endpoint",
        "S3-compatible endpoint, scheme://host[:port][/path] (e.g. "
        "https://s3.eu-central-1.amazonaws.com, https://REF.supabase.co/storage/v1/s3).",
        nullptr, &s3_endpoint, "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("rolloy.s3_bucket", "Bucket of the s3 image store.", nullptr, &s3_bucket, "",
                               PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("rolloy.s3_region", "Region the s3 store's requests are signed for.", nullptr,
                               &s3_region, "us-east-1", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("rolloy.s3_path_style",
                             "Path-style URLs (endpoint/bucket/key: MinIO, R2, Supabase) instead of "
                             "virtual-hosted ones (bucket.endpoint/key).",
                             nullptr, &s3_path_style, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("rolloy.s3_timeout_ms", "Timeout of one request to the s3 store.", nullptr,
                            &s3_timeout_ms, 60000, 100, 3600000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr,
                            nullptr);
    // Longer than any upload waits for its row: the worker uploads, then commits (a result
    // waiting for a lock or a retry stays within its lease).
    DefineCustomIntVariable(
        "rolloy.storage_orphan_grace_seconds",
        "Age an object of the s3 store (or a row of the db store) without an image row must reach before "
        "cleanup() deletes it.",
        nullptr, &orphan_grace_seconds, 86400, 0, 365 * 86400, PGC_SUSET, 0, nullptr, nullptr, nullptr);
}

bool new_images_go_to_s3() {
    return image_store == 1;
}

bool s3_configured() {
    return s3_endpoint && *s3_endpoint;
}

std::optional<rolloy::storage::S3Config> load_s3_config(SpiConnection &spi) {
    if (!s3_configured()) return std::nullopt;
    rolloy::storage::S3Config config;
    config.endpoint = s3_endpoint;
    config.bucket = s3_bucket ? s3_bucket : "";
    config.region = s3_region ? s3_region : "";
    config.path_style = s3_path_style;
    config.timeout_ms = s3_timeout_ms;
    auto owner = spi.query("SELECT extowner FROM pg_catalog.pg_extension WHERE extname = 'rolloy'", {}, true);
    if (owner.empty() || !owner[0][0]) return config;
    std::vector<SqlRow> rows;
    {
        AsExtensionOwner as_owner(static_cast<Oid>(std::stoul(*owner[0][0])));
        rows = spi.query("SELECT access_key_id, secret_access_key FROM rolloy.storage_credentials"
                         " WHERE store = 's3'",
                         {}, true);
    }
    if (!rows.empty()) {
        config.access_key_id = rows[0][0].value_or("");
        config.secret_access_key = rows[0][1].value_or("");
    }
    return config;
}

bool interrupt_pending() {
    return InterruptPending;
}

} // namespace rolloy::pg::storage
