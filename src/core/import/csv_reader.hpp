// RFC 4180 CSV over a text buffer, one record at a time, without copying fields: a field is a
// view into the buffer unless it needs unescaping (doubled quotes), in which case it is a view
// into the record's own scratch string, reused from record to record. A 1,000,000-row export is
// read in one pass with no per-row allocation once the record's vectors have grown.
//
// Accepted: quoted fields with delimiters, doubled quotes and line breaks inside; CRLF, LF or CR
// line ends (mixed too); a missing final line break. Tolerated like Excel does: a quote in the
// middle of an unquoted field is a literal character, and text after a closing quote is appended
// to the field. Refused (rolloy::Error, InvalidText): a quoted field that is never closed, and a
// record longer than CsvLimits::max_record_bytes, which is checked while scanning so an endless
// line costs at most that many bytes of work and no memory.
#pragma once
#include "core/common/core_only.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::import {

struct CsvLimits {
    // Longest record accepted, line break excluded. 1 MiB is ~50x the longest real export row
    // we have seen (long ad names and URLs), small enough that a corrupt file fails fast.
    std::size_t max_record_bytes = std::size_t(1) << 20;
};

class CsvRecord {
  public:
    std::size_t line = 0;     // 1-based physical line where the record starts
    std::size_t end_line = 0; // physical line where it ends (> line with quoted line breaks)
    std::string_view raw;     // the record as written, without its line break
    std::vector<std::string_view> fields;

    // True for a line with no content: no fields but empty ones (",,," or an empty line).
    bool blank() const noexcept;

  private:
    friend class CsvReader;
    struct Fixup {
        std::size_t field, offset, length;
    };
    std::string unescaped_;     // fields that had doubled quotes, back to back
    std::vector<Fixup> fixups_; // which fields live in unescaped_
};

class CsvReader {
  public:
    // text: the whole body (or the part after a header); first_line: the physical line number
    // of text's first line, so records report their line in the original file.
    CsvReader(std::string_view text, char delimiter, std::size_t first_line = 1, CsvLimits limits = {});

    // Reads the next record into `record` (whose buffers are reused). Returns false at the end
    // of the text. Views in `record` stay valid until the next call with the same record.
    bool next(CsvRecord &record);

    std::size_t offset() const noexcept { return pos_; }     // where the next record starts
    std::size_t next_line() const noexcept { return line_; } // its line number

  private:
    [[noreturn]] void fail_unterminated(std::size_t record_line, std::size_t quote_line) const;
    [[noreturn]] void fail_too_long(std::size_t record_line, bool inside_quote, std::size_t quote_line) const;

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_;
    char delimiter_;
    CsvLimits limits_;
    std::array<bool, 256> ends_field_{}; // delimiter, '\n', '\r': one load per byte when scanning
};

// The delimiter of a header line: whichever of ',' ';' and tab occurs most often outside quotes
// in the first physical line of `text` (ties go to ',' then tab then ';'; none at all gives ',',
// a one-column file).
char detect_delimiter(std::string_view text) noexcept;

// "comma", "semicolon", "tab" (for messages and import summaries).
const char *delimiter_name(char delimiter) noexcept;

// The first physical line of `text` (without its line break); *rest receives what follows it.
std::string_view split_first_line(std::string_view text, std::string_view *rest) noexcept;

} // namespace rolloy::import
