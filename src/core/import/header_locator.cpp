#include "core/import/header_locator.hpp"

#include "core/common/error.hpp"
#include "core/import/header_normalize.hpp"
#include "core/import/text_util.hpp"

#include <tuple>

namespace rolloy::import {
namespace {

struct Candidate {
    std::size_t line = 0;
    std::vector<std::string> names;
    ColumnMap columns;
};

auto rank(const ColumnMap &c) {
    return std::make_tuple(c.complete(), -static_cast<int>(c.missing.size()), c.mapped);
}

std::string join(const std::vector<std::string> &items, std::size_t max_items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    if (items.size() > max_items) out += " and " + std::to_string(items.size() - max_items) + " more";
    return out;
}

// A cell as a message quotes it: at most 60 bytes, cut at a character boundary, so that a file
// of one long line does not come back in the error.
std::string clipped(const std::string &s) {
    constexpr std::size_t kMaxBytes = 60;
    if (s.size() <= kMaxBytes) return s;
    std::size_t cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return s.substr(0, cut) + "...";
}

std::string quoted_list(const std::vector<std::string> &items, std::size_t max_items) {
    std::vector<std::string> quoted;
    for (const std::string &s : items)
        quoted.push_back("\"" + clipped(s) + "\"");
    return join(quoted, max_items);
}

bool only_blanks(std::string_view text) {
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}

[[noreturn]] void fail_not_found(const PlatformCatalog &catalog, const PlatformDefinition *requested,
                                 std::size_t scan_lines, const Candidate *best,
                                 const std::vector<std::string> &first_line_names) {
    const std::string platforms = requested ? "a " + requested->label + " export" : catalog.labels();
    if (!best || best->columns.mapped == 0) {
        throw Error(
            ErrorKind::InvalidInput,
            "no header row of " + platforms + " found in the first " + std::to_string(scan_lines) + " lines",
            first_line_names.empty() ? std::string()
                                     : "The first line reads: " + quoted_list(first_line_names, 8) + ".",
            "Upload the ad-level report exactly as the ad platform exported it (CSV, English column "
            "names), or add its platform to rolloy.ad_platforms.");
    }
    std::string message;
    if (!requested) {
        message = "the header row is not one of a supported export: line " + std::to_string(best->line) +
                  " looks closest to a " + best->columns.platform->label +
                  " export but lacks the required columns: " + join(best->columns.missing, 10);
    } else {
        message = "the file is not " + platforms + ": its header (line " + std::to_string(best->line) +
                  ") lacks the required columns: " + join(best->columns.missing, 10);
    }
    std::string hint =
        "Add these columns to the report in the ad platform, export it again as CSV and re-import.";
    if (requested) {
        std::vector<NormalizedHeader> headers;
        for (const std::string &n : best->names)
            headers.push_back(normalize_header(n));
        ColumnMap fits = best_column_map(catalog, nullptr, headers);
        if (fits.complete())
            hint = "It looks like a " + fits.platform->label + " export: import it with platform '" +
                   fits.platform->name + "' or 'auto'.";
    }
    throw Error(ErrorKind::InvalidInput, message, "Header found: " + quoted_list(best->names, 12) + ".",
                hint);
}

} // namespace

LocatedHeader locate_header(std::string_view text, const PlatformCatalog &catalog,
                            const PlatformDefinition *requested, std::size_t scan_lines, CsvLimits limits) {
    if (only_blanks(text))
        throw Error(ErrorKind::InvalidInput, "the CSV file is empty: it has no header row");

    std::string_view rest = text;
    std::size_t line_no = 0;
    Candidate best;
    bool have_best = false;
    std::vector<std::string> first_line_names;
    CsvRecord record;
    std::vector<NormalizedHeader> headers;

    while (line_no < scan_lines && !rest.empty()) {
        ++line_no;
        std::string_view line = split_first_line(rest, &rest);
        if (only_blanks(line)) continue;
        char delimiter = detect_delimiter(line);
        CsvReader reader(line, delimiter, line_no, limits);
        try {
            reader.next(record);
        } catch (const Error &) {
            if (line.size() > limits.max_record_bytes) throw; // "line N is longer than 1 MiB"
            continue; // a title line with a stray quote: not a header, keep looking
        }

        Candidate candidate;
        candidate.line = line_no;
        headers.clear();
        for (std::string_view cell : record.fields) {
            candidate.names.emplace_back(trim_blanks(cell));
            headers.push_back(normalize_header(cell));
        }
        if (first_line_names.empty()) first_line_names = candidate.names;
        candidate.columns = best_column_map(catalog, requested, headers);
        if (candidate.columns.complete()) {
            LocatedHeader found;
            found.line = line_no;
            found.data_offset = static_cast<std::size_t>(rest.data() - text.data());
            found.delimiter = delimiter;
            found.names = std::move(candidate.names);
            found.columns = std::move(candidate.columns);
            return found;
        }
        if (!have_best || rank(candidate.columns) > rank(best.columns)) {
            best = std::move(candidate);
            have_best = true;
        }
    }
    fail_not_found(catalog, requested, scan_lines, have_best ? &best : nullptr, first_line_names);
}

} // namespace rolloy::import
