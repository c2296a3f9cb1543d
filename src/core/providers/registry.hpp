// Providers by name, as configuration and SQL refer to them ("gemini", "fal"). Text and image
// providers are separate lists: one name may serve both (Gemini writes prompts and edits images).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"

#include <string_view>
#include <vector>

namespace rolloy::providers {

// nullptr for an unknown name. The providers are stateless singletons, safe from any thread.
const TextProvider *find_text_provider(std::string_view name);
const ImageProvider *find_image_provider(std::string_view name);

std::vector<std::string_view> text_provider_names();
std::vector<std::string_view> image_provider_names();

} // namespace rolloy::providers
