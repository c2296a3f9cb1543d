#include "pg/common/internal_schema.hpp"

#include "pg/common/guard.hpp"

#include <string_view>

extern "C" {
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
}

namespace rolloy::pg {

const char *internal_schema() {
    // Only the extension's own schema counts: on a database still on 0.1.0, a role allowed to
    // create schemas could otherwise plant a "rolloy_internal" whose functions the worker and
    // the definer functions would then run.
    bool upgraded = call([] {
        Oid schema = get_namespace_oid("rolloy_internal", true);
        Oid extension = get_extension_oid("rolloy", true);
        return OidIsValid(schema) && OidIsValid(extension) &&
               getExtensionOfObject(NamespaceRelationId, schema) == extension;
    });
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
