// Settings and start-up hooks shared by the glue files.
#pragma once

namespace rolloy::pg {

// GUC rolloy.naming_time_zone (PGC_SUSET): the calendar used for the date part of names.
extern char *naming_time_zone;

// Called from _PG_init: each capability registers its GUCs (and the worker) here. Defined in
// pg/module_parts.cpp so new capabilities add one line there.
void register_module_parts();

}  // namespace rolloy::pg
