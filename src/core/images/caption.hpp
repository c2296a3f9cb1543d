// The caption of preview images: the key terms of the image prompt, so a reviewer sees at a
// glance what the (offline) image stands for.
#pragma once
#include "core/common/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace rolloy::images {

// The first `max_terms` distinct content words of `prompt` (case-insensitive), in prompt order,
// joined with " · " and at most `max_bytes` long (whole terms only). Skipped: English stop
// words, generic photography words ("photo", "realistic", "8k", ...) and words shorter than 3
// characters. Non-ASCII letters count as letters; ill-formed UTF-8 becomes U+FFFD.
std::string caption_from_prompt(std::string_view prompt, std::size_t max_terms = 6,
                                std::size_t max_bytes = 80);

// `text` made safe for Pango markup (libvips renders text as markup): well-formed UTF-8, with
// & < > ' " as entities and control characters as spaces.
std::string escape_markup(std::string_view text);

} // namespace rolloy::images
