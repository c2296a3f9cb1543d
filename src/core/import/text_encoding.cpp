#include "core/import/text_encoding.hpp"

#include "core/common/error.hpp"
#include "core/common/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace rolloy::import {
namespace {

constexpr const char *kExportAsCsv =
    "Export the report from the ad platform as CSV, or open the file in Excel or Google Sheets "
    "and save it as \"CSV UTF-8\".";

struct Signature {
    std::string_view magic;
    const char *what;
};

// Formats users upload by mistake. Checked before anything else: a ZIP or OLE file may contain
// bytes that would otherwise be mistaken for a UTF-16 byte-order mark or reported as "NUL bytes".
constexpr Signature kSignatures[] = {
    {std::string_view("PK\x03\x04", 4), "an Excel .xlsx workbook (a ZIP archive)"},
    {std::string_view("PK\x05\x06", 4), "a ZIP archive (an empty .xlsx workbook?)"},
    {std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), "an old Excel .xls workbook"},
    {std::string_view("%PDF-", 5), "a PDF document"},
    {std::string_view("\x1F\x8B", 2), "a gzip-compressed file"},
    {std::string_view("\x89PNG", 4), "a PNG image"},
    {std::string_view("\xFF\xD8\xFF", 3), "a JPEG image"},
    {std::string_view("\x00\x00\xFE\xFF", 4), "UTF-32 text (not supported)"},
    {std::string_view("\xFF\xFE\x00\x00", 4), "UTF-32 text (not supported)"},
};

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::size_t line_of_offset(std::string_view text, std::size_t offset) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) ++line;
    }
    return line;
}

[[noreturn]] void refuse_nul(std::string_view text, std::size_t offset) {
    throw Error(ErrorKind::DataCorrupted,
                "the file contains NUL bytes (first on line " + std::to_string(line_of_offset(text, offset)) +
                    "), so it is a binary file, not CSV text",
                {}, kExportAsCsv);
}

void append_utf8(std::string &out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// body: the UTF-16 code units after the BOM (if any).
std::string utf16_to_utf8(std::string_view body, bool little_endian) {
    if (body.size() % 2 != 0)
        throw Error(ErrorKind::DataCorrupted,
                    "the UTF-16 file ends in the middle of a character: it is truncated", {}, kExportAsCsv);
    const auto *p = reinterpret_cast<const unsigned char *>(body.data());
    const std::size_t units = body.size() / 2;
    auto unit = [&](std::size_t k) -> std::uint32_t {
        return little_endian ? (p[2 * k] | (p[2 * k + 1] << 8)) : ((p[2 * k] << 8) | p[2 * k + 1]);
    };
    std::string out;
    out.reserve(units + units / 8);
    std::size_t line = 1;
    for (std::size_t k = 0; k < units; ++k) {
        std::uint32_t u = unit(k);
        if (u == 0)
            throw Error(ErrorKind::DataCorrupted,
                        "the UTF-16 file contains NUL characters (first on line " + std::to_string(line) +
                            "), so it is a binary file, not CSV text",
                        {}, kExportAsCsv);
        if (u == '\n') ++line;
        if (u >= 0xD800 && u <= 0xDBFF && k + 1 < units) {
            std::uint32_t low = unit(k + 1);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                ++k;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            throw Error(ErrorKind::DataCorrupted,
                        "the UTF-16 file contains a broken character (an unpaired surrogate) on line " +
                            std::to_string(line),
                        {}, kExportAsCsv);
        append_utf8(out, u);
    }
    return out;
}

// UTF-16 without a byte-order mark still shows itself: ASCII text with every other byte zero.
bool looks_like_utf16(std::string_view raw, bool little_endian) {
    if (raw.size() < 4) return false;
    std::size_t zero = little_endian ? 1 : 0;
    return raw[zero] == 0 && raw[zero + 2] == 0 && raw[1 - zero] != 0 && raw[3 - zero] != 0;
}

} // namespace

const char *encoding_name(TextEncoding encoding) noexcept {
    switch (encoding) {
    case TextEncoding::Utf8:
        return "UTF-8";
    case TextEncoding::Utf8Bom:
        return "UTF-8 with BOM";
    case TextEncoding::Utf16Le:
        return "UTF-16LE";
    case TextEncoding::Utf16Be:
        return "UTF-16BE";
    }
    return "unknown";
}

const char *binary_signature(std::string_view raw) noexcept {
    for (const Signature &sig : kSignatures)
        if (starts_with(raw, sig.magic)) return sig.what;
    return nullptr;
}

DecodedText decode_input(std::string_view raw) {
    if (raw.empty()) throw Error(ErrorKind::InvalidInput, "the CSV file is empty (0 bytes)");
    if (const char *what = binary_signature(raw))
        throw Error(ErrorKind::DataCorrupted, std::string("the file is ") + what + ", not CSV", {},
                    kExportAsCsv);

    if (starts_with(raw, "\xFF\xFE"))
        return DecodedText::owned(utf16_to_utf8(raw.substr(2), true), TextEncoding::Utf16Le);
    if (starts_with(raw, "\xFE\xFF"))
        return DecodedText::owned(utf16_to_utf8(raw.substr(2), false), TextEncoding::Utf16Be);
    if (looks_like_utf16(raw, true))
        return DecodedText::owned(utf16_to_utf8(raw, true), TextEncoding::Utf16Le);
    if (looks_like_utf16(raw, false))
        return DecodedText::owned(utf16_to_utf8(raw, false), TextEncoding::Utf16Be);

    TextEncoding encoding = TextEncoding::Utf8;
    std::string_view text = raw;
    if (starts_with(text, "\xEF\xBB\xBF")) {
        text.remove_prefix(3);
        encoding = TextEncoding::Utf8Bom;
    }
    if (const void *nul = std::memchr(text.data(), 0, text.size()))
        refuse_nul(text, static_cast<std::size_t>(static_cast<const char *>(nul) - text.data()));
    std::size_t bad = first_invalid_utf8(text);
    if (bad != std::string_view::npos) {
        static const char hex[] = "0123456789ABCDEF";
        unsigned char b = static_cast<unsigned char>(text[bad]);
        std::string byte = {'0', 'x', hex[b >> 4], hex[b & 15]};
        throw Error(ErrorKind::DataCorrupted,
                    "the file is not valid UTF-8 text (byte " + byte + " on line " +
                        std::to_string(line_of_offset(text, bad)) + ")",
                    {},
                    "It was probably saved in a legacy encoding such as Windows-1252 (Excel's \"CSV\" on "
                    "Windows). Save it as \"CSV UTF-8\" instead.");
    }
    return DecodedText::borrowed(text, encoding);
}

} // namespace rolloy::import
