#include "pg/import/platform_loader.hpp"

#include "pg/common/internal_schema.hpp"

#include "core/import/platforms_0_1_0.hpp"

#include <cstring>
#include <map>

namespace rolloy::pg {
namespace {

// One row per platform, then one row per list element (arrays unnested, the headers object
// flattened to field/header pairs), in order: no array or JSON parsing in C++.
constexpr const char *kPlatforms = "SELECT p.name::text, p.label, p.decimal_mark, p.date_order, p.currency"
                                   "  FROM rolloy.ad_platforms p ORDER BY p.name COLLATE \"C\"";
constexpr const char *kLists =
    "SELECT p.name::text, x.kind, x.field, x.value"
    "  FROM rolloy.ad_platforms p"
    " CROSS JOIN LATERAL ("
    "       SELECT 'spelling', NULL::text, s.v, s.n FROM pg_catalog.unnest(p.spellings) WITH ORDINALITY s(v, "
    "n)"
    " UNION ALL SELECT 'detect', NULL, d.v, d.n FROM pg_catalog.unnest(p.detection_headers) WITH ORDINALITY "
    "d(v, n)"
    " UNION ALL SELECT 'required', NULL, r.v, r.n FROM pg_catalog.unnest(p.required) WITH ORDINALITY r(v, n)"
    " UNION ALL SELECT 'key', NULL, k.v, k.n FROM pg_catalog.unnest(p.key_fields) WITH ORDINALITY k(v, n)"
    " UNION ALL SELECT 'header', h.key, a.v, a.n"
    "             FROM pg_catalog.jsonb_each(p.headers) h,"
    "                  pg_catalog.jsonb_array_elements_text(h.value) WITH ORDINALITY a(v, n)"
    "       ) x(kind, field, value, n)"
    " ORDER BY p.name COLLATE \"C\", x.kind, x.field, x.n";

const std::string &text(const SqlValue &v) {
    static const std::string empty;
    return v ? *v : empty;
}

} // namespace

import::PlatformCatalog load_platform_catalog(SpiConnection &spi){
    if (std::strcmp(internal_schema(), "rolloy_internal") !=
        0) return import::PlatformCatalog(import::platforms_of_0_1_0());

std::map<std::string, import::PlatformSpec> specs; // by name, the order of kPlatforms
std::vector<std::string> order;
for (const SqlRow &row : spi.query(kPlatforms, {}, true)) {
    import::PlatformSpec spec;
    spec.name = text(row.at(0));
    spec.label = text(row.at(1));
    spec.decimal_mark = text(row.at(2));
    spec.date_order = text(row.at(3));
    spec.currency = text(row.at(4));
    spec.key_fields.clear();
    order.push_back(spec.name);
    specs.emplace(spec.name, std::move(spec));
}
for (const SqlRow &row : spi.query(kLists, {}, true)) {
    import::PlatformSpec &spec = specs.at(text(row.at(0)));
    const std::string &kind = text(row.at(1));
    const std::string &value = text(row.at(3));
    if (kind == "spelling")
        spec.spellings.push_back(value);
    else if (kind == "detect")
        spec.detection_headers.push_back(value);
    else if (kind == "required")
        spec.required.push_back(value);
    else if (kind == "key")
        spec.key_fields.push_back(value);
    else
        spec.headers.emplace_back(text(row.at(2)), value);
}
import::PlatformCatalog catalog;
for (const std::string &name : order)
    catalog.add(specs.at(name));
return catalog;
} // namespace rolloy::pg

} // namespace rolloy::pg
