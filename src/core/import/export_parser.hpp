// The import of an ad-platform performance export, streaming: construct an ExportParser over
// the whole uploaded body, then call next() until End. Each call yields one normalised row or
// one row problem; nothing but the current row is held, so a 1,000,000-row file costs the body
// itself (plus a UTF-8 copy when it came as UTF-16) and a few reused buffers.
//
//     ExportParser parser(body, options);      // decodes, finds the header, maps the platform
//     PerformanceRow row; RowProblem problem;
//     for (;;) switch (parser.next(row, problem)) { ... }
//
// Failures of the whole file throw rolloy::Error: from the constructor (binary or non-UTF-8
// input, empty file, no recognisable header, wrong platform: the message names the missing
// columns) and from next() (a quote never closed, a line over the length limit; rows before it
// have been yielded and the caller decides whether to keep them). A header with no data lines is
// valid: next() returns End at once and stats().records is 0.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/csv_reader.hpp"
#include "core/import/file_conventions.hpp"
#include "core/import/header_locator.hpp"
#include "core/import/number_parse.hpp"
#include "core/import/performance_row.hpp"
#include "core/import/platform_columns.hpp"
#include "core/import/row_converter.hpp"
#include "core/import/text_encoding.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rolloy::import {

struct ParseOptions {
    const PlatformCatalog *catalog = nullptr;     // required; must outlive the parser
    const PlatformDefinition *platform = nullptr; // nullptr: detected from the header (catalog->resolve)
    CsvLimits limits;
    std::size_t header_scan_lines = 30;      // how far down the header row may be
    std::optional<DecimalMark> decimal_mark; // default: the platform's, else settled from the file
    DateOrder date_order = DateOrder::Auto;  // Auto: the platform's, else settled from the file's dates
};

// Known once the constructor returns.
struct ExportInfo {
    const PlatformDefinition *platform = nullptr; // of the catalog
    TextEncoding encoding = TextEncoding::Utf8;
    char delimiter = ',';
    std::size_t header_line = 0;
    FileConventions conventions; // date order and decimal mark, and whether they were guessed
    std::string header_currency; // from "Amount spent (USD)" etc.; empty when no header names one
    std::vector<std::pair<Field, std::string>> columns; // the header that feeds each field
};

// Counts so far (final after End).
struct ParseStats {
    std::size_t records = 0;       // data lines after the header, blank lines excluded
    std::size_t rows = 0;          // yielded as rows
    std::size_t problems = 0;      // yielded as problems
    std::size_t summary_rows = 0;  // totals lines skipped
    std::size_t blank_lines = 0;   // empty lines skipped
    std::string currency;          // currency of the first row that has one
    bool mixed_currencies = false; // some row has another
    std::size_t damaged_ids = 0;   // rows whose ad ID a spreadsheet turned into E-notation
};

class ExportParser {
  public:
    // body must outlive the parser (UTF-8 bodies are read in place).
    explicit ExportParser(std::string_view body, const ParseOptions &options = {});
    ExportParser(const ExportParser &) = delete;
    ExportParser &operator=(const ExportParser &) = delete;

    enum class Event { Row, Problem, End };
    // Fills `row` (Event::Row) or `problem` (Event::Problem). Views in them stay valid until the
    // next call.
    Event next(PerformanceRow &row, RowProblem &problem);

    const ExportInfo &info() const noexcept { return info_; }
    const ParseStats &stats() const noexcept { return stats_; }

  private:
    DecodedText decoded_;
    LocatedHeader header_;
    ExportInfo info_;
    CsvReader reader_;
    CsvRecord record_;
    RowConverter converter_;
    ParseStats stats_;
};

struct ParseResult {
    ExportInfo info;
    ParseStats stats;
};

// Runs a whole parse with callbacks (tests, benchmarks, callers that need no pull interface).
ParseResult parse_export(std::string_view body, const ParseOptions &options,
                         const std::function<void(const PerformanceRow &)> &on_row,
                         const std::function<void(const RowProblem &)> &on_problem);

} // namespace rolloy::import
