// SPI from C++: every call goes through rolloy::pg::call(), results are copied into std types
// at once, so no palloc'd memory outlives the SPI context inside a C++ object.
//
//   SpiConnection spi;                               // SPI_connect
//   auto rows = spi.query("SELECT … $1 …", {arg});   // text in, text out ($n typed in SQL)
//   spi.finish();                                    // SPI_finish; on an error path Postgres'
//                                                    // abort cleans up instead (never from a
//                                                    // destructor)
// bytea columns come back as their raw bytes; SqlArg::bytes() passes raw bytes as a bytea.
// Statements a long-lived process runs again and again (the worker's) pass Plan::Kept: parsed
// and planned once per process and kept (SPI_keepplan); Postgres' plan cache re-plans them
// when a table or function they use changes.
#pragma once
#include "pg/common/postgres.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::pg {

using SqlValue = std::optional<std::string>; // NULL, the value's text form, or raw bytea bytes
using SqlRow = std::vector<SqlValue>;

// A query parameter: text (the default, typed by a cast in the SQL) or raw bytes as bytea.
struct SqlArg {
    SqlValue value;
    bool is_bytea = false;
    SqlArg(SqlValue v) : value(std::move(v)) {}
    SqlArg(std::string v) : value(std::move(v)) {}
    SqlArg(const char *v) : value(std::string(v)) {}
    SqlArg(std::nullopt_t) {}
    static SqlArg bytes(std::string raw) {
        SqlArg a(std::move(raw));
        a.is_bytea = true;
        return a;
    }
};

enum class Plan { OneShot, Kept };

class SpiConnection {
  public:
    SpiConnection();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

    std::vector<SqlRow> query(const char *sql, const std::vector<SqlArg> &args = {}, bool read_only = false,
                              Plan plan = Plan::OneShot);
    // For statements whose result is not needed; returns rows processed.
    uint64 execute(const char *sql, const std::vector<SqlArg> &args = {}, Plan plan = Plan::OneShot);
    void finish();

  private:
    bool connected_ = false;
    uint64 run(const char *sql, const std::vector<SqlArg> &args, bool read_only, Plan plan);
};

// Text/Datum conversions done under the guard.
std::string text_arg(FunctionCallInfo fcinfo, int argno);
std::string bytea_arg(FunctionCallInfo fcinfo, int argno);
Datum text_datum(const std::string &value);
Datum bytea_datum(const std::string &value);

// Characters of `value` as length() counts them (the database encoding).
std::size_t char_length(std::string_view value);

// Throws ErrorKind::TooLong ("<what> may be at most N characters (this one has M)", 22001, as
// rolloy_internal._check_length does) when `value` has more than max_chars characters. Never
// echoes the value.
void check_length(const char *what, std::string_view value, std::size_t max_chars);

} // namespace rolloy::pg
