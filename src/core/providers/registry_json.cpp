#include "core/providers/registry_json.hpp"

#include "core/providers/json.hpp"

namespace rolloy::providers {
namespace {

std::string qualified(std::string_view guc) {
    return "rolloy." + std::string(guc);
}

void add_kind(json_t *array, const ProviderEntry &p, const char *kind, const StringSetting &model,
              const std::vector<std::string_view> &units, const std::string &model_value) {
    json_t *row = json::object();
    json_array_append_new(array, row);
    json::set(row, "provider", json::string(p.name));
    json::set(row, "kind", json::string(kind));
    json::set(row, "model", json::string(model_value));
    json::set(row, "model_setting", json::string(qualified(model.guc)));
    json::set(row, "base_url_setting", json::string(qualified(p.base_url.guc)));
    json::set(row, "concurrency_setting", json::string(qualified(p.concurrency.guc)));
    json_t *list = json_array();
    for (std::string_view u : units)
        json_array_append_new(list, json::string(u));
    json::set(row, "price_units", list);
}

} // namespace

std::string registry_json(
    const std::function<std::string(const ProviderEntry &, std::string_view kind)> &model_in_force) {
    json::Ptr array(json_array());
    for (const ProviderEntry &p : registry()) {
        if (p.text.adapter)
            add_kind(array.get(), p, "text", p.text.model, p.text.price_units, model_in_force(p, "text"));
        if (p.image.adapter)
            add_kind(array.get(), p, "image", p.image.model, p.image.price_units, model_in_force(p, "image"));
    }
    return json::dump(array.get());
}

} // namespace rolloy::providers
