// Turning a project's ABCD into an image prompt: the brief (what the dictionaries say), the
// messages an LLM gets to write a Flux-style prompt, and the offline template composer.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <vector>

namespace rolloy::prompts {

struct CreativeBrief {
    std::string scene_category, scene, scene_description;
    std::string action, action_description;
    std::string product_state;  // expanded | folded | both
    std::string driver_emotion, driver_description;
    std::vector<std::string> driver_keywords;
    std::string format_name, format_description, aspect_ratio;
};

struct PromptMessages {
    std::string system;
    std::string user;
};

// The system instruction (brand, audience, what a good Flux prompt is) and the user message
// (this creative's ABCD) for an LLM.
PromptMessages build_prompt_request(const CreativeBrief &brief);

// The built-in `template` provider: a complete Flux-style prompt composed from the brief alone.
// Deterministic: the same brief always gives the same prompt.
std::string compose_template_prompt(const CreativeBrief &brief);

// Cleans what an LLM returned: strips code fences, surrounding quotes and a "Prompt:" label,
// folds whitespace, caps the length at max_chars (on a word boundary). Throws
// rolloy::Error(ExternalService) when nothing usable is left.
std::string clean_model_prompt(const std::string &text, std::size_t max_chars = 1500);

}  // namespace rolloy::prompts
