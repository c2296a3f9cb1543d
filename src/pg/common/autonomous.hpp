// One SQL statement committed on its own, whatever becomes of the caller's transaction: it runs
// in a short-lived dynamic background worker connected to the caller's database (no
// shared_preload_libraries needed), and the caller waits for it. generate_prompt() uses it to put
// a Gemini call on the books before the request leaves and to complete that row afterwards: a
// row written in the caller's own transaction would roll back with a failing statement, while
// the provider may still bill the call.
//
// Why a background worker rather than a loopback libpq connection (dblink) or the main worker's
// shared-memory mailbox: it needs no password, host or pg_hba entry; it works without rolloy in
// shared_preload_libraries; and its commit is durable before we go on (the mailbox would lose a
// call at a crash before the worker wrote it).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rolloy::pg {

struct AutonomousResult {
    bool ok = false;
    std::optional<std::string> value; // first column of the first row, if any
    std::string error;                // why it failed (no free worker slot, the statement's error)
};

// Runs `sql` with text parameters $1..$n as the bootstrap superuser with search_path pg_catalog,
// pg_temp and lock_timeout `lock_timeout_ms` (the caller's own transaction may hold a lock the
// statement needs: it must not wait for it forever), and commits. Waits for the worker to exit;
// a query cancel of the caller ends the wait with an error (the statement may still commit).
AutonomousResult run_autonomous(const std::string &sql, const std::vector<std::string> &args,
                                int lock_timeout_ms = 1000);

} // namespace rolloy::pg
