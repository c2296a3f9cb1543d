// SQL entry points of the insights' distributions (src/core/insights/statistics.hpp, Boost.Math):
//   rolloy_internal.student_t_cdf(t float8, df float8) -> float8
//   rolloy_internal.wilson_lower_bound / wilson_upper_bound(successes, trials, z numeric) -> numeric
// The Wilson bounds keep their numeric signature (refresh_insights() passes counts and the
// configured z as numeric); they are computed in double precision, which is exact to ~1e-15
// relative, far below the 6 decimals any figure is shown with. All are STRICT.
#include "pg/common/guard.hpp"

#include "core/insights/statistics.hpp"

#include <optional>

extern "C" {
#include "utils/fmgrprotos.h"
}

using rolloy::pg::call;

namespace {

double numeric_arg(FunctionCallInfo fcinfo, int argno) {
    return call([fcinfo, argno] {
        return DatumGetFloat8(DirectFunctionCall1(numeric_float8, PG_GETARG_DATUM(argno)));
    });
}

Datum numeric_or_null(FunctionCallInfo fcinfo, std::optional<double> value) {
    if (!value) {
        fcinfo->isnull = true;
        return Datum(0);
    }
    double v = *value;
    return call([v] { return DirectFunctionCall1(float8_numeric, Float8GetDatum(v)); });
}

} // namespace

ROLLOY_FUNCTION(rolloy_student_t_cdf) {
    double t = PG_GETARG_FLOAT8(0);
    double df = PG_GETARG_FLOAT8(1);
    return Float8GetDatum(rolloy::insights::student_t_cdf(t, df));
}

ROLLOY_FUNCTION(rolloy_wilson_lower_bound) {
    return numeric_or_null(fcinfo, rolloy::insights::wilson_lower_bound(numeric_arg(fcinfo, 0),
                                                                        numeric_arg(fcinfo, 1),
                                                                        numeric_arg(fcinfo, 2)));
}

ROLLOY_FUNCTION(rolloy_wilson_upper_bound) {
    return numeric_or_null(fcinfo, rolloy::insights::wilson_upper_bound(numeric_arg(fcinfo, 0),
                                                                        numeric_arg(fcinfo, 1),
                                                                        numeric_arg(fcinfo, 2)));
}
