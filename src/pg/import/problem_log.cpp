#include "pg/import/problem_log.hpp"

namespace rolloy::pg {

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

void ProblemLog::add(std::size_t line, std::string_view reason) {
    ++count_;
    if (kept_.size() >= kKept) return;
    std::string_view cut = utf8_prefix(reason, kMaxReasonBytes);
    std::string text(cut);
    if (cut.size() < reason.size()) text += "...";
    kept_.push_back(Problem{line, std::move(text)});
}

std::string ProblemLog::detail(std::size_t max_bytes) const {
    constexpr std::size_t kTailRoom = 32; // "\n(and N more)"
    std::string out;
    std::size_t shown = 0;
    for (const Problem &p : kept_) {
        std::string entry = "line " + std::to_string(p.line) + ": " + p.reason;
        bool last = shown + 1 == count_;
        std::size_t budget = max_bytes > kTailRoom && !last ? max_bytes - kTailRoom : max_bytes;
        std::size_t needed = out.size() + (out.empty() ? 0 : 1) + entry.size();
        if (needed > budget) {
            if (shown > 0) break;
            // The first problem alone is too long: show its beginning.
            entry = std::string(utf8_prefix(entry, budget > 3 ? budget - 3 : 0)) + "...";
        }
        if (!out.empty()) out += '\n';
        out += entry;
        ++shown;
    }
    if (shown < count_) {
        if (!out.empty()) out += '\n';
        out += "(and " + std::to_string(count_ - shown) + " more)";
    }
    return out;
}

} // namespace rolloy::pg
