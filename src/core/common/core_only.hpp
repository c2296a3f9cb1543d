// Included first by every header of src/core. The core must never see a Postgres header:
// jansson.h and utils/builtins.h both declare json_object, and a Postgres longjmp must never
// cross core frames. Glue translation units (src/pg, compiled with -DROLLOY_GLUE_TU) may use
// core headers after Postgres ones; any other file that saw postgres.h fails to build.
#pragma once
#if defined(POSTGRES_H) && !defined(ROLLOY_GLUE_TU)
#error "src/core must not include Postgres headers; put Postgres code in src/pg"
#endif
