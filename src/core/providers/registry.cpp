#include "core/providers/registry.hpp"

#include "core/providers/fal_flux.hpp"
#include "core/providers/gemini_image.hpp"
#include "core/providers/gemini_text.hpp"

namespace rolloy::providers {
namespace {

// One line per provider. A function-local static: no initialisation order trouble, and
// nothing runs at library load.
const std::vector<const TextProvider *> &text_providers() {
    static const std::vector<const TextProvider *> list = {
        &gemini::text_provider(),
    };
    return list;
}

const std::vector<const ImageProvider *> &image_providers() {
    static const std::vector<const ImageProvider *> list = {
        &gemini::image_provider(),
        &fal::image_provider(),
    };
    return list;
}

template <typename P> const P *find(const std::vector<const P *> &list, std::string_view name) {
    for (const P *p : list)
        if (p->name() == name) return p;
    return nullptr;
}

template <typename P> std::vector<std::string_view> names(const std::vector<const P *> &list) {
    std::vector<std::string_view> out;
    for (const P *p : list)
        out.push_back(p->name());
    return out;
}

} // namespace

const TextProvider *find_text_provider(std::string_view name) {
    return find(text_providers(), name);
}
const ImageProvider *find_image_provider(std::string_view name) {
    return find(image_providers(), name);
}
std::vector<std::string_view> text_provider_names() {
    return names(text_providers());
}
std::vector<std::string_view> image_provider_names() {
    return names(image_providers());
}

} // namespace rolloy::providers
