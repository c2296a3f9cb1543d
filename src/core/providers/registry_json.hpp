// The registry as SQL reads it (rolloy_internal._provider_registry(), rolloy.providers()): a
// JSON array with one element per provider and kind, in registry order:
//   {"provider", "kind" ("text"|"image"), "model", "model_setting", "base_url_setting",
//    "concurrency_setting", "price_units": [...]}
// Setting names are qualified ("rolloy.gemini_base_url"). Built here, not in the glue: jansson
// must not meet the Postgres headers (json.hpp).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/registry.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace rolloy::providers {

// `model_in_force(entry, kind)` gives the model the settings name now.
std::string
registry_json(const std::function<std::string(const ProviderEntry &, std::string_view kind)> &model_in_force);

} // namespace rolloy::providers
