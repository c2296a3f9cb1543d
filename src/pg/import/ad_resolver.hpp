// Which rolloy.ads row an export line belongs to. The ads of the platform are loaded once per
// import; each line is resolved in C++ to a small ad number, so the day rows are written with
// integer keys only.
//
// The matching rule (issue 12): a line with an ad id belongs to the ad of that id. A line without
// a (usable) id belongs to the ad its name names: the canonical creative name when the ad name is
// one, else the ad name. So name-keyed and id-keyed lines of one ad and day land on ONE day row,
// in every order:
//   * id then name: the name finds the ad that has that name (when exactly one id'd ad has it);
//   * name then id: the ad created by name takes the id (ad_key and ad_id become the id);
//   * name twice: the same ad.
// A line whose id a spreadsheet damaged ("1.20210E+17") is matched by name too; what is left of
// the id must then agree with the stored id of the ad the name finds (src/core/import/
// ad_id_damage.hpp). When it contradicts it, the name found another ad than the line's: the line
// is not merged into it (resolve() answers kContradicts and the import treats it as a row problem).
// The other order: an ad created by name from damaged lines keeps what was left of their id
// (rolloy.ads.damaged_ad_id); a later line with a real id whose name finds that ad takes it only
// when the id fits. One that contradicts it is another ad of the same name: it gets an ad of its
// own (by id), the days of the damaged file stay where they are, and the batch a warning
// (kept_apart_ads()) — the native file is the trustworthy one, so its lines are not refused.
// A name several id'd ads share cannot tell them apart: such lines get an ad of their own (by
// name) and the batch a warning, rather than replacing the days of one ad at random.
#pragma once
#include "pg/common/spi.hpp"
#include "pg/import/creative_matcher.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rolloy::pg {

struct AdRecord {
    std::int32_t id = 0;    // rolloy.ads.id; 0 until written
    std::string key;        // ad_key
    std::string ad_id;      // "" = known by name only
    std::string name_key;   // how lines without an id find it
    std::string damaged_id; // what a spreadsheet left of the id, while the ad has none (ads.damaged_ad_id)
    bool rekeyed = false;   // a stored ad that took an id during this import
    bool created = false;   // inserted by this import: it has no days but those this import writes
    bool touched = false;   // lines of this import belong to it
    std::int64_t matched_lines = 0; // accepted lines of this import whose name matched a creative
    // Names and match as the latest line (by day) of this import gives them.
    std::int32_t latest_day = std::numeric_limits<std::int32_t>::min();
    std::string ad_name, campaign, ad_group, creative_name;
    bool has_project = false, has_image = false;
    Uuid project{}, image{};
    std::int32_t first_seen = 0, last_seen = 0;
};

// The attributes of one accepted line that the ad keeps.
struct AdLine {
    std::string_view ad_id, ad_name, campaign, ad_group;
    std::string_view damaged_ad_id; // the id as a spreadsheet left it; ad_id is then empty
    const CreativeMatch *match = nullptr;
    std::int32_t report_date = 0, period_end = 0;
};

class AdResolver {
  public:
    // resolve()'s answer for a line whose damaged id contradicts the ad its name finds.
    static constexpr std::uint32_t kContradicts = std::numeric_limits<std::uint32_t>::max() - 1;

    void load(SpiConnection &spi, const std::string &platform);
    // The ad of the line (an index into this resolver), created in memory when new; kContradicts
    // (nothing created or touched) when the line's damaged id does not fit that ad's stored id.
    std::uint32_t resolve(const AdLine &line);
    AdRecord &operator[](std::uint32_t i) noexcept { return ads_[i]; }
    // Writes ads new to the database (their ids) and ids taken by name-keyed ads; before the day
    // rows that refer to them.
    void write_new(SpiConnection &spi, const std::string &platform);
    // Sets names, match and seen range of every ad this import touched (after the last chunk). A
    // creative another session holds FOR UPDATE is not linked to (held_back_ads()): no wait.
    void write_touched(SpiConnection &spi);
    std::int64_t ambiguous_lines() const noexcept { return ambiguous_lines_; }
    // Ads created for an id that contradicts the damaged id of the ad their name found; the first
    // such pair (id, damaged id) for the warning.
    std::int64_t kept_apart_ads() const noexcept { return kept_apart_ads_; }
    const std::string &kept_apart_example() const noexcept { return kept_apart_example_; }
    // Ads write_touched() left unlinked: the creative they name was locked by another session.
    std::int64_t held_back_ads() const noexcept { return held_back_ads_; }
    // Matched lines (AdRecord::matched_lines) of held-back ads that had no link before: their days
    // stay unmatched, and the batch counts them so.
    std::int64_t held_back_unlinked_lines() const noexcept { return held_back_unlinked_lines_; }
    // The stored id the last kContradicts answer compared with.
    const std::string &contradicted_id() const noexcept { return ads_[contradicted_].ad_id; }

  private:
    static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    struct NameEntry {
        std::uint32_t by_name = kNone; // the ad keyed by this name (no id)
        std::uint32_t with_id = kNone; // an id'd ad of this name
        bool several = false;          // more than one id'd ad has this name
    };
    std::uint32_t add(std::string key, std::string ad_id, std::string name_key);
    // Held ads (rolloy.ads.id) -> whether they had no link before.
    std::unordered_map<std::int32_t, bool> held_links(const std::vector<std::uint32_t> &touched);
    void note_name(std::uint32_t ad, const std::string &name_key);

    std::vector<AdRecord> ads_;
    std::unordered_map<std::string, std::uint32_t> by_key_;
    std::unordered_map<std::string, NameEntry> by_name_;
    std::vector<std::uint32_t> unwritten_; // ads to insert or re-key at the next write_new
    std::string probe_;                    // lookup key, reused from line to line
    std::int64_t ambiguous_lines_ = 0;
    std::uint32_t contradicted_ = 0;
    std::int64_t held_back_ads_ = 0;
    std::int64_t held_back_unlinked_lines_ = 0;
    std::int64_t kept_apart_ads_ = 0;
    std::string kept_apart_example_;
};

} // namespace rolloy::pg
