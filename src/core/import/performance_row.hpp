// What the import yields per data line: a normalised performance row, or a problem that keeps
// the row out. Both are plain values the Postgres glue turns into a table row or a reject.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/date_parse.hpp"
#include "core/import/number_parse.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::import {

// One ad on one day (or one reporting range). The text views point into the parsed body or the
// parser's scratch buffers: they stay valid until the parser's next call. Empty view = absent.
// Numbers are nullopt when the cell is empty or "--" (unknown is not zero).
struct PerformanceRow {
    std::size_t line = 0; // 1-based physical line in the uploaded file
    Date date;            // the day; for range rows (no "Day" column), the first day
    std::optional<Date> reporting_start, reporting_end; // Meta only; differ when the row is a range
    std::string_view ad_name, ad_id, campaign, ad_group;
    // An Ad ID a spreadsheet turned into a float ("1.20210E+17"): a damaged key. ad_id is then
    // empty (the row is keyed by its name) and this keeps what is left of the ID, to check it
    // against stored IDs (damaged_id_fits in ad_id_damage.hpp).
    std::string_view damaged_ad_id;
    std::string_view currency; // ISO code: currency column, else the header's "(XXX)", else value's
    std::optional<std::int64_t> impressions, reach, clicks;
    std::optional<Decimal> spend;
    std::optional<Decimal> conversions;
    std::optional<Decimal> conversion_value;
    bool conversion_value_from_roas = false; // computed as ROAS x spend (no value column)

    bool covers_range() const noexcept {
        return reporting_start && reporting_end && *reporting_start != *reporting_end;
    }
};

// What a user can do about a kind of problem (problem_groups.cpp turns it into the HINT).
enum class Remedy {
    FixRows,     // correct the rows (or skip them)
    Spreadsheet, // the file was probably re-saved by a spreadsheet: format as text or re-export
    Reexport,    // the file is cut or edited: export it again
};

// One kind of problem, without the cell's value, so that lines with the same kind group in a
// message: `Impressions is not a number`.
struct ProblemCause {
    std::string text;
    Remedy remedy = Remedy::FixRows;
};

// A data line that cannot be imported. `reason` lists every cell that failed, e.g.
// `Impressions: "12abc" is not a number; Clicks (12) exceed Impressions (10)`; `causes` the
// same problems without the values, one per failed check.
struct RowProblem {
    std::size_t line = 0;
    std::string reason;
    std::vector<ProblemCause> causes;
    std::string_view raw; // the line as written (without its line break); valid until next call
};

} // namespace rolloy::import
