// libFuzzer target for the import core: the CSV reader, the header normaliser, the number and
// date parsers and the whole export parser, on arbitrary bytes. Only rolloy::Error may escape
// any of them; invariants that must hold for every input trap.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc test/fuzz/csv_fuzz.cpp \
//       src/core/import/*.cpp -o csv_fuzz && ./csv_fuzz test/fixtures/import
#include "core/common/error.hpp"
#include "core/import/csv_reader.hpp"
#include "core/import/date_parse.hpp"
#include "core/import/export_parser.hpp"
#include "core/import/header_normalize.hpp"
#include "core/import/number_parse.hpp"
#include "core/import/platforms_0_1_0.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

using namespace rolloy::import;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

bool within(std::string_view part, std::string_view whole) {
    return part.empty() ||
           (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_reader(std::string_view input, char delimiter) {
    CsvLimits limits{256};
    CsvReader reader(input, delimiter, 1, limits);
    CsvRecord record;
    std::size_t last_line = 0;
    try {
        while (reader.next(record)) {
            check(record.line > last_line); // lines only move forward
            check(record.end_line >= record.line);
            check(!record.fields.empty());
            check(record.raw.size() <= limits.max_record_bytes);
            check(within(record.raw, input));
            for (std::string_view f : record.fields)
                check(f.size() <= record.raw.size());
            last_line = record.end_line;
        }
        check(reader.offset() == input.size());
    } catch (const rolloy::Error &) {
    }
}

void fuzz_cells(std::string_view cell) {
    normalize_header(cell);
    decimal_mark_evidence(cell);
    for (DecimalMark mark : {DecimalMark::Dot, DecimalMark::Comma}) {
        ParsedNumber n = parse_number(cell, mark);
        check((n.status == NumberStatus::Invalid) == (n.problem != nullptr));
        if (n.status == NumberStatus::Ok) {
            // The exact text of a value reads back as the same value in a Dot file.
            ParsedNumber again = parse_number(n.value.to_string(), DecimalMark::Dot);
            check(again.status == NumberStatus::Ok && again.value == n.value);
        }
    }
    for (DateOrder order : {DateOrder::Auto, DateOrder::MonthFirst, DateOrder::DayFirst}) {
        ParsedDate d = parse_date(cell, order);
        if (d.status == DateStatus::Ok) check(is_valid_date(d.date.year, d.date.month, d.date.day));
    }
}

// 0.1.0's platforms, plus one defined here with other conventions (day-first dates, decimal comma,
// ad names only as keys) so that definitions unlike the built-in ones are fuzzed too.
const PlatformCatalog &fuzz_catalog() {
    static const PlatformCatalog catalog = [] {
        std::vector<PlatformSpec> specs = platforms_of_0_1_0();
        PlatformSpec other;
        other.name = "other";
        other.detection_headers = {"Spend in account currency"};
        other.headers = {{"date", "Date"},
                         {"ad_name", "Ad name"},
                         {"impressions", "Impressions"},
                         {"clicks", "Outbound clicks"},
                         {"spend", "Spend in account currency"},
                         {"conversion_value", "Checkout value"}};
        other.required = {"date", "ad_name", "impressions", "clicks", "spend"};
        other.key_fields = {"ad_name"};
        other.decimal_mark = "comma";
        other.date_order = "day_first";
        other.currency = "EUR";
        specs.push_back(other);
        return PlatformCatalog(specs);
    }();
    return catalog;
}

void fuzz_export(std::string_view input, const PlatformDefinition *platform) {
    ParseOptions options;
    options.catalog = &fuzz_catalog();
    options.platform = platform;
    options.limits.max_record_bytes = 4096;
    try {
        ExportParser parser(input, options);
        PerformanceRow row;
        RowProblem problem;
        std::size_t events = 0;
        for (;;) {
            ExportParser::Event e = parser.next(row, problem);
            if (e == ExportParser::Event::End) break;
            ++events;
            std::size_t line = e == ExportParser::Event::Row ? row.line : problem.line;
            check(line > parser.info().header_line);
            if (e == ExportParser::Event::Row) {
                check(is_valid_date(row.date.year, row.date.month, row.date.day));
                check(!row.ad_name.empty() || !row.ad_id.empty());
                check(row.damaged_ad_id.empty() || row.ad_id.empty());
                if (row.impressions) check(*row.impressions >= 0);
                if (row.clicks && row.impressions) check(*row.clicks <= *row.impressions);
                if (row.spend) check(row.spend->micros >= 0);
            } else {
                check(!problem.reason.empty() && !problem.causes.empty());
            }
        }
        const ParseStats &s = parser.stats();
        check(s.rows + s.problems == events);
        check(s.records == s.rows + s.problems + s.summary_rows);
    } catch (const rolloy::Error &) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    for (char delimiter : {',', ';', '\t'})
        fuzz_reader(input, delimiter);
    fuzz_cells(input.substr(0, 80));
    fuzz_export(input, nullptr);
    const auto &platforms = fuzz_catalog().all();
    if (size > 0) fuzz_export(input.substr(1), &platforms[data[0] % platforms.size()]);
    return 0;
}
