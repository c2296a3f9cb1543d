#include "core/providers/secret_spellings.hpp"

#include "core/common/utf8.hpp"

#include <algorithm>

namespace rolloy::providers {
namespace {

constexpr const char *kHexDigits[] = {"0123456789abcdef", "0123456789ABCDEF"};

struct JsonStyle {
    bool slash; // '/' as "\/"
    bool ascii; // non-ASCII as \uXXXX (a surrogate pair above U+FFFF)
    bool html;  // <, > and & as \u003c, \u003e, \u0026
    bool upper; // hex digits of \u escapes in upper case
};

void append_u(std::string &out, unsigned code, bool upper) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += kHexDigits[upper][(code >> shift) & 0xF];
}

// The code point of the well-formed UTF-8 sequence at text[i], and its length.
unsigned code_point(std::string_view text, std::size_t i, std::size_t &length) {
    const auto b = [&](std::size_t k) {
        return static_cast<unsigned>(static_cast<unsigned char>(text[i + k]));
    };
    if (b(0) < 0xE0) {
        length = 2;
        return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
    }
    if (b(0) < 0xF0) {
        length = 3;
        return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    }
    length = 4;
    return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
}

// JSON's two-character escapes of control characters; nullptr for the others (\u00XX).
const char *short_escape(unsigned char c) {
    switch (c) {
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        return nullptr;
    }
}

std::string json_escaped(std::string_view secret, JsonStyle style) {
    const bool ascii = style.ascii && is_valid_utf8(secret); // \u escapes need code points
    std::string out;
    for (std::size_t i = 0; i < secret.size();) {
        const auto c = static_cast<unsigned char>(secret[i]);
        if (c >= 0x80 && ascii) {
            std::size_t length = 0;
            unsigned code = code_point(secret, i, length);
            if (code > 0xFFFF) {
                code -= 0x10000;
                append_u(out, 0xD800 + (code >> 10), style.upper);
                code = 0xDC00 + (code & 0x3FF);
            }
            append_u(out, code, style.upper);
            i += length;
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '/' && style.slash) {
            out += "\\/";
        } else if ((c == '<' || c == '>' || c == '&') && style.html) {
            append_u(out, c, style.upper);
        } else if (c < 0x20) {
            if (const char *escape = short_escape(c))
                out += escape;
            else
                append_u(out, c, style.upper);
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    return out;
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string percent_encoded(std::string_view secret, bool upper) {
    std::string out;
    for (const char ch : secret) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out += ch;
        } else {
            out += '%';
            out += kHexDigits[upper][c >> 4];
            out += kHexDigits[upper][c & 0xF];
        }
    }
    return out;
}

} // namespace

std::vector<std::string> secret_spellings(std::string_view secret) {
    std::vector<std::string> out{std::string(secret)};
    const auto add = [&out](std::string spelling) {
        if (std::find(out.begin(), out.end(), spelling) == out.end()) out.push_back(std::move(spelling));
    };
    for (unsigned style = 0; style < 16; ++style)
        add(json_escaped(secret, {(style & 1) != 0, (style & 2) != 0, (style & 4) != 0, (style & 8) != 0}));
    add(percent_encoded(secret, true));
    add(percent_encoded(secret, false));
    return out;
}

} // namespace rolloy::providers
