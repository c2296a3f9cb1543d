#include "pg/common/internal_schema.hpp"

#include "pg/common/guard.hpp"

extern "C" {
#include "catalog/namespace.h"
}

namespace rolloy::pg {

const char *internal_schema() {
    bool upgraded = call([] { return OidIsValid(get_namespace_oid("rolloy_internal", true)); });
    return upgraded ? "rolloy_internal" : "rolloy";
}

std::string internal_function(const char *name) {
    return std::string(internal_schema()) + "." + name;
}

} // namespace rolloy::pg
