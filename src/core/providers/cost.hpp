// What a call cost, from its Outcome and a price list the worker reads from configuration.
// Reference prices (USD, shared/reference/provider-apis.md §6; check before billing):
//   gemini-2.5-flash        0.30 in / 2.50 out per 1M tokens (thinking billed as output)
//   gemini-2.5-flash-image  0.30 in / 30 out per 1M tokens (1290 tokens per image: $0.039)
//   fal flux/dev image-to-image  0.025 per megapixel, rounded up
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/outcome.hpp"

namespace rolloy::providers {

struct Price {
    double usd_per_million_input_tokens = 0;
    double usd_per_million_output_tokens = 0;
    double usd_per_image = 0;     // per successful image
    double usd_per_megapixel = 0; // per started megapixel of a successful image (fal)
};

// Token charges apply to any outcome that reports tokens (Gemini bills refused answers too);
// image and megapixel charges only to a Success with an image. Megapixels use the reported
// width x height rounded up to whole megapixels (1 when the size is unknown).
double cost_usd(const Price &price, const Outcome &outcome);

} // namespace rolloy::providers
