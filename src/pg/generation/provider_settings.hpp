// The GUCs of the remote providers, registered from the registry (core/providers/registry.hpp):
// rolloy.<name>_base_url, rolloy.concurrency_<name>, rolloy.<name>_text_model and
// rolloy.<name>_image_model where the provider serves the kind. Read by the worker (reloaded on
// SIGHUP), generate_prompt() and rolloy.providers().
#pragma once

#include "core/providers/registry.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::pg::settings {

struct ProviderSettings {
    const providers::ProviderEntry *entry = nullptr;
    // GUC storage: Postgres writes these on (re)load.
    char *base_url = nullptr;
    int concurrency = 16;
    char *text_model = nullptr;
    char *image_model = nullptr;
    std::vector<int> options; // one per entry->options, in that order

    // The adapter options in force (ProviderConfig::options).
    std::map<std::string, std::string> option_values() const;

    std::string name() const { return std::string(entry->name); }
    std::string base_url_value() const;
    // The model in force for a kind ("text" or "image"); empty when the provider lacks the kind.
    std::string model(std::string_view kind) const;
};

// Defines every provider's GUCs; once, from define_generation_gucs().
void define_provider_gucs();

// In registry order; empty before define_provider_gucs().
const std::vector<ProviderSettings> &provider_settings();
// nullptr for a name the registry does not know.
const ProviderSettings *provider_settings(std::string_view name);

// rolloy_internal._provider_registry(): the registry with the settings in force, as a JSON
// array of {provider, kind, model, model_setting, base_url_setting, concurrency_setting,
// price_units}, one element per kind a provider serves, in registry order.
std::string provider_registry_json();

} // namespace rolloy::pg::settings
