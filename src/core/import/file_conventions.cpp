#include "core/import/file_conventions.hpp"

#include "core/common/error.hpp"

namespace rolloy::import {
namespace {

constexpr Field kDateFields[] = {Field::Date, Field::ReportingStart, Field::ReportingEnd};
constexpr Field kNumberFields[] = {Field::Spend,  Field::ConversionValue, Field::Conversions, Field::Roas,
                                   Field::Clicks, Field::Impressions,     Field::Reach};

std::string_view field_cell(const CsvRecord &record, const ColumnMap &columns, Field field) {
    int c = columns[field];
    return c >= 0 && static_cast<std::size_t>(c) < record.fields.size()
               ? record.fields[static_cast<std::size_t>(c)]
               : std::string_view();
}

} // namespace

FileConventions settle_conventions(std::string_view data, char delimiter, std::size_t first_line,
                                   const ColumnMap &columns, CsvLimits limits, DateOrder given_order,
                                   std::optional<DecimalMark> given_mark) {
    FileConventions result;
    result.date_order = given_order;
    bool order_settled = given_order != DateOrder::Auto;
    bool saw_ambiguous_date = false;
    bool mark_settled = given_mark.has_value();
    if (given_mark) result.decimal_mark = *given_mark;

    CsvReader reader(data, delimiter, first_line, limits);
    CsvRecord record;
    std::size_t records = 0;
    try {
        while ((!order_settled || !mark_settled) && reader.next(record)) {
            ++records;
            for (Field field : kDateFields) {
                if (order_settled) break;
                ParsedDate d = parse_date(field_cell(record, columns, field), DateOrder::Auto);
                switch (d.evidence) {
                case SlashEvidence::DayFirst:
                    result.date_order = DateOrder::DayFirst;
                    order_settled = true;
                    break;
                case SlashEvidence::MonthFirst:
                    result.date_order = DateOrder::MonthFirst;
                    order_settled = true;
                    break;
                case SlashEvidence::Ambiguous:
                    saw_ambiguous_date = true;
                    break;
                case SlashEvidence::None:
                    // An ISO or month-name date: the file is not a slashed-date file.
                    if (d.status == DateStatus::Ok && !saw_ambiguous_date) order_settled = true;
                    break;
                }
            }
            for (Field field : kNumberFields) {
                if (mark_settled) break;
                if (std::optional<DecimalMark> m =
                        decimal_mark_evidence(field_cell(record, columns, field))) {
                    result.decimal_mark = *m;
                    mark_settled = true;
                }
            }
            if (records >= kDecimalMarkScanRecords && !mark_settled) {
                result.decimal_mark_guessed = true;
                result.decimal_mark = delimiter == ';' ? DecimalMark::Comma : DecimalMark::Dot;
                mark_settled = true;
            }
        }
    } catch (const Error &) {
        // Unterminated quote or over-long line: the row pass stops there with the same error.
    }
    if (!order_settled && saw_ambiguous_date) {
        result.date_order = DateOrder::MonthFirst;
        result.date_order_guessed = true;
    }
    if (!mark_settled) {
        result.decimal_mark_guessed = true;
        result.decimal_mark = delimiter == ';' ? DecimalMark::Comma : DecimalMark::Dot;
    }
    return result;
}

} // namespace rolloy::import
