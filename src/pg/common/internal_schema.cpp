#include "pg/common/internal_schema.hpp"

#include "pg/common/guard.hpp"

#include <string_view>

extern "C" {
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "storage/proc.h"
}

namespace rolloy::pg {

const char *internal_schema() {
    // Only the extension's own schema counts: on a database still on 0.1.0, a role allowed to
    // create schemas could otherwise plant a "rolloy_internal" whose functions the worker and
    // the definer functions would then run.
    // Asked once per transaction (the worker builds statements per record; the look-up scans
    // pg_depend). The answer changes only when an ALTER EXTENSION commits; a statement that meets
    // one committed during our transaction fails and is retried, as it could without the cache.
    static LocalTransactionId asked_in = InvalidLocalTransactionId;
    static bool upgraded = false;
    if (MyProc != nullptr && LocalTransactionIdIsValid(MyProc->lxid) && MyProc->lxid == asked_in)
        return upgraded ? "rolloy_internal" : "rolloy";
    upgraded = call([] {
        Oid schema = get_namespace_oid("rolloy_internal", true);
        Oid extension = get_extension_oid("rolloy", true);
        return OidIsValid(schema) && OidIsValid(extension) &&
               getExtensionOfObject(NamespaceRelationId, schema) == extension;
    });
    if (MyProc != nullptr) asked_in = MyProc->lxid;
    return upgraded ? "rolloy_internal" : "rolloy";
}

std::string internal_sql(const char *sql) {
    static constexpr std::string_view kMark = "@internal@";
    const std::string_view schema = internal_schema();
    std::string out(sql);
    for (auto at = out.find(kMark); at != std::string::npos; at = out.find(kMark, at + schema.size()))
        out.replace(at, kMark.size(), schema);
    return out;
}

} // namespace rolloy::pg
