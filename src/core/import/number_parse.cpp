#include "core/import/number_parse.hpp"

#include "core/import/text_util.hpp"

#include <iterator>

namespace rolloy::import {
namespace {

constexpr const char *kNotANumber = "is not a number";

struct CurrencySign {
    std::string_view sign;
    std::string_view code; // empty when the sign is shared by several currencies
};

// Longer signs first so "US$" is not read as "$".
constexpr CurrencySign kSigns[] = {
    {"US$", "USD"}, {"CA$", "CAD"},    {"AU$", "AUD"},    {"C$", "CAD"},     {"A$", "AUD"},
    {"R$", "BRL"},  {"$", ""},         {"\u20AC", "EUR"}, {"\u00A3", "GBP"}, {"\u20B9", "INR"},
    {"\u00A5", ""}, {"\u20A9", "KRW"}, {"\u20BA", "TRY"}, {"\u20BD", "RUB"}, {"z\u0142", "PLN"},
};

// Removes a currency sign or ISO code from the front of s.
bool strip_currency_prefix(std::string_view &s, ParsedNumber &n) {
    if (s.empty() || is_digit(s.front())) return false; // the common case, checked first
    for (const CurrencySign &c : kSigns) {
        if (s.substr(0, c.sign.size()) == c.sign) {
            s = trim_blanks(s.substr(c.sign.size()));
            if (!c.code.empty()) n.currency = c.code;
            return n.money = true;
        }
    }
    if (s.size() > 3 && is_currency_code(s.substr(0, 3)) && !is_alpha(s[3])) {
        n.currency = s.substr(0, 3);
        s = trim_blanks(s.substr(3));
        return n.money = true;
    }
    return false;
}

bool strip_currency_suffix(std::string_view &s, ParsedNumber &n) {
    if (s.empty() || is_digit(s.back())) return false;
    for (const CurrencySign &c : kSigns) {
        if (s.size() >= c.sign.size() && s.substr(s.size() - c.sign.size()) == c.sign) {
            s = trim_blanks(s.substr(0, s.size() - c.sign.size()));
            if (!c.code.empty()) n.currency = c.code;
            return n.money = true;
        }
    }
    if (s.size() > 3 && is_currency_code(s.substr(s.size() - 3)) && !is_alpha(s[s.size() - 4])) {
        n.currency = s.substr(s.size() - 3);
        s = trim_blanks(s.substr(0, s.size() - 3));
        return n.money = true;
    }
    return false;
}

bool is_null_token(std::string_view s) {
    return s.empty() || s == "-" || s == "--" || s == "\u2014" /* em dash */ || s == "\u2013" /* en dash */;
}

// Digits separated by `sep` into groups: 1 to 3 digits, then groups of exactly 3.
bool valid_grouping(std::string_view digits, char sep) {
    std::size_t group = 0;
    bool first = true;
    for (char c : digits) {
        if (c == sep) {
            if (group == 0 || group > 3 || (!first && group != 3)) return false;
            first = false;
            group = 0;
        } else if (is_digit(c)) {
            ++group;
        } else {
            return false;
        }
    }
    return group == 3 || (first && group > 0);
}

// Reads "digits with separators" (blanks already turned into ' ') into micros.
const char *parse_body(std::string_view s, DecimalMark mark, std::int64_t &micros) {
    std::size_t dots = 0, commas = 0, last_dot = 0, last_comma = 0;
    bool any_digit = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (is_digit(c))
            any_digit = true;
        else if (c == '.')
            ++dots, last_dot = i;
        else if (c == ',')
            ++commas, last_comma = i;
        else if (c != ' ') {
            if ((c == 'e' || c == 'E') && i > 0 && is_digit(s[i - 1]) && i + 1 < s.size() &&
                (is_digit(s[i + 1]) || s[i + 1] == '+' || s[i + 1] == '-'))
                return "uses scientific notation (a spreadsheet reformatted it)";
            return kNotANumber;
        }
    }
    if (!any_digit) return kNotANumber;

    const char preferred = mark == DecimalMark::Comma ? ',' : '.';
    char decimal = 0;
    if (dots && commas) {
        decimal = last_dot > last_comma ? '.' : ',';
        if ((decimal == '.' ? dots : commas) != 1) return "has misplaced separators";
    } else if (dots || commas) {
        char c = dots ? '.' : ',';
        std::size_t count = dots ? dots : commas;
        if (c == preferred) {
            decimal = count == 1 ? c : 0;
        } else {
            if (!valid_grouping(s, c)) {
                if (count != 1) return "has misplaced separators";
                decimal = c;
            }
        }
    }

    std::size_t point = decimal ? s.find(decimal) : s.size();
    std::string_view whole = s.substr(0, point);
    std::string_view fraction = point < s.size() ? s.substr(point + 1) : std::string_view();

    // The whole part: digits, optionally grouped by one kind of separator.
    char group_sep = 0;
    for (char c : whole) {
        if (is_digit(c)) continue;
        if (group_sep && c != group_sep) return "has misplaced separators";
        group_sep = c;
    }
    if (group_sep && !valid_grouping(whole, group_sep)) return "has misplaced separators";
    for (char c : fraction)
        if (!is_digit(c)) return "has misplaced separators";

    constexpr std::int64_t kMaxWhole = (INT64_MAX / Decimal::kScale) - 1;
    std::int64_t w = 0;
    for (char c : whole) {
        if (!is_digit(c)) continue;
        w = w * 10 + (c - '0');
        if (w > kMaxWhole) return "is too large";
    }
    std::int64_t f = 0;
    std::size_t k = 0;
    for (; k < fraction.size() && k < 6; ++k)
        f = f * 10 + (fraction[k] - '0');
    for (std::size_t pad = k; pad < 6; ++pad)
        f *= 10;
    if (fraction.size() > 6 && fraction[6] >= '5') ++f; // half away from zero (sign applied later)
    micros = w * Decimal::kScale + f;
    return nullptr;
}

} // namespace

std::string Decimal::to_string() const {
    // Works on the magnitude as unsigned so INT64_MIN prints too.
    std::uint64_t m =
        micros < 0 ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
    std::string out = micros < 0 ? "-" : "";
    out += std::to_string(m / kScale);
    std::uint64_t frac = m % kScale;
    if (frac) {
        char digits[7];
        for (int i = 5; i >= 0; --i, frac /= 10)
            digits[i] = static_cast<char>('0' + frac % 10);
        int n = 6;
        while (n > 0 && digits[n - 1] == '0')
            --n;
        out.push_back('.');
        out.append(digits, static_cast<std::size_t>(n));
    }
    return out;
}

bool multiply(Decimal a, Decimal b, Decimal &product) noexcept {
    __int128 p = static_cast<__int128>(a.micros) * b.micros;
    __int128 q = p / Decimal::kScale, r = p % Decimal::kScale;
    if (r >= Decimal::kScale / 2)
        ++q;
    else if (r <= -Decimal::kScale / 2)
        --q;
    if (q > INT64_MAX || q < INT64_MIN) return false;
    product.micros = static_cast<std::int64_t>(q);
    return true;
}

ParsedNumber parse_number(std::string_view text, DecimalMark mark) noexcept {
    ParsedNumber n;
    std::string_view s = trim_blanks(text);
    if (is_null_token(s)) return n;
    n.status = NumberStatus::Invalid;
    n.problem = kNotANumber;

    bool negative = false;
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') { // accounting negative "(5.00)"
        negative = true;
        s = trim_blanks(s.substr(1, s.size() - 2));
    }
    strip_currency_prefix(s, n);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = negative != (s.front() == '-');
        s = trim_blanks(s.substr(1));
        if (!n.money) strip_currency_prefix(s, n); // "-$5.00"
    }
    if (!s.empty() && s.back() == '%') {
        n.percent = true;
        s = trim_blanks(s.substr(0, s.size() - 1));
    }
    strip_currency_suffix(s, n);
    if (s.empty()) return n;

    // Blanks of any kind become one byte ' ' so the body parser sees ASCII only; cells that are
    // plain ASCII already (nearly all) are parsed in place.
    char buf[64];
    if (s.size() > sizeof buf) {
        n.problem = "is too long to be a number";
        return n;
    }
    bool plain = true;
    for (char c : s)
        plain = plain && static_cast<unsigned char>(c) < 0x80 && c != '\t';
    std::string_view body = s;
    if (!plain) {
        std::size_t len = 0;
        while (!s.empty()) {
            if (std::size_t b = blank_length(s)) {
                buf[len++] = ' ';
                s.remove_prefix(b);
            } else {
                buf[len++] = s.front();
                s.remove_prefix(1);
            }
        }
        body = std::string_view(buf, len);
    }
    std::int64_t micros = 0;
    if (const char *problem = parse_body(body, mark, micros)) {
        n.problem = problem;
        return n;
    }
    n.value.micros = negative ? -micros : micros;
    n.status = NumberStatus::Ok;
    n.problem = nullptr;
    return n;
}

std::optional<DecimalMark> decimal_mark_evidence(std::string_view text) noexcept {
    std::size_t marks = 0, last = 0;
    bool dot = false, comma = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '.' || text[i] == ',') {
            ++marks;
            last = i;
            (text[i] == '.' ? dot : comma) = true;
        }
    }
    if (marks == 0) return std::nullopt;
    DecimalMark at_last = text[last] == ',' ? DecimalMark::Comma : DecimalMark::Dot;
    if (dot && comma) return at_last;
    if (marks != 1) return std::nullopt; // "1,234,567": thousands separators
    std::size_t digits_after = 0, digits_before = 0;
    while (last + 1 + digits_after < text.size() && is_digit(text[last + 1 + digits_after]))
        ++digits_after;
    while (digits_before < last && is_digit(text[last - 1 - digits_before]))
        ++digits_before;
    if (digits_before == 0 && digits_after == 0) return std::nullopt; // not a number
    return digits_after == 3 ? std::nullopt : std::optional<DecimalMark>(at_last);
}

const char *read_count(std::string_view text, DecimalMark mark, std::optional<std::int64_t> &out) noexcept {
    out.reset();
    ParsedNumber n = parse_number(text, mark);
    if (n.status == NumberStatus::Null) return nullptr;
    if (n.status == NumberStatus::Invalid) return n.problem;
    if (n.percent) return "is a percentage, not a count";
    if (n.money) return "is a money amount, not a count";
    if (n.value.micros < 0) return "is negative";
    if (!n.value.is_whole()) return "is not a whole number";
    out = n.value.micros / Decimal::kScale;
    return nullptr;
}

const char *read_amount(std::string_view text, DecimalMark mark, std::optional<Decimal> &out,
                        std::string_view &currency) noexcept {
    out.reset();
    currency = {};
    ParsedNumber n = parse_number(text, mark);
    if (n.status == NumberStatus::Null) return nullptr;
    if (n.status == NumberStatus::Invalid) return n.problem;
    if (n.percent) return "is a percentage, not an amount";
    out = n.value;
    currency = n.currency;
    return nullptr;
}

const char *read_quantity(std::string_view text, DecimalMark mark, std::optional<Decimal> &out) noexcept {
    out.reset();
    ParsedNumber n = parse_number(text, mark);
    if (n.status == NumberStatus::Null) return nullptr;
    if (n.status == NumberStatus::Invalid) return n.problem;
    if (n.percent) return "is a percentage, not a number of conversions";
    if (n.money) return "is a money amount, not a number of conversions";
    if (n.value.micros < 0) return "is negative";
    out = n.value;
    return nullptr;
}

const char *read_ratio(std::string_view text, DecimalMark mark, std::optional<Decimal> &out) noexcept {
    out.reset();
    ParsedNumber n = parse_number(text, mark);
    if (n.status == NumberStatus::Null) return nullptr;
    if (n.status == NumberStatus::Invalid) return n.problem;
    if (n.money) return "is a money amount, not a ratio";
    if (n.value.micros < 0) return "is negative";
    Decimal v = n.value;
    if (n.percent) v.micros = (v.micros + 50) / 100; // "250%" -> 2.5, rounded half up (v >= 0)
    out = v;
    return nullptr;
}

} // namespace rolloy::import
