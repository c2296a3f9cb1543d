// SQL aggregate over the units of one comparison, running the calibrated effect test of the core
// (src/core/insights/ratio_test.hpp) in its final function:
//
//   rolloy_internal.ratio_test(in_group boolean, numerator float8, denominator float8)
//       -> rolloy_internal.ratio_test_result
//
// One row per unit (a creative; a day for fatigue): in_group says which side it is on, numerator
// and denominator are its k and n (clicks and impressions; conversion value and spend). Rows with
// a NULL or a denominator <= 0 are not units (a creative without spend has no ROAS) and are
// skipped. refresh_insights() groups by comparison, so every value of every dimension gets its
// own test in one pass over the joined units.
//
// The state lives in the aggregate's memory context as plain palloc'd arrays: no C++ object
// holds palloc'd memory, and nothing outlives the context. The final function copies the units
// into C++ vectors only for the duration of the test.
#include "pg/common/guard.hpp"

#include "core/insights/ratio_test.hpp"

#include <vector>

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
}

using rolloy::pg::call;

namespace {

struct UnitsState {
    int count;
    int capacity;
    double *numerator;
    double *denominator;
    bool *in_group;
};

UnitsState *new_state(MemoryContext context) {
    return call([context] {
        MemoryContext old = MemoryContextSwitchTo(context);
        auto *state = static_cast<UnitsState *>(palloc0(sizeof(UnitsState)));
        state->capacity = 64;
        state->numerator = static_cast<double *>(palloc(sizeof(double) * state->capacity));
        state->denominator = static_cast<double *>(palloc(sizeof(double) * state->capacity));
        state->in_group = static_cast<bool *>(palloc(sizeof(bool) * state->capacity));
        MemoryContextSwitchTo(old);
        return state;
    });
}

void append(UnitsState *state, bool in_group, double numerator, double denominator) {
    if (state->count == state->capacity) {
        call([state] {
            if (state->capacity > 64 * 1024 * 1024)
                ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                                errmsg("a ratio test may have at most %d units", state->capacity)));
            // repalloc keeps each array in the context it was allocated in (the aggregate's).
            int capacity = state->capacity * 2;
            state->numerator = static_cast<double *>(repalloc(state->numerator, sizeof(double) * capacity));
            state->denominator =
                static_cast<double *>(repalloc(state->denominator, sizeof(double) * capacity));
            state->in_group = static_cast<bool *>(repalloc(state->in_group, sizeof(bool) * capacity));
            state->capacity = capacity;
        });
    }
    state->numerator[state->count] = numerator;
    state->denominator[state->count] = denominator;
    state->in_group[state->count] = in_group;
    ++state->count;
}

const char *status_name(rolloy::insights::RatioTestStatus status) {
    switch (status) {
    case rolloy::insights::RatioTestStatus::Tested:
        return "tested";
    case rolloy::insights::RatioTestStatus::TooFewUnits:
        return "too_few_units";
    case rolloy::insights::RatioTestStatus::NoSpread:
        return "no_spread";
    }
    return "too_few_units";
}

// Columns of rolloy_internal.ratio_test_result, in order.
enum Column {
    kStatus,
    kGroupUnits,
    kRestUnits,
    kGroupRatio,
    kRestRatio,
    kStdError,
    kTStatistic,
    kDegreesOfFreedom,
    kPValue,
    kConfidence,
    kFewUnits,
    kColumns
};

} // namespace

ROLLOY_FUNCTION(rolloy_ratio_test_accum) {
    MemoryContext aggregate_context = nullptr;
    if (!AggCheckCallContext(fcinfo, &aggregate_context))
        throw std::runtime_error("ratio_test_accum called outside an aggregate");
    UnitsState *state =
        PG_ARGISNULL(0) ? new_state(aggregate_context) : reinterpret_cast<UnitsState *>(PG_GETARG_POINTER(0));
    if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2) && !PG_ARGISNULL(3)) {
        double denominator = PG_GETARG_FLOAT8(3);
        if (denominator > 0) append(state, PG_GETARG_BOOL(1), PG_GETARG_FLOAT8(2), denominator);
    }
    PG_RETURN_POINTER(state);
}

ROLLOY_FUNCTION(rolloy_ratio_test_final) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const auto *state = reinterpret_cast<const UnitsState *>(PG_GETARG_POINTER(0));
    std::vector<rolloy::insights::RatioUnit> group, rest;
    for (int i = 0; i < state->count; ++i)
        (state->in_group[i] ? group : rest).push_back({state->numerator[i], state->denominator[i]});

    Datum values[kColumns] = {};
    bool nulls[kColumns];
    for (bool &n : nulls)
        n = true;
    auto set = [&](Column c, Datum d) {
        values[c] = d;
        nulls[c] = false;
    };
    rolloy::insights::RatioTestResult result;
    if (group.empty() || rest.empty()) {
        result.status = rolloy::insights::RatioTestStatus::TooFewUnits;
        result.few_units = true;
    } else {
        result = rolloy::insights::ratio_test(group, rest);
        set(kGroupRatio, Float8GetDatum(result.group.ratio));
        set(kRestRatio, Float8GetDatum(result.rest.ratio));
    }
    set(kGroupUnits, Int32GetDatum(static_cast<int32>(group.size())));
    set(kRestUnits, Int32GetDatum(static_cast<int32>(rest.size())));
    set(kFewUnits, BoolGetDatum(result.few_units));
    if (result.test) {
        set(kStdError, Float8GetDatum(result.test->std_error));
        set(kTStatistic, Float8GetDatum(result.test->t_statistic));
        set(kDegreesOfFreedom, Float8GetDatum(result.test->degrees_of_freedom));
        set(kPValue, Float8GetDatum(result.test->p_value));
        set(kConfidence, Float8GetDatum(result.test->confidence));
    }
    const char *status = status_name(result.status);
    Datum *value_slots = values;
    bool *null_slots = nulls;
    return call([fcinfo, status, value_slots, null_slots] {
        TupleDesc descriptor;
        if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("ratio_test_final must return rolloy_internal.ratio_test_result")));
        descriptor = BlessTupleDesc(descriptor);
        if (descriptor->natts != kColumns)
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("rolloy_internal.ratio_test_result has %d columns, the library expects %d",
                                   descriptor->natts, static_cast<int>(kColumns))));
        value_slots[kStatus] = CStringGetTextDatum(status);
        null_slots[kStatus] = false;
        return HeapTupleGetDatum(heap_form_tuple(descriptor, value_slots, null_slots));
    });
}
