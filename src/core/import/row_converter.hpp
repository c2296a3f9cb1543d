// One data record of a located export -> a PerformanceRow, a RowProblem, or a line to skip.
// All checks that concern a single row live here: field count, summary lines, numbers, dates,
// currency, and the plausibility rules (clicks <= impressions, no negative spend).
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/csv_reader.hpp"
#include "core/import/date_parse.hpp"
#include "core/import/number_parse.hpp"
#include "core/import/performance_row.hpp"
#include "core/import/platform_columns.hpp"

#include <array>
#include <string>
#include <vector>

namespace rolloy::import {

class RowConverter {
  public:
    // header_names: the header cells as written (messages quote them).
    RowConverter(ColumnMap columns, const std::vector<std::string> &header_names, DecimalMark mark,
                 DateOrder date_order);

    enum class Outcome {
        Row,     // `row` is filled
        Problem, // `problem` is filled; the row is not imported
        Summary, // a totals line ("Total: Account", or every key field empty): skipped
        Blank,   // an empty line (or only delimiters): skipped
    };
    Outcome convert(const CsvRecord &record, PerformanceRow &row, RowProblem &problem) const;

  private:
    std::string_view cell(const CsvRecord &record, Field field) const noexcept;
    // A cell that failed: the reason quotes it; the cause names the column and the reason only.
    void add_problem(RowProblem &problem, Field field, std::string_view cell, const char *reason,
                     Remedy remedy = Remedy::Spreadsheet) const;
    // A failed check of the whole row.
    void add_check(RowProblem &problem, const std::string &reason, std::string cause,
                   Remedy remedy = Remedy::FixRows) const;
    void read_dates(const CsvRecord &record, PerformanceRow &row, RowProblem &problem) const;
    void read_currency(const CsvRecord &record, PerformanceRow &row, RowProblem &problem) const;
    void read_money(const CsvRecord &record, Field field, std::optional<Decimal> &out, PerformanceRow &row,
                    RowProblem &problem) const;

    ColumnMap columns_;
    std::size_t header_fields_;
    std::array<std::string, kFieldCount> header_of_; // header as written, per mapped field
    DecimalMark mark_;
    DateOrder date_order_;
};

} // namespace rolloy::import
