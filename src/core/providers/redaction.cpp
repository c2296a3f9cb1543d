#include "core/providers/redaction.hpp"

#include "core/providers/secret_spellings.hpp"

#include <algorithm>

namespace rolloy::providers {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool blank(unsigned char c) {
    return c <= 0x20 || c == 0x7f;
}

struct Span {
    std::size_t begin = npos; // npos: no more spans
    std::size_t end = npos;
};

// The byte ranges of a text to hide, left to right: every occurrence of every spelling, those
// that overlap merged into one range, and a head of a spelling that ends the text. Occurrences
// are searched in the whole text, ahead of any cut, so a range always reaches the end of the
// last occurrence it contains.
class Spans {
  public:
    Spans(std::string_view text, const std::vector<std::string> &spellings)
        : text_(text), spellings_(spellings), next_(spellings.size()) {
        for (std::size_t i = 0; i < spellings.size(); ++i)
            next_[i] = text.find(spellings[i]);
        tail_ = cut_head_at_end();
    }

    Span next() {
        Span span;
        for (const std::size_t at : next_)
            span.begin = std::min(span.begin, at);
        span.begin = std::min(span.begin, tail_);
        if (span.begin == npos) return span;
        span.end = span.begin + 1; // grows to cover every occurrence that starts inside it
        for (bool grew = true; grew;) {
            grew = false;
            for (std::size_t i = 0; i < spellings_.size(); ++i)
                while (next_[i] < span.end) {
                    span.end = std::max(span.end, next_[i] + spellings_[i].size());
                    next_[i] = text_.find(spellings_[i], next_[i] + 1); // overlapping ones too
                    grew = true;
                }
            if (tail_ < span.end) {
                span.end = std::max(span.end, tail_end_);
                tail_ = npos;
                grew = true;
            }
        }
        return span;
    }

  private:
    // Where the text ends with the longest head (kMinSecret bytes or more, not the whole
    // spelling) of a spelling, trailing blanks aside; npos if it does not.
    std::size_t cut_head_at_end() {
        tail_end_ = text_.size();
        while (tail_end_ > 0 && blank(static_cast<unsigned char>(text_[tail_end_ - 1])))
            --tail_end_;
        const std::string_view text = text_.substr(0, tail_end_);
        std::size_t start = npos;
        for (const std::string_view spelling : spellings_)
            for (std::size_t n = std::min(spelling.size() - 1, text.size()); n >= Redactor::kMinSecret; --n)
                if (text.back() == spelling[n - 1] && text.substr(text.size() - n) == spelling.substr(0, n)) {
                    start = std::min(start, text.size() - n);
                    break;
                }
        return start;
    }

    std::string_view text_;
    const std::vector<std::string> &spellings_;
    std::vector<std::size_t> next_; // next occurrence of each spelling, npos when none is left
    std::size_t tail_ = npos;       // start of a head of a spelling that ends the text
    std::size_t tail_end_ = 0;      // where that head ends (before trailing blanks)
};

// The key, and when it has ':' (fal's KEY_ID:KEY_SECRET) each part, which fal may name alone.
std::vector<std::string_view> key_and_parts(std::string_view api_key) {
    std::vector<std::string_view> out{api_key};
    if (api_key.find(':') == npos) return out;
    for (std::size_t start = 0;;) {
        const std::size_t colon = api_key.find(':', start);
        out.push_back(api_key.substr(start, colon == npos ? npos : colon - start));
        if (colon == npos) return out;
        start = colon + 1;
    }
}

} // namespace

Redactor::Redactor(std::string_view api_key) {
    for (const std::string_view secret : key_and_parts(api_key)) {
        if (secret.size() < kMinSecret) continue;
        for (std::string &spelling : secret_spellings(secret))
            if (std::find(spellings_.begin(), spellings_.end(), spelling) == spellings_.end())
                spellings_.push_back(std::move(spelling));
    }
}

std::string Redactor::redact(std::string_view text) const {
    std::string out;
    Spans spans(text, spellings_);
    std::size_t copied = 0;
    for (Span span = spans.next(); span.begin != npos; span = spans.next()) {
        out.append(text.substr(copied, span.begin - copied));
        out += kMark;
        copied = span.end;
    }
    out.append(text.substr(copied));
    return out;
}

std::string Redactor::excerpt(std::string_view text, std::size_t max_bytes) const {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes) + kMark.size() + 4);
    Spans spans(text, spellings_);
    Span hidden = spans.next();
    bool last_space = true; // also trims leading spaces
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (i != hidden.begin && blank(c)) {
            if (!last_space) out.push_back(' ');
            last_space = true;
            ++i;
            continue;
        }
        last_space = false;
        if (out.size() >= max_bytes && (c & 0xC0) != 0x80) { // stop only before a character start
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            return out + "…";
        }
        if (i == hidden.begin) {
            out += kMark;
            i = hidden.end;
            hidden = spans.next();
        } else {
            out.push_back(text[i++]);
        }
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

} // namespace rolloy::providers
