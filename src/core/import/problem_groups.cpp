#include "core/import/problem_groups.hpp"

#include <algorithm>

namespace rolloy::import {
namespace {

std::string sentence(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

// "on line 7", "on 3 lines: 4, 9 and 12", "on 60 lines: 2, 3, 4, 5, 6 and 55 more"
std::string where(std::size_t count, const std::vector<std::size_t> &lines) {
    if (count == 1 && lines.size() == 1) return "on line " + std::to_string(lines[0]);
    std::string out = "on " + std::to_string(count) + " lines: ";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += i + 1 == lines.size() && count == lines.size() ? " and " : ", ";
        out += std::to_string(lines[i]);
    }
    if (count > lines.size()) out += " and " + std::to_string(count - lines.size()) + " more";
    return out;
}

} // namespace

void ProblemGroups::add(std::size_t line, const std::vector<ProblemCause> &causes) {
    for (const ProblemCause &c : causes) {
        auto [it, added] = index_.try_emplace(c.text, groups_.size());
        if (added) groups_.push_back(Group{c.text, c.remedy, 0, {}});
        Group &g = groups_[it->second];
        ++g.count;
        if (g.lines.size() < kLinesShown && (g.lines.empty() || g.lines.back() != line))
            g.lines.push_back(line);
    }
}

std::string ProblemGroups::detail(std::size_t max_bytes) const {
    std::vector<const Group *> order;
    for (const Group &g : groups_)
        order.push_back(&g);
    std::stable_sort(order.begin(), order.end(),
                     [](const Group *a, const Group *b) { return a->count > b->count; });
    constexpr std::size_t kTailRoom = 60; // "There are 12 more kinds of problem on 345 lines."
    std::string out;
    std::size_t shown = 0, rest_lines = 0;
    for (const Group *g : order) {
        std::string entry = sentence(g->cause) + " " + where(g->count, g->lines) + ".";
        bool last = shown + 1 == order.size();
        std::size_t budget = last || max_bytes <= kTailRoom ? max_bytes : max_bytes - kTailRoom;
        if (shown > 0 && out.size() + 1 + entry.size() > budget) break;
        if (shown == 0 && entry.size() > budget) { // one cause alone too long: its beginning
            std::size_t cut = budget;
            while (cut > 0 && (static_cast<unsigned char>(entry[cut]) & 0xC0) == 0x80)
                --cut;
            entry.resize(cut);
        }
        if (!out.empty()) out += '\n';
        out += entry;
        ++shown;
    }
    for (std::size_t i = shown; i < order.size(); ++i)
        rest_lines += order[i]->count;
    if (shown < order.size())
        out += "\nThere " +
               std::string(order.size() - shown == 1
                               ? "is 1 more kind"
                               : "are " + std::to_string(order.size() - shown) + " more kinds") +
               " of problem on " + std::to_string(rest_lines) + (rest_lines == 1 ? " line." : " lines.");
    return out;
}

std::string ProblemGroups::remedies() const {
    bool spreadsheet = false, reexport = false;
    for (const Group &g : groups_) {
        spreadsheet |= g.remedy == Remedy::Spreadsheet;
        reexport |= g.remedy == Remedy::Reexport;
    }
    std::string out;
    if (spreadsheet)
        out += "If the file was opened and saved again in a spreadsheet, format these columns as text before "
               "saving, or import the file exactly as the ad platform exported it.";
    if (reexport)
        out += std::string(out.empty() ? "" : " ") +
               "Lines look cut or edited: export the report from the ad platform again.";
    return out;
}

} // namespace rolloy::import
