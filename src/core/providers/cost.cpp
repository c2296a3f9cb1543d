#include "core/providers/cost.hpp"

#include <cmath>

namespace rolloy::providers {

double cost_usd(const Price &price, const Outcome &outcome) {
    double usd = static_cast<double>(outcome.tokens_in) * price.usd_per_million_input_tokens / 1e6 +
                 static_cast<double>(outcome.tokens_out) * price.usd_per_million_output_tokens / 1e6;
    if (outcome.success() && !outcome.image.empty()) {
        usd += price.usd_per_image;
        double megapixels = 1;
        if (outcome.image_width > 0 && outcome.image_height > 0)
            megapixels = std::ceil(static_cast<double>(outcome.image_width) * outcome.image_height / 1e6);
        usd += megapixels * price.usd_per_megapixel;
    }
    return usd;
}

} // namespace rolloy::providers
