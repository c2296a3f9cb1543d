// The shared library's entry: module magic, GUCs and (later) the background worker registration.
#include "pg/common/postgres.hpp"
#include "pg/module.hpp"

extern "C" {
#include "utils/guc.h"
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace rolloy::pg {
char *naming_time_zone = nullptr;
}

extern "C" void _PG_init(void) {
    // Plain C calls only: ereport from here unwinds nothing of ours.
    DefineCustomStringVariable("rolloy.naming_time_zone",
                               "Time zone whose calendar date starts creative names (YYYYMMDD).",
                               "Any time zone name Postgres accepts, e.g. UTC or America/New_York.",
                               &rolloy::pg::naming_time_zone, "UTC", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    rolloy::pg::register_module_parts();
    MarkGUCPrefixReserved("rolloy");
}
