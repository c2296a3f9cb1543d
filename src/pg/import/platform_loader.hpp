// The ad platforms an import reads: the rows of rolloy.ad_platforms, loaded once per import
// through SPI (so an admin's INSERT counts from the next import on), or on a database still on
// the 0.1.0 objects, which has no such table, 0.1.0's three platforms.
#pragma once
#include "pg/common/spi.hpp"

#include "core/import/platform_definition.hpp"

namespace rolloy::pg {

// Throws rolloy::Error(InvalidInput) naming a row that cannot be used (the table's CHECKs keep
// such rows out; this is the last line).
import::PlatformCatalog load_platform_catalog(SpiConnection &spi);

} // namespace rolloy::pg
