#include "core/common/csv_cell.hpp"

namespace rolloy::csv {

bool starts_formula(std::string_view value) noexcept {
    if (value.empty()) return false;
    switch (value.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
    case '\0':
        return true;
    default:
        return false;
    }
}

void append_cell(std::string &out, std::string_view value) {
    out.reserve(out.size() + value.size() + 3);
    out.push_back('"');
    if (starts_formula(value)) out.push_back('\'');
    for (char c : value) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

void append_row(std::string &out, std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (std::string_view cell : cells) {
        if (!first) out.push_back(',');
        first = false;
        append_cell(out, cell);
    }
    out += "\r\n";
}

} // namespace rolloy::csv
