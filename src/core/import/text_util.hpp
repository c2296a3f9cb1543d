// Tiny text helpers shared by the import parsers. Exports are UTF-8 by the time they reach these
// (see text_encoding.hpp); the only non-ASCII blanks that matter in practice are the no-break
// spaces spreadsheets put around numbers and into French headers, so trimming knows those too.
#pragma once
#include "core/common/core_only.hpp"

#include <cstddef>
#include <string_view>

namespace rolloy::import {

// Length of the blank at the front of s: an ASCII space/tab, U+00A0 NO-BREAK SPACE,
// U+202F NARROW NO-BREAK SPACE or U+3000 IDEOGRAPHIC SPACE. 0 when s does not start with one.
inline std::size_t blank_length(std::string_view s) noexcept {
    if (s.empty()) return 0;
    unsigned char c = static_cast<unsigned char>(s[0]);
    if (c == ' ' || c == '\t') return 1;
    if (c == 0xC2 && s.size() >= 2 && static_cast<unsigned char>(s[1]) == 0xA0) return 2;
    if (c == 0xE2 && s.size() >= 3 && static_cast<unsigned char>(s[1]) == 0x80 &&
        static_cast<unsigned char>(s[2]) == 0xAF)
        return 3;
    if (c == 0xE3 && s.size() >= 3 && static_cast<unsigned char>(s[1]) == 0x80 &&
        static_cast<unsigned char>(s[2]) == 0x80)
        return 3;
    return 0;
}

// Length of the blank at the end of s (same set as blank_length).
inline std::size_t trailing_blank_length(std::string_view s) noexcept {
    std::size_t n = s.size();
    if (n == 0) return 0;
    unsigned char c = static_cast<unsigned char>(s[n - 1]);
    if (c == ' ' || c == '\t') return 1;
    if (n >= 2 && c == 0xA0 && static_cast<unsigned char>(s[n - 2]) == 0xC2) return 2;
    if (n >= 3 && static_cast<unsigned char>(s[n - 3]) == 0xE2 &&
        static_cast<unsigned char>(s[n - 2]) == 0x80 && c == 0xAF)
        return 3;
    if (n >= 3 && static_cast<unsigned char>(s[n - 3]) == 0xE3 &&
        static_cast<unsigned char>(s[n - 2]) == 0x80 && c == 0x80)
        return 3;
    return 0;
}

inline std::string_view trim_blanks(std::string_view s) noexcept {
    while (std::size_t n = blank_length(s))
        s.remove_prefix(n);
    while (std::size_t n = trailing_blank_length(s))
        s.remove_suffix(n);
    return s;
}

inline bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
inline bool is_upper(char c) noexcept {
    return c >= 'A' && c <= 'Z';
}
inline bool is_alpha(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
inline char to_lower(char c) noexcept {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// A three-letter upper-case code, the shape of an ISO 4217 currency code.
inline bool is_currency_code(std::string_view s) noexcept {
    return s.size() == 3 && is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2]);
}

} // namespace rolloy::import
