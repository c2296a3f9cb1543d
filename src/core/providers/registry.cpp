#include "core/providers/registry.hpp"

#include "core/providers/fal_flux.hpp"
#include "core/providers/gemini_image.hpp"
#include "core/providers/gemini_text.hpp"
#include "core/providers/replicate_flux.hpp"

namespace rolloy::providers {

// One entry per provider. GUC names and defaults are public API (docs/worker.md): an entry
// added later follows the same pattern (<name>_base_url, concurrency_<name>, <name>_<kind>_model).
// A function-local static: no initialisation order trouble, nothing runs at library load.
const std::vector<ProviderEntry> &registry() {
    static const std::vector<ProviderEntry> list = {
        {"gemini",
         {"gemini_base_url", "Base URL of the Gemini API.", "https://generativelanguage.googleapis.com"},
         {"concurrency_gemini", "Concurrent Gemini image calls of the worker.", 16},
         {&gemini::text_provider(),
          {"gemini_text_model", "Gemini model that writes prompts.", "gemini-2.5-flash"},
          {"input_token_1m", "output_token_1m"}},
         {&gemini::image_provider(),
          {"gemini_image_model", "Gemini image model (Nano Banana).", "gemini-2.5-flash-image"},
          {"image"}},
         {},
         {}},
        {"fal",
         {"fal_base_url", "Base URL of fal.ai's queue API.", "https://queue.fal.run"},
         {"concurrency_fal", "Concurrent fal.ai jobs of the worker.", 16},
         {},
         {&fal::image_provider(),
          {"fal_image_model", "fal.ai image-to-image model.", "fal-ai/flux/dev/image-to-image"},
          {"megapixel"}},
         {},
         {}},
        {"replicate",
         {"replicate_base_url", "Base URL of Replicate's API (/v1/... is appended).",
          "https://api.replicate.com"},
         {"concurrency_replicate", "Concurrent Replicate predictions of the worker.", 16},
         {},
         {&replicate::image_provider(),
          {"replicate_image_model", "Replicate image-to-image model (owner/name of an official model).",
           "black-forest-labs/flux-dev"},
          {"image"}},
         {{"replicate_prefer_wait",
           "Seconds a Replicate create waits for the prediction (Prefer: wait) before the worker polls; 0: "
           "poll at once.",
           "prefer_wait", 60, 0, 60},
          {"replicate_cancel_after",
           "Seconds after its creation Replicate cancels a prediction that has not finished (Cancel-After); "
           "0: never.",
           "cancel_after", 900, 0, 86400}},
         // flux-dev bills per output and the worker keeps one image: ask for exactly one. The
         // kontext model takes its reference as input_image and has no num_outputs.
         {{"black-forest-labs/flux-dev", "num_outputs", "1"},
          {"black-forest-labs/flux-kontext-pro", "image_input", "input_image"}}},
    };
    return list;
}

const ProviderEntry *find_provider(std::string_view name) {
    for (const ProviderEntry &p : registry())
        if (p.name == name) return &p;
    return nullptr;
}

void apply_model_options(std::string_view provider, ProviderConfig &config) {
    const ProviderEntry *p = find_provider(provider);
    if (!p) return;
    for (const ModelOption &o : p->model_options)
        if (o.model == config.model) config.options.emplace(std::string(o.option), std::string(o.value));
}

const TextProvider *find_text_provider(std::string_view name) {
    const ProviderEntry *p = find_provider(name);
    return p ? p->text.adapter : nullptr;
}

const ImageProvider *find_image_provider(std::string_view name) {
    const ProviderEntry *p = find_provider(name);
    return p ? p->image.adapter : nullptr;
}

std::vector<std::string_view> text_provider_names() {
    std::vector<std::string_view> out;
    for (const ProviderEntry &p : registry())
        if (p.text.adapter) out.push_back(p.name);
    return out;
}

std::vector<std::string_view> image_provider_names() {
    std::vector<std::string_view> out;
    for (const ProviderEntry &p : registry())
        if (p.image.adapter) out.push_back(p.name);
    return out;
}

} // namespace rolloy::providers
