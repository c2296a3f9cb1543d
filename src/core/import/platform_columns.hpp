// Which header of an export feeds which canonical field, read with one platform's definition
// (platform_definition.hpp), and which platform of a catalog a header row belongs to.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/header_normalize.hpp"
#include "core/import/platform_definition.hpp"

#include <array>
#include <string>
#include <vector>

namespace rolloy::import {

// The columns of one header row, read as one platform's export.
struct ColumnMap {
    const PlatformDefinition *platform = nullptr;
    std::array<int, kFieldCount> column; // header index per field, -1 when absent
    std::string currency; // from a "(XXX)" header suffix (spend column first), else the platform's
    std::vector<std::string> missing; // required columns not found, as a user would name them
    int mapped = 0;                   // fields found (to rank candidate platforms)
    int detected = 0;                 // the platform's detection headers present

    ColumnMap() { column.fill(-1); }
    int operator[](Field f) const noexcept { return column[static_cast<std::size_t>(f)]; }
    bool has(Field f) const noexcept { return (*this)[f] >= 0; }
    bool complete() const noexcept { return missing.empty(); }
};

// Maps a header row for one platform. Where several headers could give a field, the platform's
// preferred one wins (Meta: "Link clicks" over "Clicks (all)"), whatever its position.
ColumnMap map_columns(const PlatformDefinition &platform, const std::vector<NormalizedHeader> &headers);

// Maps for `requested`, or for nullptr (auto) with every platform of the catalog and keeps the best:
// a complete mapping first, then the most detection headers, the fewest missing columns, the most
// fields, the catalog's order. When nothing is complete, returns the closest incomplete mapping.
ColumnMap best_column_map(const PlatformCatalog &catalog, const PlatformDefinition *requested,
                          const std::vector<NormalizedHeader> &headers);

} // namespace rolloy::import
