#include "core/import/platform_columns.hpp"

#include <tuple>

namespace rolloy::import {

ColumnMap map_columns(const PlatformDefinition &platform, const std::vector<NormalizedHeader> &headers) {
    ColumnMap map;
    map.platform = &platform;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        for (const std::string &alias : platform.headers[f]) { // earlier alias wins
            for (std::size_t i = 0; i < headers.size() && map.column[f] < 0; ++i)
                if (headers[i].name == alias) map.column[f] = static_cast<int>(i);
            if (map.column[f] >= 0) break;
        }
        if (map.column[f] >= 0) ++map.mapped;
    }
    for (const std::vector<Field> &alternatives : platform.required) {
        bool found = false;
        for (Field f : alternatives)
            found |= map.has(f);
        if (!found) map.missing.push_back(platform.requirement_label(alternatives));
    }
    for (const std::string &signature : platform.detection_headers)
        for (const NormalizedHeader &h : headers)
            if (h.name == signature) {
                ++map.detected;
                break;
            }
    if (map.has(Field::Spend)) map.currency = headers[static_cast<std::size_t>(map[Field::Spend])].currency;
    for (std::size_t i = 0; map.currency.empty() && i < headers.size(); ++i)
        map.currency = headers[i].currency;
    if (map.currency.empty()) map.currency = platform.currency;
    return map;
}

ColumnMap best_column_map(const PlatformCatalog &catalog, const PlatformDefinition *requested,
                          const std::vector<NormalizedHeader> &headers) {
    if (requested) return map_columns(*requested, headers);
    auto rank = [](const ColumnMap &c) {
        return std::make_tuple(c.complete(), c.detected, -static_cast<int>(c.missing.size()), c.mapped);
    };
    ColumnMap best;
    bool have = false;
    for (const PlatformDefinition &p : catalog.all()) {
        ColumnMap m = map_columns(p, headers);
        if (!have || rank(m) > rank(best)) {
            best = std::move(m);
            have = true;
        }
    }
    return best;
}

} // namespace rolloy::import
