// Keeping API keys out of messages. Everything a provider or libcurl writes may quote the key
// (an error body echoing the request, a model told to repeat it), and messages end up in
// last_error, api_usage_logs.error and the server log. A message is made only of rolloy's own
// words, of excerpts (Redactor::excerpt) and of text passed through Redactor::redact.
//
// Why excerpts belong here: an excerpt cut before redaction keeps the head of a key that
// straddles the cut, and no later redaction recognises a head. So the only way to shorten
// foreign text is excerpt(), which hides every secret in the whole text before it cuts.
#pragma once
#include "core/common/core_only.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers {

// The secrets of one call, and the two ways foreign text may enter one of its messages.
class Redactor {
  public:
    static constexpr std::string_view kMark = "[redacted]";
    // Secrets and pieces shorter than this are left alone: hiding "ab" would mangle every
    // message, and four characters say little (provider_keys() shows a key's last four).
    static constexpr std::size_t kMinSecret = 4;

    // Hides `api_key` in each spelling a provider may echo (secret_spellings.hpp), and each of
    // its ':'-separated parts of kMinSecret bytes or more: fal keys are KEY_ID:KEY_SECRET, and
    // fal may name either half alone. An empty key hides nothing.
    explicit Redactor(std::string_view api_key);

    // `text` with every occurrence of every spelling replaced by kMark; overlapping and
    // repeated occurrences become one mark each run. A text that ends with the head of a
    // spelling (kMinSecret bytes or more, trailing blanks aside) was cut by someone else before
    // it reached us (libcurl keeps 256 bytes of an error): that head is hidden too.
    std::string redact(std::string_view text) const;

    // A single-line, printable excerpt of redact(text): control characters become spaces, runs
    // of spaces collapse, and it is cut on a UTF-8 boundary after max_bytes with "…". A mark is
    // never split: one that starts before the cut is kept whole.
    std::string excerpt(std::string_view text, std::size_t max_bytes = 300) const;

  private:
    std::vector<std::string> spellings_;
};

} // namespace rolloy::providers
