// SQL-callable naming functions: check_code, compose_image_name, parse_creative_name, and the
// error-boundary self test.
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"

#include "core/common/error.hpp"
#include "core/naming/creative_name.hpp"

#include <new>

extern "C" {
#include "access/htup_details.h"
#include "utils/date.h"
#include "datatype/timestamp.h"
#include "utils/datetime.h"
}

using rolloy::pg::call;
using rolloy::pg::text_arg;
using rolloy::pg::text_datum;

ROLLOY_FUNCTION(rolloy_check_code) {
    std::string what = text_arg(fcinfo, 0);
    std::string code = text_arg(fcinfo, 1);
    rolloy::naming::validate_code(what, code);
    return text_datum(code);
}

ROLLOY_FUNCTION(rolloy_compose_image_name) {
    std::string project_name = text_arg(fcinfo, 0);
    int32 variant = PG_GETARG_INT32(1);
    return text_datum(rolloy::naming::compose_image_name(project_name, variant));
}

namespace {

// Builds the rolloy.creative_name_parts row. All values are prepared as Datums first; the
// tuple is formed under the guard.
Datum parts_datum(FunctionCallInfo fcinfo, const rolloy::naming::ParsedName &p) {
    constexpr int kColumns = 10;
    Datum values[kColumns];
    bool nulls[kColumns] = {};
    values[0] = call([&p] { return DateADTGetDatum(date2j(p.year, p.month, p.day) - POSTGRES_EPOCH_JDATE); });
    values[1] = text_datum(p.codes.scene_category);
    values[2] = text_datum(p.codes.scene);
    values[3] = text_datum(p.codes.action);
    values[4] = text_datum(p.codes.driver);
    values[5] = text_datum(p.codes.format);
    values[6] = Int32GetDatum(p.sequence);
    values[7] = Int32GetDatum(p.variant);
    nulls[7] = p.variant == 0;
    values[8] = text_datum(p.project_name);
    if (p.image_name.empty())
        nulls[9] = true;
    else
        values[9] = text_datum(p.image_name);
    return call([fcinfo, &values, &nulls] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "rolloy: parse_creative_name must return a composite type");
        desc = BlessTupleDesc(desc);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}

}  // namespace

ROLLOY_FUNCTION(rolloy_parse_creative_name) {
    std::string text = text_arg(fcinfo, 0);
    auto parsed = rolloy::naming::parse_creative_name(text);
    if (!parsed) {
        fcinfo->isnull = true;
        return Datum(0);
    }
    return parts_datum(fcinfo, *parsed);
}

// Proves the boundary: each kind must come out as an ordinary SQL error, never a crash.
ROLLOY_FUNCTION(rolloy_selftest_raise) {
    std::string kind = text_arg(fcinfo, 0);
    std::string alive_during_unwind(64, 'x');  // a destructor the error path must run
    if (kind == "rolloy_error")
        throw rolloy::Error(rolloy::ErrorKind::InvalidInput, "selftest: rolloy error", "some detail", "some hint");
    if (kind == "std_exception") throw std::runtime_error("selftest: std exception");
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "unknown") throw 42;
    if (kind == "postgres_error") {
        rolloy::pg::SpiConnection spi;
        spi.query("SELECT 1/0");  // division_by_zero raised by Postgres, carried through C++
        spi.finish();
    }
    if (kind != "none") throw rolloy::Error(rolloy::ErrorKind::InvalidInput, "unknown selftest kind \"" + kind + "\"");
    return text_datum("ok");
}
