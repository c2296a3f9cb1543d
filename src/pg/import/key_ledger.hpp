// Every (ad, day) key of one import, as a 64-bit hash, with the currency it was first read in.
// Lines of one key may land in different chunks (an export sorted by date, not by ad): the
// ledger tells the importer that a key was already written by this import, so the line is
// counted as summed into that row rather than as an update, and refused when its currency
// differs. 12 bytes per distinct key (at most 50 % load): ~25 MB for 1,000,000 keys.
// Only counts and the currency check rest on the hash; the data itself is merged in SQL by key.
// The hash of a pair is a bijection of it (see key_hash), so two keys never share an entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rolloy::pg {

// "USD" -> a non-zero code; "" -> 0 (no currency known).
inline std::uint32_t pack_currency(std::string_view code) noexcept {
    if (code.size() != 3) return 0;
    return (std::uint32_t(static_cast<unsigned char>(code[0])) << 16) |
           (std::uint32_t(static_cast<unsigned char>(code[1])) << 8) |
           std::uint32_t(static_cast<unsigned char>(code[2]));
}

// Hash of an (ad, day) pair (the ad as the import's AdResolver numbers it): both packed into
// 64 bits, then a strong finaliser. Distinct pairs give distinct inputs, so the ledger's counts
// rest on the finaliser being a bijection: no two keys collide.
inline std::uint64_t key_hash(std::uint32_t ad, std::int32_t day) noexcept {
    std::uint64_t h = (static_cast<std::uint64_t>(ad) << 32) | static_cast<std::uint32_t>(day);
    h += 0x9E3779B97F4A7C15ull;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    return h == 0 ? 1 : h; // 0 marks an empty slot (the one input that maps to 0 shares 1's slot)
}

class KeyLedger {
  public:
    enum class Seen { New, Before };

    // Records `hash` if new. When it was seen before, `*first_currency` receives the currency it
    // was first seen with (0 when none).
    Seen note(std::uint64_t hash, std::uint32_t currency, std::uint32_t *first_currency) {
        if ((size_ + 1) * 2 > hashes_.size()) grow();
        std::size_t mask = hashes_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            if (hashes_[i] == hash) {
                *first_currency = currencies_[i];
                if (currencies_[i] == 0) currencies_[i] = currency;
                return Seen::Before;
            }
            if (hashes_[i] == 0) {
                hashes_[i] = hash;
                currencies_[i] = currency;
                ++size_;
                return Seen::New;
            }
        }
    }

    std::size_t size() const noexcept { return size_; }

  private:
    void grow() {
        std::vector<std::uint64_t> old_hashes(hashes_.empty() ? 1024 : hashes_.size() * 2, 0);
        std::vector<std::uint32_t> old_currencies(old_hashes.size(), 0);
        old_hashes.swap(hashes_);
        old_currencies.swap(currencies_);
        std::size_t mask = hashes_.size() - 1;
        for (std::size_t j = 0; j < old_hashes.size(); ++j) {
            if (old_hashes[j] == 0) continue;
            std::size_t i = old_hashes[j] & mask;
            while (hashes_[i] != 0)
                i = (i + 1) & mask;
            hashes_[i] = old_hashes[j];
            currencies_[i] = old_currencies[j];
        }
    }

    std::vector<std::uint64_t> hashes_;
    std::vector<std::uint32_t> currencies_;
    std::size_t size_ = 0;
};

} // namespace rolloy::pg
