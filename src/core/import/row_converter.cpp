#include "core/import/row_converter.hpp"

#include "core/import/ad_id_damage.hpp"
#include "core/import/text_util.hpp"

namespace rolloy::import {
namespace {

// "Total: Account", "Total : compte" (French), "Gesamt: Konto" (German): Google Ads totals.
bool is_totals_label(std::string_view first) {
    first = trim_blanks(first);
    for (std::string_view word : {std::string_view("total"), std::string_view("gesamt")}) {
        if (!istarts_with(first, word)) continue;
        std::string_view rest = trim_blanks(first.substr(word.size()));
        if (!rest.empty() && rest.front() == ':') return true;
    }
    return false;
}

// At most ~40 bytes of a cell for a message, cut on a UTF-8 character boundary.
std::string_view clip(std::string_view s, bool &clipped) {
    clipped = s.size() > 40;
    if (!clipped) return s;
    std::size_t n = 40;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

void append_separator(std::string &reason) {
    if (!reason.empty()) reason += "; ";
}

} // namespace

RowConverter::RowConverter(ColumnMap columns, const std::vector<std::string> &header_names, DecimalMark mark,
                           DateOrder date_order)
    : columns_(std::move(columns)), header_fields_(header_names.size()), mark_(mark),
      date_order_(date_order) {
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        int c = columns_.column[f];
        header_of_[f] =
            c >= 0 ? header_names[static_cast<std::size_t>(c)] : field_name(static_cast<Field>(f));
    }
}

std::string_view RowConverter::cell(const CsvRecord &record, Field field) const noexcept {
    int c = columns_[field];
    return c >= 0 && static_cast<std::size_t>(c) < record.fields.size()
               ? record.fields[static_cast<std::size_t>(c)]
               : std::string_view();
}

void RowConverter::add_problem(RowProblem &problem, Field field, std::string_view value, const char *reason,
                               Remedy remedy) const {
    append_separator(problem.reason);
    bool clipped = false;
    std::string_view shown = clip(trim_blanks(value), clipped);
    const std::string &header = header_of_[static_cast<std::size_t>(field)];
    problem.reason += header;
    problem.reason += ": \"";
    problem.reason += shown;
    problem.reason += clipped ? "...\" " : "\" ";
    problem.reason += reason;
    problem.causes.push_back({header + " " + reason, remedy});
}

void RowConverter::add_check(RowProblem &problem, const std::string &reason, std::string cause,
                             Remedy remedy) const {
    append_separator(problem.reason);
    problem.reason += reason;
    problem.causes.push_back({std::move(cause), remedy});
}

void RowConverter::read_dates(const CsvRecord &record, PerformanceRow &row, RowProblem &problem) const {
    bool ok = true;
    auto read = [&](Field field, std::optional<Date> &out) {
        if (!columns_.has(field)) return;
        std::string_view text = cell(record, field);
        ParsedDate d = parse_date(text, date_order_);
        if (d.status == DateStatus::Ok)
            out = d.date;
        else if (d.status == DateStatus::Invalid)
            add_problem(problem, field, text, d.problem), ok = false;
    };
    std::optional<Date> day;
    read(Field::Date, day);
    read(Field::ReportingStart, row.reporting_start);
    read(Field::ReportingEnd, row.reporting_end);
    if (!ok) return;

    // Meta without a Day breakdown: the row covers Reporting starts .. Reporting ends.
    const bool has_day = columns_.has(Field::Date);
    const std::optional<Date> &first = has_day ? day : row.reporting_start;
    if (!first) {
        const std::string text =
            header_of_[static_cast<std::size_t>(has_day ? Field::Date : Field::ReportingStart)] + " is empty";
        add_check(problem, text + ": every row needs a date", text, Remedy::Reexport);
        return;
    }
    row.date = *first;
    if (row.reporting_start && row.reporting_end && *row.reporting_end < *row.reporting_start) {
        const std::string &end = header_of_[static_cast<std::size_t>(Field::ReportingEnd)];
        const std::string &start = header_of_[static_cast<std::size_t>(Field::ReportingStart)];
        add_check(problem,
                  end + " (" + row.reporting_end->iso() + ") is before " + start + " (" +
                      row.reporting_start->iso() + ")",
                  end + " is before " + start);
    }
}

void RowConverter::read_currency(const CsvRecord &record, PerformanceRow &row, RowProblem &problem) const {
    row.currency = columns_.currency;
    if (!columns_.has(Field::Currency)) return;
    std::string_view text = trim_blanks(cell(record, Field::Currency));
    if (text.empty() || text == "--" || text == "-") return;
    if (!is_currency_code(text)) {
        add_problem(problem, Field::Currency, text, "is not a three-letter currency code", Remedy::FixRows);
        return;
    }
    row.currency = text;
}

void RowConverter::read_money(const CsvRecord &record, Field field, std::optional<Decimal> &out,
                              PerformanceRow &row, RowProblem &problem) const {
    std::string_view text = cell(record, field);
    std::string_view written_currency;
    if (const char *why = read_amount(text, mark_, out, written_currency)) {
        add_problem(problem, field, text, why);
        return;
    }
    if (written_currency.empty()) return;
    if (row.currency.empty()) {
        row.currency = written_currency;
    } else if (written_currency != row.currency) {
        add_problem(problem, field, text, "is in another currency than the row", Remedy::FixRows);
        problem.reason += " (";
        problem.reason += written_currency;
        problem.reason += ", the row's is ";
        problem.reason += row.currency;
        problem.reason += ")";
    }
}

RowConverter::Outcome RowConverter::convert(const CsvRecord &record, PerformanceRow &row,
                                            RowProblem &problem) const {
    if (record.blank()) return Outcome::Blank;
    if (is_totals_label(record.fields.front())) return Outcome::Summary;

    row = PerformanceRow{};
    row.line = record.line;
    problem.line = record.line;
    problem.raw = record.raw;
    problem.reason.clear();
    problem.causes.clear();

    // A row must line up with the header; extra cells are tolerated only when empty (a trailing
    // delimiter added by a spreadsheet).
    bool ragged = record.fields.size() < header_fields_;
    for (std::size_t i = header_fields_; !ragged && i < record.fields.size(); ++i)
        ragged = !record.fields[i].empty();
    if (ragged) {
        add_check(problem,
                  "the line has " + std::to_string(record.fields.size()) + " fields but the header has " +
                      std::to_string(header_fields_),
                  "the line has another number of fields than the header", Remedy::Reexport);
        return Outcome::Problem;
    }

    // Only the platform's key fields identify an ad; a row where all of them are empty is a totals
    // line (Meta's account totals have no ad name and no ad ID).
    const PlatformDefinition &platform = *columns_.platform;
    if (platform.is_key(Field::AdName)) row.ad_name = trim_blanks(cell(record, Field::AdName));
    if (platform.is_key(Field::AdId)) row.ad_id = trim_blanks(cell(record, Field::AdId));
    if (row.ad_name.empty() && row.ad_id.empty()) return Outcome::Summary;
    if (!platform.is_key(Field::AdName)) row.ad_name = trim_blanks(cell(record, Field::AdName));
    row.campaign = trim_blanks(cell(record, Field::Campaign));
    row.ad_group = trim_blanks(cell(record, Field::AdGroup));
    if (is_damaged_id(row.ad_id)) {
        // A spreadsheet's "1.20210E+17": no key any more. The row goes on keyed by its name; the
        // damaged text stays as a consistency hint.
        row.damaged_ad_id = row.ad_id;
        row.ad_id = {};
        if (row.ad_name.empty() || !platform.is_key(Field::AdName))
            add_problem(problem, Field::AdId, row.damaged_ad_id,
                        "was turned into scientific notation by a spreadsheet and the row has no ad name to "
                        "match it by",
                        Remedy::Spreadsheet);
    }

    read_dates(record, row, problem);
    read_currency(record, row, problem);

    auto count = [&](Field field, std::optional<std::int64_t> &out) {
        std::string_view text = cell(record, field);
        if (const char *why = read_count(text, mark_, out)) add_problem(problem, field, text, why);
    };
    count(Field::Impressions, row.impressions);
    count(Field::Reach, row.reach);
    count(Field::Clicks, row.clicks);

    read_money(record, Field::Spend, row.spend, row, problem);
    if (row.spend && row.spend->micros < 0)
        add_problem(problem, Field::Spend, cell(record, Field::Spend), "is negative", Remedy::FixRows);

    {
        std::string_view text = cell(record, Field::Conversions);
        if (const char *why = read_quantity(text, mark_, row.conversions))
            add_problem(problem, Field::Conversions, text, why);
    }

    if (columns_.has(Field::ConversionValue)) {
        read_money(record, Field::ConversionValue, row.conversion_value, row, problem);
        if (row.conversion_value && row.conversion_value->micros < 0)
            add_problem(problem, Field::ConversionValue, cell(record, Field::ConversionValue), "is negative",
                        Remedy::FixRows);
    } else if (columns_.has(Field::Roas)) {
        // Only ROAS exported: value = ROAS x spend (exact up to the micro).
        std::string_view text = cell(record, Field::Roas);
        std::optional<Decimal> roas;
        if (const char *why = read_ratio(text, mark_, roas)) {
            add_problem(problem, Field::Roas, text, why);
        } else if (roas && row.spend) {
            Decimal value;
            if (multiply(*roas, *row.spend, value)) {
                row.conversion_value = value;
                row.conversion_value_from_roas = true;
            } else {
                add_problem(problem, Field::Roas, text, "times the spend is too large", Remedy::FixRows);
            }
        }
    }

    if (row.clicks && row.impressions && *row.clicks > *row.impressions) {
        const std::string &clicks = header_of_[static_cast<std::size_t>(Field::Clicks)];
        const std::string &impressions = header_of_[static_cast<std::size_t>(Field::Impressions)];
        add_check(problem,
                  clicks + " (" + std::to_string(*row.clicks) + ") exceed " + impressions + " (" +
                      std::to_string(*row.impressions) + ")",
                  clicks + " exceed " + impressions);
    }
    return problem.reason.empty() ? Outcome::Row : Outcome::Problem;
}

} // namespace rolloy::import
