// SPI from C++: every call goes through rolloy::pg::call(), results are copied into std types
// at once, so no palloc'd memory outlives the SPI context inside a C++ object.
//
//   SpiConnection spi;                         // SPI_connect
//   auto rows = spi.query("SELECT … $1 …", {arg});   // text in, text out ($n typed in SQL)
//   spi.finish();                              // SPI_finish; on an error path Postgres' abort
//                                              // cleans up instead (never from a destructor)
#pragma once
#include "pg/common/postgres.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rolloy::pg {

using SqlValue = std::optional<std::string>;  // NULL or the value's text form
using SqlRow = std::vector<SqlValue>;

class SpiConnection {
  public:
    SpiConnection();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

    // Runs `sql` with text parameters ($1::uuid etc. casts in the SQL give them types).
    std::vector<SqlRow> query(const char *sql, const std::vector<SqlValue> &args = {}, bool read_only = false);
    // Same, for statements whose result is not needed; returns rows processed.
    uint64 execute(const char *sql, const std::vector<SqlValue> &args = {});
    void finish();

  private:
    bool connected_ = false;
    uint64 run(const char *sql, const std::vector<SqlValue> &args, bool read_only);
};

// Text/Datum conversions done under the guard.
std::string text_arg(FunctionCallInfo fcinfo, int argno);
Datum text_datum(const std::string &value);

}  // namespace rolloy::pg
