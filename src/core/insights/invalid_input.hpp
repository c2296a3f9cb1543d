// The argument errors of the insights core: rolloy::Error(InvalidInput) whose message names the
// argument and the value it got ("degrees of freedom must be positive, got -1").
#pragma once
#include "core/common/core_only.hpp"

#include "core/common/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace rolloy::insights {

// A number as an error message shows it: the shortest text that reads back the same double.
inline std::string number_text(double value) {
    char text[32];
    for (int digits = 6; digits < 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, value);
        if (std::strtod(text, nullptr) == value) return text;
    }
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

[[noreturn]] inline void throw_invalid_input(const std::string &requirement, double got) {
    throw Error(ErrorKind::InvalidInput, requirement + ", got " + number_text(got));
}

} // namespace rolloy::insights
