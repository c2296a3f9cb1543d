#include "pg/import/problem_log.hpp"

namespace rolloy::pg {

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

void ProblemLog::add(std::size_t line, std::string_view reason,
                     const std::vector<import::ProblemCause> &causes) {
    ++count_;
    groups_.add(line, causes);
    if (kept_.size() >= kKept) return;
    std::string_view cut = utf8_prefix(reason, kMaxReasonBytes);
    std::string text(cut);
    if (cut.size() < reason.size()) text += "...";
    kept_.push_back(Problem{line, std::move(text)});
}

} // namespace rolloy::pg
