// Links an export's ad names to rolloy's creatives. The names of every project and generated
// image are loaded once per import (one query); each ad name is then parsed with the naming
// parser (which forgives case, separators and " - Copy" suffixes) and looked up in C++:
// the canonical image name first (project + _Vnn), else the canonical project name.
#pragma once
#include "pg/common/spi.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rolloy::pg {

using Uuid = std::array<unsigned char, 16>;

struct CreativeMatch {
    // Canonical creative name the ad name spells (image name if it has a variant, else project
    // name); empty when the ad name is not a creative name.
    std::string creative_name;
    bool has_project = false, has_image = false;
    Uuid project{}, image{};
};

class CreativeMatcher {
  public:
    // Loads the names of all projects and images (the caller's SPI connection, as table owner).
    void load(SpiConnection &spi);
    // The match for an ad name; results are cached per distinct name (bounded).
    const CreativeMatch &match(std::string_view ad_name);

  private:
    struct Target {
        Uuid project{}, image{};
        bool is_image = false;
    };
    std::unordered_map<std::string, Target> by_name_;
    std::unordered_map<std::string, CreativeMatch> cache_;
    std::string lookup_key_;
};

// "3f2b...-..." -> 16 bytes; throws rolloy::Error(Internal) on malformed text (never expected:
// the text comes from uuid columns).
Uuid parse_uuid(std::string_view text);

} // namespace rolloy::pg
