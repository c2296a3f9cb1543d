// The colour grade of preview images, keyed by the creative's emotional driver (the C of
// ABCD), so offline previews already look like the mood they stand for.
//
//   grade    drivers (codes, case-insensitive)                                  look
//   warm     JOY HAPPY FUN LOVE BELONG BELONGING CONNECT CONNECTION FAMILY      warmer, a little richer
//            TOGETHER WARMTH
//   cool     CALM PEACE SERENE SERENITY RELAX SAFE SAFETY TRUST SECURE SECURITY cooler, quieter colour
//   vivid    ENERGY ENER ACTIVE ADVENTURE ADV FREEDOM FREE EXCITE EXCITEMENT    saturated, contrasty
//            VITALITY
//   sepia    NOSTALGIA NOST MEMORY MEMORIES HERITAGE TRADITION LEGACY           old-photo sepia
//   soft     CARE COMFORT GENTLE TENDER EMPATHY                                 faded, low contrast
//   crisp    CONFIDENCE CONF PRIDE INDEPENDENCE INDEP DIGNITY STRENGTH EMPOWER  contrasty, neutral
//            EMPOWERMENT
//   fresh    HOPE HEALTH RENEW RENEWAL GROWTH OPTIMISM FRESH                    bright, green-cyan
//   neutral  (empty code)                                                       unchanged
//
// Any other code gets one of the seven non-neutral grades chosen by a hash (FNV-1a) of its
// upper-cased text: stable across runs, machines and releases, so a new driver always looks
// the same.
#pragma once
#include "core/common/core_only.hpp"

#include <array>
#include <string_view>

namespace rolloy::images {

// out = matrix * rgb + offset, on 0-255 sRGB values (rows are output R, G, B).
struct ColourGrade {
    std::string_view name;
    std::array<double, 9> matrix;
    std::array<double, 3> offset;
};

const ColourGrade &grade_for_driver(std::string_view driver_code);

} // namespace rolloy::images
