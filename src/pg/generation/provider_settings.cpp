#include "pg/common/postgres.hpp"
#include "pg/generation/provider_settings.hpp"

#include "core/providers/registry_json.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"

#include <memory>

extern "C" {
#include "utils/guc.h"
}

namespace rolloy::pg::settings {
namespace {

// Sized once, before any GUC points into it: the addresses Postgres keeps stay valid.
std::vector<ProviderSettings> &storage() {
    static std::vector<ProviderSettings> list;
    return list;
}

// Postgres keeps the name and description pointers: the registry's string_views point at string
// literals, but are not NUL-terminated by contract, so they are copied once into strings that
// live as long as the process.
const char *c_str(std::string_view text) {
    static std::vector<std::unique_ptr<std::string>> kept;
    kept.push_back(std::make_unique<std::string>(text));
    return kept.back()->c_str();
}

std::string qualified(std::string_view guc) {
    return "rolloy." + std::string(guc);
}

void define_string(const providers::StringSetting &s, char **var) {
    DefineCustomStringVariable(c_str(qualified(s.guc)), c_str(s.description), nullptr, var,
                               c_str(s.default_value), PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
}

} // namespace

std::string ProviderSettings::base_url_value() const {
    return base_url ? base_url : std::string(entry->base_url.default_value);
}

std::string ProviderSettings::model(std::string_view kind) const {
    if (kind == "text" && entry->text.adapter)
        return text_model ? text_model : std::string(entry->text.model.default_value);
    if (kind == "image" && entry->image.adapter)
        return image_model ? image_model : std::string(entry->image.model.default_value);
    return {};
}

std::map<std::string, std::string> ProviderSettings::option_values() const {
    std::map<std::string, std::string> out;
    for (std::size_t k = 0; k < options.size() && k < entry->options.size(); ++k)
        out[std::string(entry->options[k].option)] = std::to_string(options[k]);
    return out;
}

void define_provider_gucs() {
    std::vector<ProviderSettings> &list = storage();
    if (!list.empty()) return;
    list.resize(providers::registry().size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        ProviderSettings &p = list[i];
        p.entry = &providers::registry()[i];
        define_string(p.entry->base_url, &p.base_url);
        const providers::IntSetting &c = p.entry->concurrency;
        DefineCustomIntVariable(c_str(qualified(c.guc)), c_str(c.description), nullptr, &p.concurrency,
                                c.default_value, 1, 256, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
        if (p.entry->text.adapter) define_string(p.entry->text.model, &p.text_model);
        if (p.entry->image.adapter) define_string(p.entry->image.model, &p.image_model);
        // Sized before any GUC points into it: the addresses stay valid.
        p.options.resize(p.entry->options.size());
        for (std::size_t k = 0; k < p.options.size(); ++k) {
            const providers::OptionSetting &o = p.entry->options[k];
            DefineCustomIntVariable(c_str(qualified(o.guc)), c_str(o.description), nullptr, &p.options[k],
                                    o.default_value, o.min, o.max, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
        }
    }
}

const std::vector<ProviderSettings> &provider_settings() {
    return storage();
}

const ProviderSettings *provider_settings(std::string_view name) {
    for (const ProviderSettings &p : storage())
        if (p.entry->name == name) return &p;
    return nullptr;
}

std::string provider_registry_json() {
    return providers::registry_json([](const providers::ProviderEntry &entry, std::string_view kind) {
        const ProviderSettings *p = provider_settings(entry.name);
        if (p) return p->model(kind);
        return std::string(kind == "text" ? entry.text.model.default_value : entry.image.model.default_value);
    });
}

} // namespace rolloy::pg::settings

// rolloy_internal._provider_registry() RETURNS text: SQL reads the registry through it.
ROLLOY_FUNCTION(rolloy_provider_registry) {
    return rolloy::pg::text_datum(rolloy::pg::settings::provider_registry_json());
}
