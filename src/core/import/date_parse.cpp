#include "core/import/date_parse.hpp"

#include "core/import/text_util.hpp"

namespace rolloy::import {
namespace {

constexpr const char *kNotADate = "is not a date";
constexpr const char *kImpossible = "is not a real calendar date";

struct Token {
    bool number;
    std::string_view text;
    int value; // numbers only
};

// Splits into runs of digits and runs of letters; everything between is a separator, which
// must be one of " ,./-" (kept in seps[i], the text between token i and i+1).
int tokenize(std::string_view s, Token *tokens, std::string_view *seps, int max_tokens) {
    int n = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t sep_start = i;
        while (i < s.size() && !is_digit(s[i]) && !is_alpha(s[i])) {
            char c = s[i];
            if (c != ' ' && c != ',' && c != '.' && c != '/' && c != '-') return -1;
            ++i;
        }
        if (n > 0)
            seps[n - 1] = s.substr(sep_start, i - sep_start);
        else if (i != sep_start)
            return -1; // leading separator
        if (i == s.size()) break;
        if (n == max_tokens) return -1;
        std::size_t start = i;
        bool number = is_digit(s[i]);
        int value = 0;
        while (i < s.size() && (number ? is_digit(s[i]) : is_alpha(s[i]))) {
            if (number) {
                if (i - start >= 4) return -1; // no date part has more than 4 digits
                value = value * 10 + (s[i] - '0');
            }
            ++i;
        }
        tokens[n++] = {number, s.substr(start, i - start), value};
    }
    return n;
}

int month_from_word(std::string_view word) {
    static const char *const kMonths[] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    if (word.size() < 3) return 0;
    for (int m = 0; m < 12; ++m) {
        std::string_view full = kMonths[m];
        if (word.size() <= full.size() && istarts_with(full, word)) return m + 1;
    }
    return 0;
}

bool is_weekday(std::string_view word) {
    static const char *const kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    if (word.size() < 3) return false;
    for (const char *d : kDays) {
        std::string_view full = d;
        if (word.size() <= full.size() && istarts_with(full, word)) return true;
    }
    return false;
}

int full_year(const Token &t) {
    if (t.text.size() == 4) return t.value;
    if (t.text.size() == 2) return 2000 + t.value;
    return -1;
}

bool only_blank_comma_dot(std::string_view sep) {
    for (char c : sep)
        if (c != ' ' && c != ',' && c != '.') return false;
    return true;
}

ParsedDate finish(int year, int month, int day, SlashEvidence evidence = SlashEvidence::None) {
    ParsedDate r;
    r.evidence = evidence;
    if (!is_valid_date(year, month, day)) {
        r.status = DateStatus::Invalid;
        r.problem = kImpossible;
        return r;
    }
    r.status = DateStatus::Ok;
    r.date = {year, month, day};
    return r;
}

ParsedDate invalid(const char *problem, SlashEvidence evidence = SlashEvidence::None) {
    ParsedDate r;
    r.status = DateStatus::Invalid;
    r.problem = problem;
    r.evidence = evidence;
    return r;
}

// Drops a time of day: "2026-11-27 00:00:00", "2026-11-27T00:00:00Z", "11/27/2026 12:00 AM".
std::string_view strip_time(std::string_view s) {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return s;
    std::size_t cut = s.find_last_of(" T", colon);
    return cut == std::string_view::npos ? s : trim_blanks(s.substr(0, cut));
}

} // namespace

std::string Date::iso() const {
    char buf[16];
    buf[0] = static_cast<char>('0' + year / 1000 % 10);
    buf[1] = static_cast<char>('0' + year / 100 % 10);
    buf[2] = static_cast<char>('0' + year / 10 % 10);
    buf[3] = static_cast<char>('0' + year % 10);
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + month / 10);
    buf[6] = static_cast<char>('0' + month % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + day / 10);
    buf[9] = static_cast<char>('0' + day % 10);
    return std::string(buf, 10);
}

bool is_valid_date(int year, int month, int day) noexcept {
    if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    return day <= max;
}

ParsedDate parse_date(std::string_view text, DateOrder order) noexcept {
    std::string_view s = trim_blanks(text);
    if (s.empty() || s == "-" || s == "--") return ParsedDate{};
    s = strip_time(s);

    Token t[5];
    std::string_view sep[5];
    int n = tokenize(s, t, sep, 5);
    if (n < 3) return invalid(kNotADate);

    // Numeric forms: exactly three numbers joined by one repeated separator.
    if (n == 3 && t[0].number && t[1].number && t[2].number) {
        if (sep[0] != sep[1] || sep[0].size() != 1) return invalid(kNotADate);
        char c = sep[0][0];
        if (t[0].text.size() == 4) { // yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd
            if (c == ' ' || c == ',') return invalid(kNotADate);
            return finish(t[0].value, t[1].value, t[2].value);
        }
        int year = full_year(t[2]);
        if (year < 0 || t[0].text.size() > 2 || t[1].text.size() > 2 || (c != '/' && c != '.' && c != '-'))
            return invalid(kNotADate);
        if (c == '.') return finish(year, t[1].value, t[0].value); // 27.11.2026 is always day-first
        int a = t[0].value, b = t[1].value;
        SlashEvidence evidence = a > 12 && b <= 12    ? SlashEvidence::DayFirst
                                 : b > 12 && a <= 12  ? SlashEvidence::MonthFirst
                                 : a <= 12 && b <= 12 ? SlashEvidence::Ambiguous
                                                      : SlashEvidence::None;
        bool day_first = order == DateOrder::DayFirst || (order == DateOrder::Auto && a > 12);
        if (order == DateOrder::MonthFirst && a > 12)
            return invalid("is not a month-first date (MM/DD/YYYY) like the other dates of this file",
                           evidence);
        if (order == DateOrder::DayFirst && b > 12)
            return invalid("is not a day-first date (DD/MM/YYYY) like the other dates of this file",
                           evidence);
        return day_first ? finish(year, b, a, evidence) : finish(year, a, b, evidence);
    }

    // Month-name forms, optionally after a weekday: "Nov 27, 2026", "27 Nov 2026".
    int first = 0;
    if (!t[0].number && is_weekday(t[0].text) && month_from_word(t[0].text) == 0) first = 1;
    if (n - first != 3) return invalid(kNotADate);
    for (int i = first; i < n - 1; ++i)
        if (!only_blank_comma_dot(sep[i])) return invalid(kNotADate);
    const Token &x = t[first], &y = t[first + 1], &z = t[first + 2];
    if (!z.number || z.text.size() != 4) return invalid(kNotADate);
    if (!x.number && y.number && y.text.size() <= 2) {
        int month = month_from_word(x.text);
        return month ? finish(z.value, month, y.value) : invalid(kNotADate);
    }
    if (x.number && !y.number && x.text.size() <= 2) {
        int month = month_from_word(y.text);
        return month ? finish(z.value, month, x.value) : invalid(kNotADate);
    }
    return invalid(kNotADate);
}

} // namespace rolloy::import
