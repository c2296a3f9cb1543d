// "Download a project's images as one ZIP": a minimal ZIP writer into memory.
//
// Entries are stored, not deflated: JPEG data is already entropy-coded, so deflate would spend
// CPU on every byte to save almost nothing, and without it the writer needs no zlib stream and
// each entry costs one copy plus a CRC-32. The archive is built in memory, not streamed: the SQL
// function returns it as one bytea (at most 1 GB), so it is whole in memory there anyway; its
// size is bounded by `max_archive_bytes`, checked before each entry is appended. Names are UTF-8
// and flagged so (general purpose bit 11). ZIP64 is not written: archives over 4 GiB (or more
// than 65535 entries) are refused with a clear error - callers pass a lower limit anyway.
#pragma once
#include "core/common/core_only.hpp"

#include "core/common/error.hpp"

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rolloy::images {

class ZipWriter {
  public:
    // The largest archive a plain (non-ZIP64) ZIP can describe.
    static constexpr std::uint64_t kFormatLimit = 0xFFFFFFFFull;
    static constexpr std::size_t kMaxEntries = 0xFFFF;

    // `max_archive_bytes` (at most kFormatLimit) bounds the finished archive.
    explicit ZipWriter(std::uint64_t max_archive_bytes = kFormatLimit);

    // Appends one file. `name` is a relative path with '/' separators, valid UTF-8, without
    // "..", "." or empty segments, backslashes or control characters, and not already used.
    // `modified` (UTC) is stored at the format's 2-second precision; the default (0) stores the
    // ZIP epoch 1980-01-01 so archives of the same files are byte-identical.
    // Throws rolloy::Error: InvalidInput for a bad or duplicate name, QuotaExceeded when the
    // archive would exceed its limit, WrongState after finish().
    void add(std::string_view name, std::string_view data, std::time_t modified = 0);

    // Writes the central directory and returns the archive; the writer is spent afterwards.
    std::string finish();

    std::size_t entry_count() const { return entries_.size(); }
    // Size of the archive if finish() were called now.
    std::uint64_t projected_size() const;

  private:
    struct Entry {
        std::string name;
        std::uint32_t crc;
        std::uint32_t size;
        std::uint32_t offset;
        std::uint16_t dos_time;
        std::uint16_t dos_date;
    };

    std::uint64_t max_bytes_;
    std::string archive_;
    std::vector<Entry> entries_;
    std::unordered_set<std::string> names_;
    std::uint64_t central_directory_size_ = 0;
    bool finished_ = false;
};

} // namespace rolloy::images
