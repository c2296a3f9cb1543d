// The one list of remote providers. Everything that names a provider reads it: the GUCs a
// provider registers (src/pg/generation/provider_settings.cpp), the worker's claim loop and
// concurrency pools, rolloy.providers() and through it the SQL checks and hints (which names
// set_provider_key and batch_generate accept), and the prices a provider must have seeded.
// Adding a provider: an adapter file pair implementing TextProvider and/or ImageProvider, one
// entry in registry.cpp, its seeded prices (40_costs.sql and the upgrade script), a fake in
// test/fakes and its tests (docs/providers.md, "Adding a provider").
// "preview" and "template" are local (offline) and not in this list.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"

#include <string_view>
#include <vector>

namespace rolloy::providers {

// One GUC a provider registers: its full name without "rolloy.", what it is, its default.
struct StringSetting {
    std::string_view guc; // e.g. "gemini_base_url"; empty: the provider has no such setting
    std::string_view description;
    std::string_view default_value;
};

struct IntSetting {
    std::string_view guc; // e.g. "concurrency_gemini"
    std::string_view description;
    int default_value = 16;
};

// A knob of the adapter the worker passes as ProviderConfig::options[option] (each adapter's
// header documents its options), registered as an integer GUC.
struct OptionSetting {
    std::string_view guc; // e.g. "replicate_prefer_wait"
    std::string_view description;
    std::string_view option; // e.g. "prefer_wait"
    int default_value = 0, min = 0, max = 0;
};

// An adapter option that depends on the model (e.g. which input field takes the reference
// photo): passed as ProviderConfig::options[option] for calls of that model, unless the option
// is set otherwise (a GUC of OptionSetting).
struct ModelOption {
    std::string_view model; // as in batch_generate's model / <name>_image_model
    std::string_view option;
    std::string_view value;
};

// A model kind the provider serves (text: prompts, image: image-to-image), with the GUC naming
// its default model and the price units (rolloy.provider_prices.unit) its calls are billed in.
template <typename Adapter> struct Kind {
    const Adapter *adapter = nullptr; // nullptr: the provider does not serve this kind
    StringSetting model;
    std::vector<std::string_view> price_units;
};

struct ProviderEntry {
    std::string_view name; // SQL, provider_secrets.provider (the key's name), HTTP pool
    StringSetting base_url;
    IntSetting concurrency; // calls of the worker at once
    Kind<TextProvider> text;
    Kind<ImageProvider> image;
    std::vector<OptionSetting> options;     // adapter knobs with a GUC each
    std::vector<ModelOption> model_options; // per-model adapter knobs: the one table of them
};

// In registry order (the order of hints and of the worker's claims).
const std::vector<ProviderEntry> &registry();
// nullptr for an unknown name.
const ProviderEntry *find_provider(std::string_view name);

// nullptr for an unknown name or one that does not serve the kind. The adapters are stateless
// singletons, safe from any thread.
const TextProvider *find_text_provider(std::string_view name);
const ImageProvider *find_image_provider(std::string_view name);

// Adds the registry's model options of (provider, config.model) that config.options lacks.
void apply_model_options(std::string_view provider, ProviderConfig &config);

std::vector<std::string_view> text_provider_names();
std::vector<std::string_view> image_provider_names();

} // namespace rolloy::providers
