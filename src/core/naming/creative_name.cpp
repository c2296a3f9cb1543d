#include "core/naming/creative_name.hpp"

#include "core/common/error.hpp"

#include <cctype>
#include <cstdio>
#include <vector>

namespace rolloy::naming {
namespace {

bool is_upper_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}
int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) {
        if (v > 100000000) return -1;  // guards overflow; such numbers are never valid parts
        v = v * 10 + (c - '0');
    }
    return v;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// UTF-8 dashes people and spreadsheets substitute for '-': en dash, em dash, minus sign.
size_t dash_length_at(std::string_view s, size_t i) {
    if (s[i] == '-') return 1;
    static const char *const kDashes[] = {"\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x88\x92"};
    for (const char *d : kDashes)
        if (s.substr(i, 3) == d) return 3;
    return 0;
}

// Removes one trailing "copy" decoration: " - Copy", " – Copy 2", " copy", "(1)".
bool strip_copy_suffix(std::string_view &s) {
    std::string_view t = trim(s);
    // "(N)"
    if (!t.empty() && t.back() == ')') {
        size_t open = t.rfind('(');
        if (open != std::string_view::npos && all_digits(t.substr(open + 1, t.size() - open - 2))) {
            s = trim(t.substr(0, open));
            return true;
        }
    }
    // "... copy" or "... copy N", optionally preceded by a dash
    size_t end = t.size();
    while (end > 0 && is_digit(t[end - 1])) --end;
    std::string_view head = trim(t.substr(0, end));
    if (head.size() >= 4 && starts_with_ci(head.substr(head.size() - 4), "copy")) {
        std::string_view before = head.substr(0, head.size() - 4);
        if (!before.empty() && before.back() != ' ' && before.back() != '_' && before.back() != '-' &&
            static_cast<unsigned char>(before.back()) < 0x80)
            return false;  // "...SCOPY" is part of a code, not a suffix
        before = trim(before);
        // a dash (ASCII or UTF-8) directly before " Copy"
        for (size_t len : {size_t(1), size_t(3)}) {
            if (before.size() >= len && dash_length_at(before, before.size() - len) == len) {
                before = trim(before.substr(0, before.size() - len));
                break;
            }
        }
        s = before;
        return true;
    }
    return false;
}

// Upper-cases and folds every run of separators (space, '-', dashes, '.', '_') to one '_'.
std::string canonical_tokens(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending_sep = false;
    for (size_t i = 0; i < s.size();) {
        size_t dash = dash_length_at(s, i);
        char c = s[i];
        if (dash || c == ' ' || c == '_' || c == '.' || c == '\t') {
            pending_sep = true;
            i += dash ? dash : 1;
            continue;
        }
        if (pending_sep && !out.empty()) out.push_back('_');
        pending_sep = false;
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        ++i;
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

std::string two_digits(int n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d", n);
    return buf;
}

}  // namespace

bool is_valid_code(std::string_view code) {
    if (code.size() < kMinCodeLength || code.size() > kMaxCodeLength) return false;
    if (code[0] < 'A' || code[0] > 'Z') return false;
    for (char c : code)
        if (!is_upper_alnum(c)) return false;
    return true;
}

void validate_code(std::string_view what, std::string_view code) {
    if (is_valid_code(code)) return;
    throw Error(ErrorKind::InvalidInput,
                "invalid " + std::string(what) + " \"" + std::string(code.substr(0, 40)) + "\"",
                "Codes are 2 to 8 characters, upper-case letters A-Z and digits, starting with a letter.",
                "Use a short upper-case token such as \"PARK\" or \"UGC\"; it becomes part of ad names.");
}

bool is_valid_date(int year, int month, int day) {
    if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    return day <= max_day;
}

std::string compose_project_name(std::string_view yyyymmdd, const AbcdCodes &codes, int sequence) {
    if (yyyymmdd.size() != 8 || !all_digits(yyyymmdd) ||
        !is_valid_date(to_int(yyyymmdd.substr(0, 4)), to_int(yyyymmdd.substr(4, 2)), to_int(yyyymmdd.substr(6, 2))))
        throw Error(ErrorKind::InvalidInput, "invalid name date \"" + std::string(yyyymmdd) + "\"",
                    "The date part of a creative name is YYYYMMDD.");
    validate_code("scene category code (A1)", codes.scene_category);
    validate_code("scene code (A2)", codes.scene);
    validate_code("action code (B)", codes.action);
    validate_code("driver code (C)", codes.driver);
    validate_code("format code (D)", codes.format);
    if (sequence < 1) throw Error(ErrorKind::InvalidInput, "name sequence must be 1 or more");
    std::string name;
    name.reserve(8 + 5 * (kMaxCodeLength + 1) + 8);
    name.append(yyyymmdd);
    for (const std::string *code : {&codes.scene_category, &codes.scene, &codes.action, &codes.driver, &codes.format}) {
        name.push_back('_');
        name.append(*code);
    }
    if (sequence > 1) name.append("_" + std::to_string(sequence));
    return name;
}

std::string compose_image_name(std::string_view project_name, int variant) {
    if (variant < 1) throw Error(ErrorKind::InvalidInput, "image variant must be 1 or more");
    if (!parse_creative_name(project_name) || parse_creative_name(project_name)->variant != 0)
        throw Error(ErrorKind::InvalidInput,
                    "\"" + std::string(project_name.substr(0, 80)) + "\" is not a creative project name");
    return std::string(project_name) + "_V" + two_digits(variant);
}

std::optional<ParsedName> parse_creative_name(std::string_view text) {
    if (text.size() > 512) return std::nullopt;  // no real name is this long; bounds the work
    std::string_view s = trim(text);
    for (int i = 0; i < 3 && strip_copy_suffix(s); ++i) {
    }
    std::string canon = canonical_tokens(s);
    std::vector<std::string_view> tokens = split(canon, '_');

    // Accept a dashed date (2026-11-27 → 2026_11_27 after folding) as well as 20261127.
    std::string date;
    size_t next = 0;
    if (tokens.size() >= 3 && tokens[0].size() == 4 && tokens[1].size() == 2 && tokens[2].size() == 2 &&
        all_digits(tokens[0]) && all_digits(tokens[1]) && all_digits(tokens[2])) {
        date = std::string(tokens[0]) + std::string(tokens[1]) + std::string(tokens[2]);
        next = 3;
    } else if (!tokens.empty() && tokens[0].size() == 8 && all_digits(tokens[0])) {
        date = std::string(tokens[0]);
        next = 1;
    } else {
        return std::nullopt;
    }
    if (tokens.size() < next + 5 || tokens.size() > next + 7) return std::nullopt;

    ParsedName parsed;
    parsed.year = to_int(std::string_view(date).substr(0, 4));
    parsed.month = to_int(std::string_view(date).substr(4, 2));
    parsed.day = to_int(std::string_view(date).substr(6, 2));
    if (!is_valid_date(parsed.year, parsed.month, parsed.day)) return std::nullopt;

    std::string *slots[] = {&parsed.codes.scene_category, &parsed.codes.scene, &parsed.codes.action,
                            &parsed.codes.driver, &parsed.codes.format};
    for (std::string *slot : slots) {
        std::string_view token = tokens[next++];
        if (!is_valid_code(token)) return std::nullopt;
        *slot = std::string(token);
    }
    // Optional trailing parts, in this order: sequence (digits, >= 2), variant (V + digits).
    if (next < tokens.size() && all_digits(tokens[next])) {
        int seq = tokens[next].size() <= 6 ? to_int(tokens[next]) : -1;
        if (seq < 2) return std::nullopt;
        parsed.sequence = seq;
        ++next;
    }
    if (next < tokens.size() && tokens[next].size() >= 2 && tokens[next][0] == 'V' &&
        all_digits(tokens[next].substr(1))) {
        int variant = tokens[next].size() <= 7 ? to_int(tokens[next].substr(1)) : -1;
        if (variant < 1) return std::nullopt;
        parsed.variant = variant;
        ++next;
    }
    if (next != tokens.size()) return std::nullopt;

    parsed.project_name = compose_project_name(date, parsed.codes, parsed.sequence);
    if (parsed.variant > 0) parsed.image_name = parsed.project_name + "_V" + two_digits(parsed.variant);
    return parsed;
}

}  // namespace rolloy::naming
