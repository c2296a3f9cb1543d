// rolloy.import_performance_file(path, platform, on_error, source_name): the import of an export
// that lies on the database server, for the engineers who run it (COPY FROM 'file' for rolloy).
// Same checks, rows and batch as import_performance(body); only the bytes come from the file.
//
// Who may: the caller must be a superuser or have the privileges of pg_read_server_files, as for
// COPY FROM a file. The function is SECURITY DEFINER (it writes rolloy_internal), so the check is
// made for the session's role outside any SECURITY DEFINER function (GetOuterUserId), never for
// the current user: neither this function's owner nor the owner of a wrapper lends its right to
// read the server's files. The check comes before the path is looked at, so a refused caller
// learns nothing about the file system.
//
// Why a file function is faster than import_performance(pg_read_file(...)): pg_read_file reads
// the whole file into a fresh allocation of 4 kB pages and then checks it as text, and on this
// kind of VM the first touch of each fresh page costs more than parsing it (perf of a 200,000-row
// import: ~25 % of the backend's CPU in the read's page faults and pg_verifymbstr). Here the file
// is read in 1 MiB blocks into a mapping that asks for 2 MiB pages (MADV_HUGEPAGE: 512 times fewer
// first touches where the kernel grants them, as many as before where it does not), and the text
// check is the import's own one pass (decode_input), which it makes for every body anyway.
#include "pg/common/guard.hpp"
#include "pg/import/importer.hpp"

#include "core/common/error.hpp"
#include "pg/common/spi.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
}

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::call;

namespace {

constexpr std::size_t kBlockBytes = std::size_t(1) << 20;
constexpr std::size_t kHugePageBytes = std::size_t(2) << 20;
// As for a text body (the largest value Postgres holds): larger exports are imported in parts.
constexpr off_t kMaxFileBytes = off_t(1) << 30;
constexpr std::size_t kMaxPathBytes = 4096;

// Raises the Postgres error for a failed system call on the file (errno kept: 58P01 for a
// missing file, 42501 for one the server may not read, as COPY reports them).
[[noreturn]] void fail_file_access(const char *what, const char *path, int error) {
    call([what, path, error] {
        errno = error;
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not %s file \"%s\": %m", what, path)));
    });
    throw Error(ErrorKind::Internal, "ereport returned"); // not reached
}

class ReadOnlyFile {
  public:
    explicit ReadOnlyFile(const char *path) {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below as not a file).
        fd_ = ::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_ < 0) fail_file_access("open", path, errno);
    }
    ~ReadOnlyFile() { ::close(fd_); }
    ReadOnlyFile(const ReadOnlyFile &) = delete;
    ReadOnlyFile &operator=(const ReadOnlyFile &) = delete;
    int fd() const noexcept { return fd_; }

  private:
    int fd_;
};

// Anonymous memory for the whole file, released on every way out (errors included).
class FileBuffer {
  public:
    explicit FileBuffer(std::size_t size) {
        capacity_ = (size + kHugePageBytes) / kHugePageBytes * kHugePageBytes;
        void *p = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            throw Error(ErrorKind::QuotaExceeded,
                        "out of memory reading the file (" + std::to_string(size) + " bytes)");
        ::madvise(p, capacity_, MADV_HUGEPAGE); // a hint: without it, ordinary pages
        data_ = static_cast<char *>(p);
    }
    ~FileBuffer() { ::munmap(data_, capacity_); }
    FileBuffer(const FileBuffer &) = delete;
    FileBuffer &operator=(const FileBuffer &) = delete;
    char *data() const noexcept { return data_; }

  private:
    char *data_ = nullptr;
    std::size_t capacity_ = 0;
};

void require_file_reader() {
    bool allowed = call([] {
        Oid role = GetOuterUserId();
        return superuser_arg(role) || has_privs_of_role(role, ROLE_PG_READ_SERVER_FILES);
    });
    if (!allowed)
        throw Error(
            ErrorKind::PermissionDenied, "permission denied to import from a file on the database server",
            "Only superusers and roles with the privileges of pg_read_server_files may read the server's "
            "files, as for COPY FROM a file.",
            "Send the file's contents instead: rolloy.import_performance(body), e.g. PostgREST's "
            "/rpc/import_csv_file or psql's \\set with the file's text.");
}

// The file's bytes, read in blocks; size is what fstat said (a file that grows meanwhile is read
// up to that size, one that shrinks up to its new end).
std::size_t read_blocks(int fd, const char *path, char *out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        std::size_t want = size - done < kBlockBytes ? size - done : kBlockBytes;
        ssize_t got = ::read(fd, out + done, want);
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_file_access("read", path, errno);
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
        call([] { CHECK_FOR_INTERRUPTS(); });
    }
    return done;
}

std::string file_name_of(const std::string &path) {
    std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

ROLLOY_FUNCTION(rolloy_import_performance_file) {
    require_file_reader();
    static const char *kArgNames[] = {"path", "platform", "on_error", "source_name"};
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidInput, std::string(kArgNames[i]) + " must not be NULL");
    std::string path = rolloy::pg::text_arg(fcinfo, 0);
    // Before any message quotes it: no path the kernel takes is longer (PATH_MAX).
    if (path.size() >= kMaxPathBytes)
        throw Error(ErrorKind::InvalidInput, "the path is too long (" + std::to_string(path.size()) +
                                                 " bytes; at most " + std::to_string(kMaxPathBytes - 1) +
                                                 ")");
    // Like COPY TO a file: a relative path would be read from the data directory, which is
    // never where an export was put.
    if (path.empty() || path[0] != '/')
        throw Error(ErrorKind::InvalidInput, "relative path not allowed for import from a file",
                    "The path \"" + path + "\" does not start with \"/\".",
                    "Give the file's absolute path on the database server.");

    ReadOnlyFile file(path.c_str());
    struct stat st {};
    if (::fstat(file.fd(), &st) != 0) fail_file_access("stat", path.c_str(), errno);
    if (S_ISDIR(st.st_mode))
        throw Error(ErrorKind::InvalidInput, "\"" + path + "\" is a directory", {},
                    "Give the path of the export file itself.");
    if (!S_ISREG(st.st_mode)) throw Error(ErrorKind::InvalidInput, "\"" + path + "\" is not a regular file");
    if (st.st_size > kMaxFileBytes)
        throw Error(ErrorKind::InvalidInput,
                    "the file is larger than 1 GB (" + std::to_string(st.st_size) + " bytes)", {},
                    "Export fewer days per file, or split the file at line boundaries (keeping the "
                    "header in each part), and import the parts one after another.");

    std::size_t size = static_cast<std::size_t>(st.st_size);
    FileBuffer buffer(size);
    size = read_blocks(file.fd(), path.c_str(), buffer.data(), size);

    rolloy::pg::ImportRequest request;
    request.body = std::string_view(buffer.data(), size);
    request.platform = rolloy::pg::text_arg(fcinfo, 1);
    request.on_error = rolloy::pg::text_arg(fcinfo, 2);
    request.source_name = rolloy::pg::text_arg(fcinfo, 3);
    if (request.source_name.empty()) request.source_name = file_name_of(path);
    return rolloy::pg::run_import(request);
}
