// The row problems of one import: all are counted and grouped by cause (for the message that
// rejects a file), the first ones kept with line and reason (for the batch's `errors` column).
#pragma once

#include "core/import/problem_groups.hpp"

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

    void add(std::size_t line, std::string_view reason, const std::vector<import::ProblemCause> &causes);
    std::size_t count() const noexcept { return count_; }
    const std::vector<Problem> &kept() const noexcept { return kept_; }
    // One sentence per cause with its count and first lines (import::ProblemGroups::detail).
    std::string detail(std::size_t max_bytes) const { return groups_.detail(max_bytes); }
    // What to do about the causes present; empty when nothing but fixing the rows helps.
    std::string remedies() const { return groups_.remedies(); }

  private:
    std::size_t count_ = 0;
    std::vector<Problem> kept_;
    import::ProblemGroups groups_;
};

// s cut to at most max_bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;

} // namespace rolloy::pg
