// Included first by every file of src/core: the core must never see a Postgres header
// (jansson.h and utils/builtins.h both declare json_object; a longjmp must never cross core
// frames). Fails the build if postgres.h came first.
#pragma once
#ifdef POSTGRES_H
#error "src/core must not include Postgres headers; put Postgres code in src/pg"
#endif
