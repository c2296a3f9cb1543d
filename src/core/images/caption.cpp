#include "core/images/caption.hpp"

#include "core/common/utf8.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace rolloy::images {
namespace {

bool is_skipped(const std::string &word) {
    static const std::set<std::string> kSkipped = {
        // English stop words
        "about", "all", "also", "and", "any", "are", "been", "being", "both", "but", "can", "could", "down",
        "each", "every", "for", "from", "had", "has", "have", "her", "him", "his", "into", "its", "just",
        "near", "not", "off", "one", "only", "onto", "our", "out", "over", "own", "per", "she", "should",
        "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
        "those", "two", "under", "very", "was", "were", "what", "when", "where", "which", "while", "who",
        "whom", "will", "with", "within", "without", "would", "you", "your",
        // words every image prompt has
        "photo", "photograph", "photography", "photorealistic", "realistic", "image", "picture", "shot",
        "style", "detailed", "quality", "resolution", "ultra", "hdr", "render", "4k", "8k"};
    return kSkipped.count(word) > 0;
}

// Letters and digits of any script are word characters; so are inner hyphens and apostrophes.
bool is_word_byte(unsigned char c) {
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

std::size_t utf8_length(const std::string &word) {
    return std::size_t(std::count_if(word.begin(), word.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

} // namespace

std::string caption_from_prompt(std::string_view prompt, std::size_t max_terms, std::size_t max_bytes) {
    const std::string text = sanitise_utf8(prompt);
    const std::string separator = " \xC2\xB7 "; // " · "
    std::vector<std::string> terms;
    std::set<std::string> seen;
    std::string caption;
    for (std::size_t i = 0; i < text.size() && terms.size() < max_terms;) {
        if (!is_word_byte(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size()) {
            const auto c = static_cast<unsigned char>(text[end]);
            const bool joiner = (c == '-' || c == '\'') && end + 1 < text.size() &&
                                is_word_byte(static_cast<unsigned char>(text[end + 1]));
            if (!is_word_byte(c) && !joiner) break;
            ++end;
        }
        std::string word = text.substr(i, end - i);
        i = end;
        std::string key = word;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; });
        if (utf8_length(key) < 3 || is_skipped(key) || !seen.insert(key).second) continue;
        const std::size_t added = (caption.empty() ? 0 : separator.size()) + key.size();
        if (caption.size() + added > max_bytes) break;
        if (!caption.empty()) caption += separator;
        caption += key;
        terms.push_back(key);
    }
    return caption;
}

std::string escape_markup(std::string_view text) {
    std::string out;
    for (char c : sanitise_utf8(text)) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '\'':
            out += "&apos;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
        }
    }
    return out;
}

} // namespace rolloy::images
