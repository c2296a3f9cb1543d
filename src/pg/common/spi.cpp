#include "pg/common/spi.hpp"

#include "pg/common/guard.hpp"

#include <unordered_map>

#include "core/common/error.hpp"
#include "core/common/utf8.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "executor/spi.h"
}

namespace rolloy::pg {
namespace {

// Kept plans of this process, by statement text and parameter types. The statements are string
// constants of the code, so the map stays as small as the code.
std::unordered_map<std::string, SPIPlanPtr> kept_plans;

SPIPlanPtr kept_plan(const char *sql, int nargs, Oid *types) {
    std::string key(sql);
    key.push_back('\0');
    for (int i = 0; i < nargs; ++i)
        key += types[i] == BYTEAOID ? 'b' : 't';
    auto found = kept_plans.find(key);
    if (found != kept_plans.end()) return found->second;
    SPIPlanPtr plan = call([=] {
        // A kept statement runs thousands of times: plan it once. Left to choose, the plan cache
        // re-plans every execution whose generic estimate looks worse than a custom plan — the
        // worker's claim (a five-table join) and updates were re-planned per image, 40 % of the
        // worker's SQL time.
        SPIPlanPtr prepared = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
        if (prepared == nullptr)
            elog(ERROR, "rolloy: SPI_prepare failed (%s)", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(prepared) != 0) elog(ERROR, "rolloy: SPI_keepplan failed");
        return prepared;
    });
    kept_plans.emplace(std::move(key), plan);
    return plan;
}

} // namespace

SpiConnection::SpiConnection() {
    call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "rolloy: SPI_connect failed");
    });
    connected_ = true;
}

void SpiConnection::finish() {
    if (!connected_) return;
    connected_ = false;
    call([] { SPI_finish(); });
}

uint64 SpiConnection::run(const char *sql, const std::vector<SqlArg> &args, bool read_only, Plan plan) {
    int nargs = static_cast<int>(args.size());
    Oid *types = nullptr;
    Datum *values = nullptr;
    char *nulls = nullptr;
    if (nargs > 0) {
        types = call([nargs] { return static_cast<Oid *>(palloc(sizeof(Oid) * nargs)); });
        values = call([nargs] { return static_cast<Datum *>(palloc(sizeof(Datum) * nargs)); });
        nulls = call([nargs] { return static_cast<char *>(palloc(nargs)); });
        for (int i = 0; i < nargs; ++i) {
            const SqlArg &arg = args[i];
            types[i] = arg.is_bytea ? BYTEAOID : TEXTOID;
            nulls[i] = arg.value ? ' ' : 'n';
            if (arg.value) values[i] = arg.is_bytea ? bytea_datum(*arg.value) : text_datum(*arg.value);
        }
    }
    int rc;
    if (plan == Plan::Kept) {
        SPIPlanPtr kept = kept_plan(sql, nargs, types);
        rc = call([=] { return SPI_execute_plan(kept, values, nulls, read_only, 0); });
    } else {
        rc = call([=] { return SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0); });
    }
    if (rc < 0)
        throw std::runtime_error(std::string("SPI failed (code ") + std::to_string(rc) + ") for: " + sql);
    return SPI_processed;
}

std::vector<SqlRow> SpiConnection::query(const char *sql, const std::vector<SqlArg> &args, bool read_only,
                                         Plan plan) {
    uint64 n = run(sql, args, read_only, plan);
    std::vector<SqlRow> rows;
    if (SPI_tuptable == nullptr) return rows;
    int ncols = SPI_tuptable->tupdesc->natts;
    rows.reserve(n);
    for (uint64 r = 0; r < n; ++r) {
        SqlRow row;
        row.reserve(ncols);
        for (int c = 1; c <= ncols; ++c) {
            if (SPI_gettypeid(SPI_tuptable->tupdesc, c) == BYTEAOID) {
                struct Raw {
                    const char *data;
                    int len;
                    bool isnull;
                };
                Raw raw = call([r, c] {
                    bool isnull = false;
                    Datum d = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c, &isnull);
                    if (isnull) return Raw{nullptr, 0, true};
                    bytea *b = DatumGetByteaPP(d);
                    return Raw{VARDATA_ANY(b), static_cast<int>(VARSIZE_ANY_EXHDR(b)), false};
                });
                if (raw.isnull)
                    row.emplace_back(std::nullopt);
                else
                    row.emplace_back(std::string(raw.data, raw.len));
                continue;
            }
            char *value =
                call([r, c] { return SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c); });
            if (value == nullptr) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(std::string(value));
                call([value] { pfree(value); });
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

uint64 SpiConnection::execute(const char *sql, const std::vector<SqlArg> &args, Plan plan) {
    return run(sql, args, false, plan);
}

std::string text_arg(FunctionCallInfo fcinfo, int argno) {
    struct Span {
        const char *data;
        int len;
    };
    Span span = call([fcinfo, argno] {
        text *t = PG_GETARG_TEXT_PP(argno);
        return Span{VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t))};
    });
    return std::string(span.data, span.len);
}

std::string bytea_arg(FunctionCallInfo fcinfo, int argno) {
    struct Span {
        const char *data;
        int len;
    };
    Span span = call([fcinfo, argno] {
        bytea *b = PG_GETARG_BYTEA_PP(argno);
        return Span{VARDATA_ANY(b), static_cast<int>(VARSIZE_ANY_EXHDR(b))};
    });
    return std::string(span.data, span.len);
}

Datum bytea_datum(const std::string &value) {
    const char *data = value.data();
    size_t len = value.size();
    return call([data, len] {
        bytea *b = static_cast<bytea *>(palloc(len + VARHDRSZ));
        SET_VARSIZE(b, len + VARHDRSZ);
        memcpy(VARDATA(b), data, len);
        return PointerGetDatum(b);
    });
}

Datum text_datum(const std::string &value) {
    // Text from outside (provider messages, HTTP bodies, file names) may not be valid in the
    // database encoding, and a text Datum is never checked again: repair it here.
    const std::string *text = &value;
    std::string repaired;
    bool valid =
        call([&value] { return pg_verifymbstr(value.data(), static_cast<int>(value.size()), true); });
    if (!valid) {
        bool utf8 = call([] { return GetDatabaseEncoding() == PG_UTF8; });
        if (utf8) {
            repaired = sanitise_utf8(value);
        } else {
            for (char c : value)
                repaired.push_back(static_cast<unsigned char>(c) < 0x80 ? c : '?');
        }
        text = &repaired;
    }
    const char *data = text->data();
    int len = static_cast<int>(text->size());
    return call([data, len] { return PointerGetDatum(cstring_to_text_with_len(data, len)); });
}

std::size_t char_length(std::string_view value) {
    return call([value] {
        return static_cast<std::size_t>(pg_mbstrlen_with_len(value.data(), static_cast<int>(value.size())));
    });
}

void check_length(const char *what, std::string_view value, std::size_t max_chars) {
    if (value.size() <= max_chars) return; // a character has at least one byte
    std::size_t chars = char_length(value);
    if (chars > max_chars)
        throw rolloy::Error(rolloy::ErrorKind::TooLong,
                            std::string(what) + " may be at most " + std::to_string(max_chars) +
                                " characters (this one has " + std::to_string(chars) + ")");
}

} // namespace rolloy::pg
