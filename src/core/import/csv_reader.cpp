#include "core/import/csv_reader.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <cstring>

namespace rolloy::import {
namespace {

std::string describe_bytes(std::size_t n) {
    if (n >= (std::size_t(1) << 20) && n % (std::size_t(1) << 20) == 0)
        return std::to_string(n >> 20) + " MiB";
    if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + " KiB";
    return std::to_string(n) + " bytes";
}

// Line breaks inside [b, e): "\r\n", "\n" and a lone "\r" each count once.
std::size_t count_line_breaks(const char *b, const char *e) {
    std::size_t n = 0;
    for (const char *p = b; p < e; ++p) {
        if (*p == '\n')
            ++n;
        else if (*p == '\r' && (p + 1 == e || p[1] != '\n'))
            ++n;
    }
    return n;
}

} // namespace

bool CsvRecord::blank() const noexcept {
    for (std::string_view f : fields)
        if (!f.empty()) return false;
    return true;
}

CsvReader::CsvReader(std::string_view text, char delimiter, std::size_t first_line, CsvLimits limits)
    : text_(text), line_(first_line), delimiter_(delimiter), limits_(limits) {
    ends_field_[static_cast<unsigned char>(delimiter)] = true;
    ends_field_['\n'] = true;
    ends_field_['\r'] = true;
}

void CsvReader::fail_unterminated(std::size_t record_line, std::size_t quote_line) const {
    throw Error(ErrorKind::InvalidText,
                "line " + std::to_string(record_line) + ": a quoted field opened on line " +
                    std::to_string(quote_line) + " is never closed; the file looks truncated",
                {}, "Download the export again; if it was edited by hand, check the quotes on that line.");
}

void CsvReader::fail_too_long(std::size_t record_line, bool inside_quote, std::size_t quote_line) const {
    std::string message = "line " + std::to_string(record_line) + " is longer than " +
                          describe_bytes(limits_.max_record_bytes) + ", the limit for one CSV row";
    if (inside_quote)
        message += "; a quote opened on line " + std::to_string(quote_line) + " may never be closed";
    throw Error(ErrorKind::InvalidText, message, {}, "This is not an ad-platform export, or it is damaged.");
}

bool CsvReader::next(CsvRecord &record) {
    const char *const begin = text_.data();
    const char *const end = begin + text_.size();
    const char *p = begin + pos_;
    if (p >= end) return false;

    record.fields.clear();
    record.fixups_.clear();
    record.unescaped_.clear();
    record.line = line_;
    const char *const start = p;
    // Scanning never looks further than one byte past the longest allowed record.
    const std::size_t window =
        std::min<std::size_t>(static_cast<std::size_t>(end - start), limits_.max_record_bytes + 1);
    const char *const limit = start + window;
    const bool limit_is_end = limit == end;
    const char delim = delimiter_;
    std::size_t line = line_;

    for (;;) {
        if (p < limit && *p == '"') {
            const std::size_t quote_line = line;
            const char *q = p + 1;
            const char *segment = q;
            bool unescaped = false;
            std::size_t arena_offset = 0;
            for (;;) {
                const char *close =
                    static_cast<const char *>(std::memchr(q, '"', static_cast<std::size_t>(limit - q)));
                if (!close) {
                    if (limit_is_end) fail_unterminated(record.line, quote_line);
                    fail_too_long(record.line, true, quote_line);
                }
                line += count_line_breaks(q, close);
                if (close + 1 < limit && close[1] == '"') { // "" inside quotes: one literal quote
                    if (!unescaped) {
                        unescaped = true;
                        arena_offset = record.unescaped_.size();
                    }
                    record.unescaped_.append(segment, static_cast<std::size_t>(close + 1 - segment));
                    q = segment = close + 2;
                    continue;
                }
                if (close + 1 >= limit && !limit_is_end) fail_too_long(record.line, false, quote_line);
                p = close + 1;
                // Text between the closing quote and the delimiter is kept, as Excel does.
                const char *tail = p;
                while (p < limit && !ends_field_[static_cast<unsigned char>(*p)])
                    ++p;
                if (tail == p && !unescaped) {
                    record.fields.emplace_back(segment, static_cast<std::size_t>(close - segment));
                } else {
                    if (!unescaped) arena_offset = record.unescaped_.size();
                    record.unescaped_.append(segment, static_cast<std::size_t>(close - segment));
                    record.unescaped_.append(tail, static_cast<std::size_t>(p - tail));
                    record.fixups_.push_back(
                        {record.fields.size(), arena_offset, record.unescaped_.size() - arena_offset});
                    record.fields.emplace_back();
                }
                break;
            }
        } else {
            const char *f = p;
            while (p < limit && !ends_field_[static_cast<unsigned char>(*p)])
                ++p;
            record.fields.emplace_back(f, static_cast<std::size_t>(p - f));
        }

        if (p == limit) {
            // The window holds one byte more than allowed, to see the line break after a record
            // of exactly the limit; reaching its end means that byte was not a break.
            if (!limit_is_end || static_cast<std::size_t>(p - start) > limits_.max_record_bytes)
                fail_too_long(record.line, false, 0);
            record.raw = std::string_view(start, static_cast<std::size_t>(p - start));
            pos_ = static_cast<std::size_t>(p - begin);
            break;
        }
        if (*p == delim) {
            ++p;
            continue;
        }
        record.raw = std::string_view(start, static_cast<std::size_t>(p - start));
        if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
        ++p;
        pos_ = static_cast<std::size_t>(p - begin);
        break;
    }

    for (const CsvRecord::Fixup &fix : record.fixups_)
        record.fields[fix.field] = std::string_view(record.unescaped_.data() + fix.offset, fix.length);
    record.end_line = line;
    line_ = line + 1;
    return true;
}

char detect_delimiter(std::string_view text) noexcept {
    std::size_t comma = 0, semicolon = 0, tab = 0;
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted; // a doubled quote toggles twice: no net change
        else if (quoted)
            continue;
        else if (c == '\n' || c == '\r')
            break;
        else if (c == ',')
            ++comma;
        else if (c == ';')
            ++semicolon;
        else if (c == '\t')
            ++tab;
    }
    if (comma >= tab && comma >= semicolon) return ',';
    return tab >= semicolon ? '\t' : ';';
}

const char *delimiter_name(char delimiter) noexcept {
    switch (delimiter) {
    case ',':
        return "comma";
    case ';':
        return "semicolon";
    case '\t':
        return "tab";
    }
    return "other";
}

std::string_view split_first_line(std::string_view text, std::string_view *rest) noexcept {
    std::size_t i = 0;
    while (i < text.size() && text[i] != '\n' && text[i] != '\r')
        ++i;
    std::string_view line = text.substr(0, i);
    if (i < text.size()) i += (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
    *rest = text.substr(i);
    return line;
}

} // namespace rolloy::import
