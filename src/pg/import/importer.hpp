// rolloy.import_performance: one call imports one ad-platform export into
// rolloy.performance_data and records it in rolloy.import_batches.
//
//   checks the caller (admins; a superuser mapped to no user), the arguments and the database
//   -> ExportParser over the body (whole-file errors throw here or from next())
//   -> loads the names of all projects and images once (CreativeMatcher)
//   -> inserts the batch row, then streams the lines: each is checked, matched and summed per
//      (ad, day) into a PendingChunk, written by ChunkWriter when full
//   -> reject_file: any row problem raises an error listing the first ones (the transaction is
//      rolled back: nothing is written); skip_row: the batch row keeps them in `errors`
//   -> completes the batch row and returns it.
// Memory stays bounded: the body, one chunk, the name maps and ~12 bytes per distinct key.
#pragma once
#include "pg/common/postgres.hpp"

#include <string>
#include <string_view>

namespace rolloy::pg {

struct ImportRequest {
    std::string_view body; // the export as received; must outlive run_import
    std::string platform = "auto";
    std::string on_error = "reject_file";
    std::string source_name;
};

// The rolloy.import_batches row of the import, allocated in the caller's memory context.
Datum run_import(const ImportRequest &request);

} // namespace rolloy::pg
