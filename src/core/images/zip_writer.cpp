#include "core/images/zip_writer.hpp"

#include "core/common/crc32.hpp"
#include "core/common/error.hpp"
#include "core/common/utf8.hpp"

#include <algorithm>

namespace rolloy::images {
namespace {

// Sizes of the fixed parts of the records (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16).
constexpr std::uint64_t kLocalHeader = 30;
constexpr std::uint64_t kCentralHeader = 46;
constexpr std::uint64_t kEndRecord = 22;

constexpr std::uint16_t kVersionNeeded = 20;               // 2.0: stored entries, folders
constexpr std::uint16_t kVersionMadeBy = (3 << 8) | 20;    // host 3 = Unix, so the mode below applies
constexpr std::uint16_t kUtf8Names = 1 << 11;              // general purpose flag bit 11
constexpr std::uint32_t kRegularFile0644 = 0100644u << 16; // external attributes: Unix mode

void put16(std::string &out, std::uint16_t v) {
    out.push_back(char(v & 0xFF));
    out.push_back(char(v >> 8));
}

void put32(std::string &out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(char((v >> (8 * i)) & 0xFF));
}

// MS-DOS date and time, as ZIP stores them; clamped to the representable 1980-2107.
void to_dos_time(std::time_t modified, std::uint16_t &dos_time, std::uint16_t &dos_date) {
    std::tm utc{};
    if (modified <= 315532800 || !gmtime_r(&modified, &utc)) { // before 1980-01-01: the epoch
        dos_time = 0;
        dos_date = (1 << 5) | 1;
        return;
    }
    const int year = std::min(utc.tm_year + 1900, 2107) - 1980;
    dos_time = std::uint16_t(utc.tm_hour << 11 | utc.tm_min << 5 | utc.tm_sec / 2);
    dos_date = std::uint16_t(year << 9 | (utc.tm_mon + 1) << 5 | utc.tm_mday);
}

void check_name(std::string_view name) {
    auto refuse = [&](const std::string &why) {
        throw Error(ErrorKind::InvalidInput, "invalid file name in ZIP archive: " + why,
                    "name: \"" + sanitise_utf8(name.substr(0, 200)) + "\"");
    };
    if (name.empty()) refuse("the name is empty");
    if (name.size() > 0xFFFF) refuse("the name is longer than 65535 bytes");
    if (!is_valid_utf8(name)) refuse("the name is not valid UTF-8");
    if (name.front() == '/') refuse("the name must be relative (no leading /)");
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7F || c == '\\')
            refuse("the name contains a control character or a backslash");
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('/', start), name.size());
        const std::string_view segment = name.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..")
            refuse("the name has an empty, \".\" or \"..\" path segment");
        start = end + 1;
    }
}

} // namespace

ZipWriter::ZipWriter(std::uint64_t max_archive_bytes)
    : max_bytes_(std::min(max_archive_bytes, kFormatLimit)) {}

std::uint64_t ZipWriter::projected_size() const {
    return archive_.size() + central_directory_size_ + kEndRecord;
}

void ZipWriter::add(std::string_view name, std::string_view data, std::time_t modified) {
    if (finished_) throw Error(ErrorKind::WrongState, "the ZIP archive is already finished");
    check_name(name);
    if (names_.count(std::string(name)))
        throw Error(ErrorKind::InvalidInput, "duplicate file name in ZIP archive: " + std::string(name));
    if (entries_.size() >= kMaxEntries)
        throw Error(ErrorKind::QuotaExceeded, "a ZIP archive holds at most 65535 files",
                    "ZIP64 archives are not supported", "download the images in smaller batches");
    // Checked before anything is appended, so a refused entry leaves the writer usable.
    const std::uint64_t grown =
        projected_size() + kLocalHeader + name.size() + data.size() + kCentralHeader + name.size();
    if (grown > max_bytes_)
        throw Error(ErrorKind::QuotaExceeded, "the ZIP archive would be too large",
                    "adding \"" + std::string(name) + "\" makes it " + std::to_string(grown) +
                        " bytes; the limit is " + std::to_string(max_bytes_) +
                        " bytes (ZIP64 archives over 4 GiB are not supported)",
                    "download the images in smaller batches");

    Entry entry{
        std::string(name), crc32(data), std::uint32_t(data.size()), std::uint32_t(archive_.size()), 0, 0};
    to_dos_time(modified, entry.dos_time, entry.dos_date);

    archive_.reserve(archive_.size() + kLocalHeader + name.size() + data.size());
    put32(archive_, 0x04034b50); // local file header signature
    put16(archive_, kVersionNeeded);
    put16(archive_, kUtf8Names);
    put16(archive_, 0); // method: stored
    put16(archive_, entry.dos_time);
    put16(archive_, entry.dos_date);
    put32(archive_, entry.crc);
    put32(archive_, entry.size); // compressed size
    put32(archive_, entry.size); // uncompressed size
    put16(archive_, std::uint16_t(name.size()));
    put16(archive_, 0); // extra field length
    archive_.append(name);
    archive_.append(data);

    central_directory_size_ += kCentralHeader + name.size();
    names_.insert(entry.name);
    entries_.push_back(std::move(entry));
}

std::string ZipWriter::finish() {
    if (finished_) throw Error(ErrorKind::WrongState, "the ZIP archive is already finished");
    finished_ = true;
    const std::uint32_t directory_offset = std::uint32_t(archive_.size());
    archive_.reserve(projected_size());
    for (const Entry &entry : entries_) {
        put32(archive_, 0x02014b50); // central directory header signature
        put16(archive_, kVersionMadeBy);
        put16(archive_, kVersionNeeded);
        put16(archive_, kUtf8Names);
        put16(archive_, 0); // stored
        put16(archive_, entry.dos_time);
        put16(archive_, entry.dos_date);
        put32(archive_, entry.crc);
        put32(archive_, entry.size);
        put32(archive_, entry.size);
        put16(archive_, std::uint16_t(entry.name.size()));
        put16(archive_, 0); // extra field length
        put16(archive_, 0); // comment length
        put16(archive_, 0); // disk number start
        put16(archive_, 0); // internal attributes
        put32(archive_, kRegularFile0644);
        put32(archive_, entry.offset);
        archive_.append(entry.name);
    }
    const std::uint32_t directory_size = std::uint32_t(archive_.size() - directory_offset);
    put32(archive_, 0x06054b50); // end of central directory signature
    put16(archive_, 0);          // this disk
    put16(archive_, 0);          // disk with the central directory
    put16(archive_, std::uint16_t(entries_.size()));
    put16(archive_, std::uint16_t(entries_.size()));
    put32(archive_, directory_size);
    put32(archive_, directory_offset);
    put16(archive_, 0); // comment length
    return std::move(archive_);
}

} // namespace rolloy::images
