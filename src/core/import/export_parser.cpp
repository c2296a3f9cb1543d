#include "core/import/export_parser.hpp"

#include "core/common/error.hpp"

namespace rolloy::import {
namespace {

ExportInfo describe(const DecodedText &decoded, const LocatedHeader &header, const ParseOptions &options) {
    ExportInfo info;
    info.platform = header.columns.platform;
    info.encoding = decoded.encoding();
    info.delimiter = header.delimiter;
    info.header_line = header.line;
    // The caller's choice, else the platform's convention, else what the file's values prove.
    const PlatformDefinition &platform = *header.columns.platform;
    DateOrder order = options.date_order != DateOrder::Auto ? options.date_order : platform.date_order;
    std::optional<DecimalMark> mark = options.decimal_mark ? options.decimal_mark : platform.decimal_mark;
    info.conventions = settle_conventions(decoded.text().substr(header.data_offset), header.delimiter,
                                          header.line + 1, header.columns, options.limits, order, mark);
    info.header_currency = header.columns.currency;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        int c = header.columns.column[f];
        if (c >= 0)
            info.columns.emplace_back(static_cast<Field>(f), header.names[static_cast<std::size_t>(c)]);
    }
    return info;
}

const PlatformCatalog &catalog_of(const ParseOptions &options) {
    if (!options.catalog) throw Error(ErrorKind::Internal, "ExportParser needs a platform catalog");
    return *options.catalog;
}

} // namespace

ExportParser::ExportParser(std::string_view body, const ParseOptions &options)
    : decoded_(decode_input(body)),
      header_(locate_header(decoded_.text(), catalog_of(options), options.platform, options.header_scan_lines,
                            options.limits)),
      info_(describe(decoded_, header_, options)),
      reader_(decoded_.text().substr(header_.data_offset), header_.delimiter, header_.line + 1,
              options.limits),
      converter_(header_.columns, header_.names, info_.conventions.decimal_mark,
                 info_.conventions.date_order) {}

ExportParser::Event ExportParser::next(PerformanceRow &row, RowProblem &problem) {
    while (reader_.next(record_)) {
        switch (converter_.convert(record_, row, problem)) {
        case RowConverter::Outcome::Blank:
            ++stats_.blank_lines;
            continue;
        case RowConverter::Outcome::Summary:
            ++stats_.records;
            ++stats_.summary_rows;
            continue;
        case RowConverter::Outcome::Problem:
            ++stats_.records;
            ++stats_.problems;
            return Event::Problem;
        case RowConverter::Outcome::Row:
            ++stats_.records;
            ++stats_.rows;
            if (!row.damaged_ad_id.empty()) ++stats_.damaged_ids;
            if (!row.currency.empty()) {
                if (stats_.currency.empty())
                    stats_.currency.assign(row.currency);
                else if (row.currency != stats_.currency)
                    stats_.mixed_currencies = true;
            }
            return Event::Row;
        }
    }
    return Event::End;
}

ParseResult parse_export(std::string_view body, const ParseOptions &options,
                         const std::function<void(const PerformanceRow &)> &on_row,
                         const std::function<void(const RowProblem &)> &on_problem) {
    ExportParser parser(body, options);
    PerformanceRow row;
    RowProblem problem;
    for (;;) {
        ExportParser::Event event = parser.next(row, problem);
        if (event == ExportParser::Event::End) break;
        if (event == ExportParser::Event::Row) {
            if (on_row) on_row(row);
        } else if (on_problem) {
            on_problem(problem);
        }
    }
    return {parser.info(), parser.stats()};
}

} // namespace rolloy::import
