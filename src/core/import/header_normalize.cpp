#include "core/import/header_normalize.hpp"

#include "core/import/text_util.hpp"

namespace rolloy::import {
namespace {

// Appends one character, keeping parentheses in one spacing: "Clicks(destination )" and
// "Clicks （destination）" both end up as "Clicks (destination)".
void push_char(std::string &out, char c) {
    if (c == '(' && !out.empty() && out.back() != ' ') out.push_back(' ');
    if (c == ')' && !out.empty() && out.back() == ' ') out.pop_back();
    if (c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '(')) return;
    out.push_back(c);
}

// Appends `raw` with full-width forms folded and every blank written as one space, no leading
// space and no runs of spaces.
void fold_into(std::string &out, std::string_view raw) {
    auto push_space = [&out] { push_char(out, ' '); };
    std::size_t i = 0;
    while (i < raw.size()) {
        std::string_view rest = raw.substr(i);
        if (std::size_t n = blank_length(rest)) {
            push_space();
            i += n;
            continue;
        }
        unsigned char c = static_cast<unsigned char>(raw[i]);
        if (c == '\r' || c == '\n') {
            push_space();
            ++i;
            continue;
        }
        if (c == 0xEF && rest.size() >= 3) {
            unsigned char c1 = static_cast<unsigned char>(rest[1]), c2 = static_cast<unsigned char>(rest[2]);
            if (c1 == 0xBB && c2 == 0xBF) { // U+FEFF byte-order mark left inside the text
                i += 3;
                continue;
            }
            // U+FF01..U+FF5E are EF BC 81..EF BC BF and EF BD 80..EF BD 9E; ASCII = cp - 0xFEE0.
            unsigned cp = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
            if ((c1 & 0xC0) == 0x80 && (c2 & 0xC0) == 0x80 && cp >= 0xFF01 && cp <= 0xFF5E) {
                push_char(out, static_cast<char>(cp - 0xFEE0));
                i += 3;
                continue;
            }
        }
        push_char(out, static_cast<char>(c));
        ++i;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
}

} // namespace

NormalizedHeader normalize_header(std::string_view raw) {
    NormalizedHeader h;
    h.name.reserve(raw.size());
    fold_into(h.name, raw);

    // "Amount spent (USD)": the code must be upper-case, so "CTR (all)" stays.
    std::string &n = h.name;
    if (n.size() >= 6 && n.back() == ')' && n[n.size() - 5] == '(' && n[n.size() - 6] == ' ' &&
        is_currency_code(std::string_view(n).substr(n.size() - 4, 3))) {
        h.currency = n.substr(n.size() - 4, 3);
        n.resize(n.size() - 6);
    }
    for (char &c : n)
        c = to_lower(c);
    return h;
}

} // namespace rolloy::import
