// Finds the header row of an export. Google Ads puts a report title and a date range above it,
// Meta Business Suite two lines of its own, so the first line is not always the header: the
// header is the first of the first N lines whose cells map to a platform's required columns.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/csv_reader.hpp"
#include "core/import/platform_columns.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::import {

struct LocatedHeader {
    std::size_t line = 0;           // 1-based physical line of the header
    std::size_t data_offset = 0;    // where the first data line starts in the text
    char delimiter = ',';           // detected on the header line, used for the whole file
    std::vector<std::string> names; // header cells as written, trimmed (for messages)
    ColumnMap columns;
};

// Throws rolloy::Error(InvalidInput) when the text has no content, and when no line among the
// first `scan_lines` maps completely; the message then names the closest line, the platform it
// resembles and the required columns it lacks (and, for an explicit platform that does not fit,
// the platform the header does fit). A header line over limits.max_record_bytes is refused
// (InvalidText) like any over-long line.
// `requested` nullptr: any platform of the catalog (auto-detection).
LocatedHeader locate_header(std::string_view text, const PlatformCatalog &catalog,
                            const PlatformDefinition *requested, std::size_t scan_lines, CsvLimits limits);

} // namespace rolloy::import
