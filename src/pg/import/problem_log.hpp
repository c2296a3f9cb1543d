// The row problems of one import: all are counted, the first ones kept (line and reason) for the
// batch's `errors` column and for the message that rejects a file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::pg {

class ProblemLog {
  public:
    static constexpr std::size_t kKept = 100;           // problems stored in import_batches.errors
    static constexpr std::size_t kMaxReasonBytes = 500; // longer reasons are cut (on a UTF-8 boundary)

    struct Problem {
        std::size_t line;
        std::string reason;
    };

    void add(std::size_t line, std::string_view reason);
    std::size_t count() const noexcept { return count_; }
    const std::vector<Problem> &kept() const noexcept { return kept_; }

    // "line 4: Impressions: \"12abc\" is not a number\nline 9: ..." within max_bytes, ending with
    // "(and N more)" when not all fit.
    std::string detail(std::size_t max_bytes) const;

  private:
    std::size_t count_ = 0;
    std::vector<Problem> kept_;
};

// s cut to at most max_bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;

} // namespace rolloy::pg
