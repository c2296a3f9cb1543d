// One line per capability that has GUCs or background workers to register at load time.
#include "pg/common/postgres.hpp"
#include "pg/import/import_settings.hpp"
#include "pg/module.hpp"

namespace rolloy::pg {

void register_module_parts() {
    register_import_settings();
}

}  // namespace rolloy::pg
