#include "core/import/platform_definition.hpp"

#include "core/common/error.hpp"
#include "core/import/header_normalize.hpp"
#include "core/import/text_util.hpp"

#include <algorithm>

namespace rolloy::import {
namespace {

constexpr const char *kFieldNames[kFieldCount] = {
    "date",     "reporting_start", "reporting_end", "ad_name",          "ad_id",
    "campaign", "ad_group",        "currency",      "impressions",      "reach",
    "clicks",   "spend",           "conversions",   "conversion_value", "roas",
};

[[noreturn]] void bad_definition(const PlatformSpec &spec, const std::string &what, std::string hint = {}) {
    throw Error(ErrorKind::InvalidInput, "ad platform \"" + spec.name + "\" is not usable: " + what, {},
                std::move(hint));
}

Field field_of(const PlatformSpec &spec, std::string_view name, const char *where) {
    if (std::optional<Field> f = parse_field(name)) return *f;
    std::string all;
    for (const char *n : kFieldNames)
        all += (all.empty() ? "" : ", ") + std::string(n);
    bad_definition(spec, std::string(where) + " names the unknown field \"" + std::string(name) + "\"",
                   "The fields are " + all + ".");
}

// "a, b or c"
std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += i + 1 == items.size() ? " or " : ", ";
        out += items[i];
    }
    return out;
}

} // namespace

const char *field_name(Field field) noexcept {
    std::size_t i = static_cast<std::size_t>(field);
    return i < kFieldCount ? kFieldNames[i] : "unknown";
}

std::optional<Field> parse_field(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kFieldCount; ++i)
        if (name == kFieldNames[i]) return static_cast<Field>(i);
    return std::nullopt;
}

bool PlatformDefinition::is_key(Field field) const noexcept {
    return std::find(key_fields.begin(), key_fields.end(), field) != key_fields.end();
}

std::string PlatformDefinition::requirement_label(const std::vector<Field> &alternatives) const {
    std::vector<std::string> names;
    for (Field f : alternatives)
        for (const std::string &w : written[static_cast<std::size_t>(f)])
            names.push_back(w);
    if (names.empty()) return "?";
    std::string label = names.front();
    for (std::size_t i = 1; i < names.size(); ++i)
        label += (i == 1 ? " (or " : ", ") + names[i];
    return names.size() > 1 ? label + ")" : label;
}

PlatformDefinition define_platform(const PlatformSpec &spec) {
    PlatformDefinition def;
    def.name = spec.name;
    def.label = spec.label.empty() ? spec.name : spec.label;
    def.spellings = spec.spellings;
    for (const std::string &h : spec.detection_headers)
        def.detection_headers.push_back(normalize_header(h).name);
    for (const auto &[field_text, header] : spec.headers) {
        std::size_t f = static_cast<std::size_t>(field_of(spec, field_text, "headers"));
        std::string name = normalize_header(header).name;
        if (name.empty()) bad_definition(spec, "the header for " + field_text + " is empty");
        def.headers[f].push_back(std::move(name));
        def.written[f].push_back(std::string(trim_blanks(header)));
    }
    auto has_header = [&def](Field f) { return !def.headers[static_cast<std::size_t>(f)].empty(); };
    for (const std::string &requirement : spec.required) {
        std::vector<Field> alternatives;
        std::string_view rest = requirement;
        for (;;) {
            std::size_t bar = rest.find('|');
            Field f = field_of(spec, trim_blanks(rest.substr(0, bar)), "required");
            if (!has_header(f))
                bad_definition(spec, "the required field " + std::string(field_name(f)) + " has no header",
                               "Add its header names to headers.");
            alternatives.push_back(f);
            if (bar == std::string_view::npos) break;
            rest.remove_prefix(bar + 1);
        }
        def.required.push_back(std::move(alternatives));
    }
    for (const std::string &k : spec.key_fields) {
        Field f = field_of(spec, k, "key_fields");
        if (f != Field::AdId && f != Field::AdName)
            bad_definition(spec, "key_fields may hold ad_id and ad_name only, not " + k);
        def.key_fields.push_back(f);
    }
    if (def.key_fields.empty()) bad_definition(spec, "key_fields is empty", "Use {ad_id,ad_name}.");
    if (spec.decimal_mark == "dot")
        def.decimal_mark = DecimalMark::Dot;
    else if (spec.decimal_mark == "comma")
        def.decimal_mark = DecimalMark::Comma;
    else if (spec.decimal_mark != "auto" && !spec.decimal_mark.empty())
        bad_definition(spec, "unknown decimal_mark \"" + spec.decimal_mark + "\"", "Use auto, dot or comma.");
    if (spec.date_order == "month_first")
        def.date_order = DateOrder::MonthFirst;
    else if (spec.date_order == "day_first")
        def.date_order = DateOrder::DayFirst;
    else if (spec.date_order != "auto" && !spec.date_order.empty())
        bad_definition(spec, "unknown date_order \"" + spec.date_order + "\"",
                       "Use auto, month_first or day_first.");
    if (!spec.currency.empty() && !is_currency_code(spec.currency))
        bad_definition(spec, "currency \"" + spec.currency + "\" is not a three-letter code");
    def.currency = spec.currency;
    return def;
}

PlatformCatalog::PlatformCatalog(const std::vector<PlatformSpec> &specs) {
    for (const PlatformSpec &s : specs)
        add(s);
}

void PlatformCatalog::add(const PlatformSpec &spec) {
    for (const PlatformDefinition &p : platforms_)
        if (iequals(p.name, spec.name))
            throw Error(ErrorKind::InvalidInput, "ad platform \"" + spec.name + "\" is defined twice");
    platforms_.push_back(define_platform(spec));
}

const PlatformDefinition *PlatformCatalog::resolve(std::string_view argument) const {
    std::string_view t = trim_blanks(argument);
    if (t.empty() || iequals(t, "auto")) return nullptr;
    for (const PlatformDefinition &p : platforms_) {
        if (iequals(t, p.name)) return &p;
        for (const std::string &s : p.spellings)
            if (iequals(t, s)) return &p;
    }
    throw Error(ErrorKind::InvalidInput,
                t.size() > 40 ? std::string("unknown platform")
                              : "unknown platform \"" + std::string(t) + "\"",
                {}, "Use 'auto' or one of the platforms of rolloy.ad_platforms: " + names() + ".");
}

std::string PlatformCatalog::names() const {
    std::vector<std::string> quoted;
    for (const PlatformDefinition &p : platforms_)
        quoted.push_back("'" + p.name + "'");
    return joined(quoted);
}

std::string PlatformCatalog::labels() const {
    std::vector<std::string> labels;
    for (const PlatformDefinition &p : platforms_)
        labels.push_back(p.label);
    return labels.empty() ? std::string("an ad-platform export") : "a " + joined(labels) + " export";
}

} // namespace rolloy::import
