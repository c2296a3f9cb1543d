#include "pg/common/postgres.hpp"
#include "pg/generation/provider_settings.hpp"
#include "pg/generation/settings.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <algorithm>
#include <unistd.h>

namespace rolloy::pg::settings {

char *worker_database = nullptr;
int lease_seconds = 300;
int poll_interval_ms = 5000;
int preview_batch = 4;
int retry_base_ms = 2000;
int retry_max_ms = 300000;
int request_timeout_ms = 120000;
int job_deadline_ms = 600000;
int max_image_mb = 32;
int result_threads = 0;
int worker_lock_timeout_ms = 1000;

// Settings SQL reads through rolloy_internal._setting(); defining them documents them and validates values.
static char *default_image_provider = nullptr;
static int rate_limit_images = 200;
static int rate_limit_window_seconds = 3600;
static int max_attempts = 5;

std::string str(const char *guc_value) {
    return guc_value ? guc_value : "";
}

int effective_result_threads() {
    if (result_threads > 0) return result_threads;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? static_cast<int>(std::min(cpus, 64L)) : 1;
}

static void define_int(const char *name, const char *desc, int *var, int boot, int min, int max,
                       GucContext ctx, int flags = 0) {
    DefineCustomIntVariable(name, desc, nullptr, var, boot, min, max, ctx, flags, nullptr, nullptr, nullptr);
}

static void define_string(const char *name, const char *desc, char **var, const char *boot, GucContext ctx) {
    DefineCustomStringVariable(name, desc, nullptr, var, boot, ctx, 0, nullptr, nullptr, nullptr);
}

void define_generation_gucs() {
    // Only the postmaster starts the worker, and Postgres refuses to define a PGC_POSTMASTER
    // setting after start-up (FATAL): without shared_preload_libraries there is no worker and
    // no such setting.
    if (process_shared_preload_libraries_in_progress)
        define_string("rolloy.database", "Database the rolloy background worker serves.", &worker_database,
                      "postgres", PGC_POSTMASTER);
    define_int("rolloy.lease_seconds",
               "Seconds a claimed image stays leased before another worker may reclaim it.", &lease_seconds,
               300, 10, 86400, PGC_SIGHUP, GUC_UNIT_S);
    define_int("rolloy.poll_interval_ms", "Fallback poll of the worker when no commit woke it.",
               &poll_interval_ms, 5000, 100, 600000, PGC_SIGHUP, GUC_UNIT_MS);
    define_int("rolloy.preview_batch", "Preview images rendered per worker loop (local CPU work).",
               &preview_batch, 4, 1, 64, PGC_SIGHUP);
    define_int("rolloy.retry_base_ms", "First backoff ceiling after a transient failure.", &retry_base_ms,
               2000, 0, 3600000, PGC_SIGHUP, GUC_UNIT_MS);
    define_int("rolloy.retry_max_ms", "Largest backoff between attempts.", &retry_max_ms, 300000, 0, 86400000,
               PGC_SIGHUP, GUC_UNIT_MS);
    define_int("rolloy.request_timeout_ms", "Timeout of one HTTP exchange with a provider.",
               &request_timeout_ms, 120000, 100, 3600000, PGC_SIGHUP, GUC_UNIT_MS);
    define_int("rolloy.job_deadline_ms", "Time one image may take at a provider, polling included.",
               &job_deadline_ms, 600000, 1000, 86400000, PGC_SIGHUP, GUC_UNIT_MS);
    define_int("rolloy.max_image_mb", "Largest provider result or download accepted, in MB.", &max_image_mb,
               32, 1, 512, PGC_SIGHUP);
    define_int("rolloy.result_threads",
               "Threads of the worker that decode, re-encode and thumbnail results (0: one per CPU).",
               &result_threads, 0, 0, 64, PGC_SIGHUP);
    define_int("rolloy.worker_lock_timeout_ms",
               "Longest the worker waits for a lock another transaction holds (its lock_timeout).",
               &worker_lock_timeout_ms, 1000, 1, 60000, PGC_SIGHUP, GUC_UNIT_MS);
    // Each remote provider's base URL, concurrency and models: from the registry.
    define_provider_gucs();
    define_string("rolloy.default_image_provider", "Image provider batch_generate uses when none is given.",
                  &default_image_provider, "preview", PGC_USERSET);
    define_int("rolloy.rate_limit_images", "Images one user may queue per rate-limit window.",
               &rate_limit_images, 200, 1, 1000000, PGC_SUSET);
    define_int("rolloy.rate_limit_window_seconds", "Length of the sliding rate-limit window.",
               &rate_limit_window_seconds, 3600, 1, 31 * 86400, PGC_SUSET); // no unit: SQL reads the number
    define_int("rolloy.max_attempts", "Attempts per image before it fails for good.", &max_attempts, 5, 1, 50,
               PGC_SUSET);
}

} // namespace rolloy::pg::settings
