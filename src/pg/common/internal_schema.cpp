#include "pg/common/internal_schema.hpp"

#include "pg/common/guard.hpp"

#include <string_view>

extern "C" {
#include "catalog/namespace.h"
}

namespace rolloy::pg {

const char *internal_schema() {
    bool upgraded = call([] { return OidIsValid(get_namespace_oid("rolloy_internal", true)); });
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
