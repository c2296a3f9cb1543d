#include "core/common/base64.hpp"

#include <array>
#include <cstdint>

namespace rolloy {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::int8_t kInvalid = -1;
constexpr std::int8_t kSkip = -2;
constexpr std::int8_t kPad = -3;

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto &entry : table)
        entry = kInvalid;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    table[static_cast<unsigned char>(' ')] = kSkip;
    table[static_cast<unsigned char>('\t')] = kSkip;
    table[static_cast<unsigned char>('\r')] = kSkip;
    table[static_cast<unsigned char>('\n')] = kSkip;
    table[static_cast<unsigned char>('=')] = kPad;
    return table;
}

constexpr std::array<std::int8_t, 256> kDecode = make_decode_table();

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.append("==");
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    char *o = out.data();
    std::size_t produced = 0;
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    std::uint32_t acc = 0;
    int held = 0; // sextets accumulated in acc (0..3)
    bool padded = false;
    std::size_t i = 0;
    while (i < n) {
        // Fast path: four alphabet characters make three bytes (images are megabytes of these).
        if (held == 0 && !padded && i + 4 <= n) {
            const int a = kDecode[p[i]], b = kDecode[p[i + 1]], c = kDecode[p[i + 2]], d = kDecode[p[i + 3]];
            if ((a | b | c | d) >= 0) {
                const std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) |
                                        (std::uint32_t(c) << 6) | std::uint32_t(d);
                o[produced++] = static_cast<char>((v >> 16) & 0xff);
                o[produced++] = static_cast<char>((v >> 8) & 0xff);
                o[produced++] = static_cast<char>(v & 0xff);
                i += 4;
                continue;
            }
        }
        const std::int8_t sextet = kDecode[p[i++]];
        if (sextet == kSkip) continue;
        if (sextet == kInvalid) return std::nullopt;
        if (sextet == kPad) {
            padded = true;
            continue;
        }
        if (padded) return std::nullopt; // data after padding
        acc = (acc << 6) | static_cast<std::uint32_t>(sextet);
        if (++held == 4) {
            o[produced++] = static_cast<char>((acc >> 16) & 0xff);
            o[produced++] = static_cast<char>((acc >> 8) & 0xff);
            o[produced++] = static_cast<char>(acc & 0xff);
            acc = 0;
            held = 0;
        }
    }
    if (held == 1) return std::nullopt; // 6 bits cannot make a byte
    if (held == 2) o[produced++] = static_cast<char>((acc >> 4) & 0xff);
    if (held == 3) {
        o[produced++] = static_cast<char>((acc >> 10) & 0xff);
        o[produced++] = static_cast<char>((acc >> 2) & 0xff);
    }
    out.resize(produced);
    return out;
}

} // namespace rolloy
