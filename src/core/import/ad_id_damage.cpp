#include "core/import/ad_id_damage.hpp"

#include "core/import/text_util.hpp"

#include <cstdint>

namespace rolloy::import {
namespace {

// A positive number as mantissa x 10^exponent, the mantissa without trailing zeros (0 is 0 x 10^0).
struct Scaled {
    std::uint64_t mantissa = 0;
    int exponent = 0;

    void normalise() noexcept {
        if (mantissa == 0) exponent = 0;
        while (mantissa != 0 && mantissa % 10 == 0) {
            mantissa /= 10;
            ++exponent;
        }
    }
    friend bool operator==(const Scaled &a, const Scaled &b) noexcept {
        return a.mantissa == b.mantissa && a.exponent == b.exponent;
    }
};

constexpr std::size_t kMaxDigits = 18; // fits std::uint64_t with room for a carry

struct Damaged {
    Scaled value;
    std::size_t significant = 0; // digits shown, leading zeros excluded
};

bool parse_damaged(std::string_view s, Damaged &out) noexcept {
    std::size_t e = s.find_first_of("eE");
    if (e == std::string_view::npos || e == 0 || e + 1 >= s.size()) return false;
    bool point = false, leading = true;
    int after_point = 0;
    for (std::size_t i = 0; i < e; ++i) {
        char c = s[i];
        if (c == '.' || c == ',') {
            if (point) return false;
            point = true;
            continue;
        }
        if (!is_digit(c)) return false;
        if (point) ++after_point;
        if (leading && c == '0') continue;
        leading = false;
        if (++out.significant > kMaxDigits) return false;
        out.value.mantissa = out.value.mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    }
    std::size_t i = e + 1;
    bool negative = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || s.size() - i > 3) return false;
    int exponent = 0;
    for (; i < s.size(); ++i) {
        if (!is_digit(s[i])) return false;
        exponent = exponent * 10 + (s[i] - '0');
    }
    out.value.exponent = (negative ? -exponent : exponent) - after_point;
    out.value.normalise();
    return true;
}

} // namespace

bool is_damaged_id(std::string_view text) noexcept {
    Damaged d;
    return parse_damaged(text, d);
}

bool damaged_id_fits(std::string_view damaged, std::string_view stored) noexcept {
    Damaged d;
    if (!parse_damaged(damaged, d) || d.significant == 0 || stored.empty()) return false;
    for (char c : stored)
        if (!is_digit(c)) return false;
    while (stored.size() > 1 && stored.front() == '0')
        stored.remove_prefix(1);
    // The stored ID rounded half up to as many significant digits as the damaged form shows.
    std::size_t k = d.significant < stored.size() ? d.significant : stored.size();
    Scaled rounded;
    for (std::size_t i = 0; i < k; ++i)
        rounded.mantissa = rounded.mantissa * 10 + static_cast<std::uint64_t>(stored[i] - '0');
    rounded.exponent = static_cast<int>(stored.size() - k);
    if (k < stored.size() && stored[k] >= '5') ++rounded.mantissa;
    rounded.normalise();
    return rounded == d.value;
}

} // namespace rolloy::import
