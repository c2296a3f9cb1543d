// Settles, before any row is read, the two conventions a single value cannot always tell:
//  - the date order: "03/04/2026" is March 4 in a US export and 3 April in a European re-save;
//    only a value with a part above 12 decides (27/11 -> day first, 11/27 -> month first);
//  - the decimal mark: "1,234" is 1234 or 1.234; a value like "0,85" or "1.234,56" decides.
// The scan reads ahead from the first data line and stops as soon as both are settled, which on
// real exports is the first row (ISO dates, a spend with cents). Looking for the decimal mark
// ends after kDecimalMarkScanRecords records; looking for the date order goes on while every
// slashed date is ambiguous, since reading a whole file's dates wrong is worse than a second read.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/csv_reader.hpp"
#include "core/import/date_parse.hpp"
#include "core/import/number_parse.hpp"
#include "core/import/platform_columns.hpp"

#include <optional>

namespace rolloy::import {

constexpr std::size_t kDecimalMarkScanRecords = 1000;

struct FileConventions {
    // MonthFirst/DayFirst as proved by the data or given; Auto when no slashed date came before
    // the first unambiguous one (the file writes ISO dates or month names).
    DateOrder date_order = DateOrder::Auto;
    bool date_order_guessed = false; // every slashed date was ambiguous: month-first assumed
    DecimalMark decimal_mark = DecimalMark::Dot;
    bool decimal_mark_guessed = false; // no value proved it: Comma for ';' files, else Dot
};

// data: the text after the header line (first_line = its line number). A given date order or
// decimal mark is taken as is. CSV errors end the scan quietly; the row pass reports them.
FileConventions settle_conventions(std::string_view data, char delimiter, std::size_t first_line,
                                   const ColumnMap &columns, CsvLimits limits, DateOrder given_order,
                                   std::optional<DecimalMark> given_mark);

} // namespace rolloy::import
