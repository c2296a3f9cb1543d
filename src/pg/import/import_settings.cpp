#include "pg/import/import_settings.hpp"

#include "pg/common/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace rolloy::pg {

int import_chunk_rows = 10000;

void register_import_settings() {
    // Called from _PG_init: plain C calls only.
    DefineCustomIntVariable("rolloy.import_chunk_rows",
                            "Export lines written per statement by rolloy.import_performance.",
                            "Larger chunks mean fewer statements and more memory per chunk.",
                            &import_chunk_rows, 10000, 1, 100000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

} // namespace rolloy::pg
