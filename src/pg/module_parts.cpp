// One line per capability that has GUCs or background workers to register at load time.
#include "pg/common/postgres.hpp"
#include "pg/generation/settings.hpp"
#include "pg/generation/worker_state.hpp"
#include "pg/import/import_settings.hpp"
#include "pg/insights/refresher.hpp"
#include "pg/storage/s3_settings.hpp"
#include "pg/module.hpp"

namespace rolloy::pg {

void register_module_parts() {
    settings::define_generation_gucs();
    register_import_settings();
    insights::define_refresher_gucs();
    storage::define_storage_gucs();
    // The worker and its shared memory exist only when preloaded; CREATE EXTENSION on a server
    // without it still works (images then wait in the queue, and worker_status() says why).
    if (process_shared_preload_libraries_in_progress) worker::register_worker();
}

} // namespace rolloy::pg
