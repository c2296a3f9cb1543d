#include "core/common/error.hpp"
#include "core/images/zip_writer.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace rolloy;
using namespace rolloy::images;

namespace {

// Writes `bytes` to a fresh temporary file, removed when the object goes.
class TempFile {
  public:
    explicit TempFile(const std::string &bytes) {
        char name[] = "/tmp/rolloy_zip_test_XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        close(fd);
        path_ = name;
        std::ofstream(path_, std::ios::binary) << bytes;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string &path() const { return path_; }

  private:
    std::string path_;
};

// Runs a shell command; returns its exit status and fills `output` with stdout and stderr.
int run(const std::string &command, std::string &output) {
    output.clear();
    FILE *pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return -1;
    char buffer[4096];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        output.append(buffer, n);
    const int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::uint16_t read16(const std::string &s, std::size_t at) {
    return std::uint16_t(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
}

std::string binary_data(std::size_t size) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        data[i] = char((i * 131 + 7) % 251);
    return data;
}

const char *kUtf8Name = "Grün/日本_ü_😀.jpg";

} // namespace

TEST(ImagesZipWriter, UnzipAcceptsTheArchive) {
    ZipWriter zip;
    const std::string big = binary_data(300000);
    zip.add("20261127_OUT_PARK_WALK_JOY_UGC_v1.jpg", big);
    zip.add(kUtf8Name, "second entry");
    zip.add("empty.txt", "");
    EXPECT_EQ(zip.entry_count(), 3u);
    const std::uint64_t projected = zip.projected_size();
    const std::string archive = zip.finish();
    EXPECT_EQ(archive.size(), projected);
    TempFile file(archive);

    std::string output;
    ASSERT_EQ(run("unzip -t '" + file.path() + "'", output), 0) << output;
    EXPECT_NE(output.find("No errors detected"), std::string::npos) << output;

    // Names come back exactly, UTF-8 included (bit 11 set, so no code page guessing).
    ASSERT_EQ(run("LC_ALL=C.UTF-8 unzip -Z1 '" + file.path() + "'", output), 0) << output;
    EXPECT_EQ(output, std::string("20261127_OUT_PARK_WALK_JOY_UGC_v1.jpg\n") + kUtf8Name + "\nempty.txt\n");

    ASSERT_EQ(run("unzip -p '" + file.path() + "' 20261127_OUT_PARK_WALK_JOY_UGC_v1.jpg", output), 0);
    EXPECT_TRUE(output == big) << "extracted bytes differ";
}

TEST(ImagesZipWriter, HeadersCarryUtf8FlagCrcAndTime) {
    ZipWriter zip;
    // 2026-11-27 13:45:31 UTC (stored with 2-second precision).
    zip.add("a.txt", "123456789", std::time_t(1795787131));
    const std::string archive = zip.finish();
    EXPECT_EQ(archive.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_EQ(read16(archive, 6), 1 << 11); // general purpose flags: UTF-8 names
    EXPECT_EQ(read16(archive, 8), 0);       // stored
    EXPECT_EQ(read16(archive, 10), (13 << 11) | (45 << 5) | 15);
    EXPECT_EQ(read16(archive, 12), (46 << 9) | (11 << 5) | 27);
    std::uint32_t crc = 0;
    for (int i = 3; i >= 0; --i)
        crc = crc << 8 | static_cast<unsigned char>(archive[14 + i]);
    EXPECT_EQ(crc, 0xCBF43926u);
}

TEST(ImagesZipWriter, IsDeterministicAndEmptyArchiveIsValid) {
    auto build = [] {
        ZipWriter zip;
        zip.add("x/y.jpg", "data");
        return zip.finish();
    };
    EXPECT_EQ(build(), build());

    const std::string empty = ZipWriter().finish();
    EXPECT_EQ(empty, std::string("PK\x05\x06", 4) + std::string(18, '\0'));
    TempFile file(empty);
    std::string output;
    // unzip reports an empty archive with exit status 1 ("warning"), not as an error.
    EXPECT_LE(run("unzip -t '" + file.path() + "'", output), 1) << output;
}

TEST(ImagesZipWriter, RefusesBadNames) {
    for (const std::string &name :
         {std::string(""), std::string("/etc/passwd"), std::string("a/../b"), std::string(".."),
          std::string("a//b"), std::string("dir/"), std::string("./a"), std::string("a\\b"),
          std::string("a\nb"), std::string("bad\xFF.jpg"), std::string(70000, 'n')}) {
        ZipWriter zip;
        try {
            zip.add(name, "x");
            ADD_FAILURE() << "accepted " << name.substr(0, 40);
        } catch (const Error &error) {
            EXPECT_EQ(error.kind(), ErrorKind::InvalidInput);
            EXPECT_NE(std::string(error.what()).find("invalid file name"), std::string::npos);
        }
    }
    ZipWriter zip;
    zip.add("same.jpg", "1");
    try {
        zip.add("same.jpg", "2");
        ADD_FAILURE() << "duplicate accepted";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::InvalidInput);
        EXPECT_NE(std::string(error.what()).find("duplicate"), std::string::npos);
    }
}

TEST(ImagesZipWriter, RefusesArchivesOverTheLimitAndStaysUsable) {
    ZipWriter zip(1000);
    zip.add("small.jpg", binary_data(500));
    try {
        zip.add("big.jpg", binary_data(500));
        ADD_FAILURE() << "over the limit accepted";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::QuotaExceeded);
        EXPECT_NE(std::string(error.what()).find("too large"), std::string::npos);
        EXPECT_NE(error.detail().find("4 GiB"), std::string::npos);
    }
    zip.add("tiny.jpg", "ok");
    const std::string archive = zip.finish();
    EXPECT_LE(archive.size(), 1000u);
    TempFile file(archive);
    std::string output;
    EXPECT_EQ(run("unzip -t '" + file.path() + "'", output), 0) << output;
    // A limit above what plain ZIP can address is lowered to 4 GiB - 1.
    EXPECT_EQ(ZipWriter(1ull << 40).projected_size(), 22u);
}

TEST(ImagesZipWriter, SpentAfterFinish) {
    ZipWriter zip;
    zip.finish();
    try {
        zip.add("late.jpg", "x");
        ADD_FAILURE();
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::WrongState);
    }
    EXPECT_THROW(zip.finish(), Error);
}
