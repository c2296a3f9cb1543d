// The row problems of an import grouped by cause, for the message that rejects a file: one line
// per kind of problem with its count and first line numbers, instead of one line per row
// ("line 2: ...", "line 3: ..." for sixty rows with the same fault), and a hint built from
// what can be done about the causes present.
#pragma once
#include "core/common/core_only.hpp"

#include "core/import/performance_row.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace rolloy::import {

class ProblemGroups {
  public:
    static constexpr std::size_t kLinesShown = 5;

    void add(std::size_t line, const std::vector<ProblemCause> &causes);

    // Sentences, most frequent cause first, within max_bytes:
    // "Impressions is not a number on 3 lines: 4, 9 and 12.\nLink clicks exceed Impressions on line 7."
    std::string detail(std::size_t max_bytes) const;
    // What to do about the causes present, as sentences; empty when only FixRows applies.
    std::string remedies() const;

  private:
    struct Group {
        std::string cause;
        Remedy remedy;
        std::size_t count = 0;
        std::vector<std::size_t> lines; // the first kLinesShown
    };
    std::vector<Group> groups_; // in the order first seen
    std::unordered_map<std::string, std::size_t> index_;
};

} // namespace rolloy::import
