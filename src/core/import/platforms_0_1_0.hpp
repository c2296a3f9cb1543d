// The ad platforms of rolloy 0.1.0 (Meta, Google Ads, TikTok), frozen like 0.1.0's install
// script. Since 0.2.0 platforms are rows of rolloy.ad_platforms and every import reads them
// there; this list serves only a database still on the 0.1.0 objects, which the new library
// serves until ALTER EXTENSION rolloy UPDATE (docs/upgrading.md) and which has no such table.
// Its rows equal the table's first three (src/sql/50_performance.sql). Never add a platform
// here: a new platform is an INSERT.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/platform_definition.hpp"

#include <vector>

namespace rolloy::import {

std::vector<PlatformSpec> platforms_of_0_1_0();

} // namespace rolloy::import
