// Where rolloy's internal SQL helpers live in the database this backend serves.
//
// 0.2.0 moved them from the API schema `rolloy` to `rolloy_internal`. A user installs the new
// library before running ALTER EXTENSION rolloy UPDATE (docs/upgrading.md), and the background
// worker keeps serving the database across the upgrade, so C++ that names a helper in SQL asks
// here instead of hard-coding the schema: "rolloy_internal" once the extension has that schema
// (a schema of that name the extension does not own is ignored), "rolloy" while the database
// still has the 0.1.0 objects. The answer comes from the syscache on every
// call, so it changes in the transaction that sees the upgrade committed; statements built from
// it have different text per schema, so the worker's kept plans (keyed by text) follow.
#pragma once
#include <string>

namespace rolloy::pg {

// "rolloy_internal" or, on a database not yet upgraded from 0.1.0, "rolloy". Needs a transaction.
const char *internal_schema();

// `sql` with every "@internal@" replaced by internal_schema(), e.g.
//   spi.query(internal_sql("SELECT @internal@._call_cost(...)").c_str(), ...)
std::string internal_sql(const char *sql);

} // namespace rolloy::pg
