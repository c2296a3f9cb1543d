#include "pg/import/creative_matcher.hpp"

#include "core/common/error.hpp"
#include "core/naming/creative_name.hpp"

namespace rolloy::pg {
namespace {

// Distinct ad names remembered; real exports have hundreds, a pathological one a million.
constexpr std::size_t kMaxCachedNames = 50000;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

Uuid parse_uuid(std::string_view text) {
    Uuid out{};
    std::size_t n = 0;
    int high = -1;
    for (char c : text) {
        if (c == '-') continue;
        int v = hex_value(c);
        if (v < 0 || n >= out.size()) throw Error(ErrorKind::Internal, "malformed uuid from the database");
        if (high < 0) {
            high = v;
        } else {
            out[n++] = static_cast<unsigned char>(high * 16 + v);
            high = -1;
        }
    }
    if (n != out.size() || high >= 0) throw Error(ErrorKind::Internal, "malformed uuid from the database");
    return out;
}

void CreativeMatcher::load(SpiConnection &spi) {
    auto rows = spi.query(
        "SELECT g.ad_name, g.project_id::text, g.id::text FROM rolloy.generated_images g"
        " UNION ALL"
        " SELECT p.generated_name, p.id::text, NULL FROM rolloy.creative_projects p",
        {}, false); // not read-only: a fresh snapshot, creatives committed since the statement began count
    by_name_.reserve(rows.size());
    for (const auto &row : rows) {
        Target t;
        t.project = parse_uuid(*row.at(1));
        if (row.at(2)) {
            t.image = parse_uuid(*row[2]);
            t.is_image = true;
        }
        by_name_.emplace(*row.at(0), t);
    }
}

const CreativeMatch &CreativeMatcher::match(std::string_view ad_name) {
    lookup_key_.assign(ad_name.data(), ad_name.size()); // reused buffer: no allocation per row
    auto cached = cache_.find(lookup_key_);
    if (cached != cache_.end()) return cached->second;
    if (cache_.size() >= kMaxCachedNames) cache_.clear();

    CreativeMatch m;
    if (auto parsed = naming::parse_creative_name(ad_name)) {
        m.creative_name = parsed->image_name.empty() ? parsed->project_name : parsed->image_name;
        if (!parsed->image_name.empty()) {
            auto image = by_name_.find(parsed->image_name);
            if (image != by_name_.end() && image->second.is_image) {
                m.has_project = m.has_image = true;
                m.project = image->second.project;
                m.image = image->second.image;
            }
        }
        if (!m.has_project) {
            auto project = by_name_.find(parsed->project_name);
            if (project != by_name_.end() && !project->second.is_image) {
                m.has_project = true;
                m.project = project->second.project;
            }
        }
    }
    return cache_.emplace(lookup_key_, std::move(m)).first->second;
}

} // namespace rolloy::pg
