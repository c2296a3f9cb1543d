// Creative names: `YYYYMMDD_A1_A2_B_C_D[_N][_Vnn]`.
//   YYYYMMDD  the project's creation date (in the naming time zone)
//   A1 A2     scene category code, scene code      B  action code
//   C         emotional-driver code                D  format code
//   _N        sequence (2, 3, …) when the same ABCD was already used that day
//   _Vnn      variant: one generated image of the project (V01, V02, …)
// Names travel through ad platforms and spreadsheets, so the parser forgives what those do
// to them (case, separators, " - Copy" suffixes) while the composer only ever emits one form.
#pragma once
#include "core/common/core_only.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rolloy::naming {

// A dictionary code: 2–8 characters, A–Z and 0–9, starting with a letter. Upper case only, so
// that a name has one spelling and survives platforms that change case.
constexpr size_t kMinCodeLength = 2;
constexpr size_t kMaxCodeLength = 8;
bool is_valid_code(std::string_view code);
// Throws Error(InvalidInput) naming `what` (e.g. "scene code") and the rule when invalid.
void validate_code(std::string_view what, std::string_view code);

struct AbcdCodes {
    std::string scene_category;  // A1
    std::string scene;           // A2
    std::string action;          // B
    std::string driver;          // C
    std::string format;          // D
};

// `yyyymmdd` must be a real calendar date; sequence 1 means "first of the day" (no suffix).
std::string compose_project_name(std::string_view yyyymmdd, const AbcdCodes &codes, int sequence);
// The ad-ready name of one generated image: project name + `_V` + at least two digits.
std::string compose_image_name(std::string_view project_name, int variant);

struct ParsedName {
    int year = 0, month = 0, day = 0;
    AbcdCodes codes;
    int sequence = 1;  // 1 when there is no `_N` suffix
    int variant = 0;   // 0 when there is no `_Vnn` suffix
    std::string project_name;  // canonical, without variant
    std::string image_name;    // canonical, with variant; empty when variant == 0
};

// Returns nothing for text that is not a creative name.
std::optional<ParsedName> parse_creative_name(std::string_view text);

bool is_valid_date(int year, int month, int day);

}  // namespace rolloy::naming
