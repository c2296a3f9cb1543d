// Turns the raw bytes of an uploaded export into UTF-8 text, or refuses them with a message a
// marketer can act on. Ad platforms hand out UTF-8 (Meta, TikTok, Google "CSV"), UTF-8 with a
// byte-order mark (files re-saved by Excel) and UTF-16LE with a BOM (Google Ads "Excel CSV");
// users also upload the .xlsx they meant to convert, which must be named as such, not parsed.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace rolloy::import {

enum class TextEncoding { Utf8, Utf8Bom, Utf16Le, Utf16Be };

// "UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16BE".
const char *encoding_name(TextEncoding encoding) noexcept;

// The export as UTF-8 text. Plain UTF-8 input is not copied: text() then views the caller's
// buffer (BOM removed), which must outlive this object. UTF-16 input is converted into an owned
// string. Either way text() stays valid while this object lives, also after a move.
class DecodedText {
  public:
    static DecodedText borrowed(std::string_view text, TextEncoding encoding) {
        DecodedText d(encoding);
        d.borrowed_ = text;
        return d;
    }
    static DecodedText owned(std::string text, TextEncoding encoding) {
        DecodedText d(encoding);
        d.owned_ = std::move(text);
        d.owns_ = true;
        return d;
    }

    std::string_view text() const noexcept { return owns_ ? std::string_view(owned_) : borrowed_; }
    TextEncoding encoding() const noexcept { return encoding_; }

  private:
    explicit DecodedText(TextEncoding encoding) : encoding_(encoding) {}

    std::string_view borrowed_;
    std::string owned_;
    bool owns_ = false;
    TextEncoding encoding_;
};

// Detects the encoding and returns the text as valid UTF-8 without a BOM and without NUL bytes.
// Throws rolloy::Error(DataCorrupted) for binary input, naming what it looks like ("an Excel
// .xlsx workbook, not CSV: ..."), for NUL bytes, invalid UTF-8 and broken UTF-16; throws
// Error(InvalidInput) for an empty body. Runs in one pass (plus the conversion for UTF-16).
DecodedText decode_input(std::string_view raw);

// What a binary body looks like from its first bytes ("an Excel .xlsx workbook"), or nullptr
// when it carries no known binary signature. Exposed for tests.
const char *binary_signature(std::string_view raw) noexcept;

} // namespace rolloy::import
