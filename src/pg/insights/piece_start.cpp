// rolloy_internal._piece_start(day date) -> date: the first day of the insight rollup's piece
// that holds the day (62_insight_rollup.sql): a piece is the days of one ISO week within one
// calendar month, so it starts on the later of the week's Monday and the month's first day.
//
// In C because a rebuild of the rollup computes it for every fact: in SQL, the month's first day
// goes through date_part() on a timestamp (≈ 450 instructions a fact, 3 % of a full refresh).
// Grouping the facts by the piece's start alone, the week and month are derived per piece
// afterwards. Infinite dates are returned as they are (no fact has one: imports check).
#include "pg/common/guard.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
}

namespace {

// 2000-01-03, a Monday, as a DateADT (days since 2000-01-01).
constexpr DateADT kMonday = 2;

DateADT piece_start(DateADT day) {
    const DateADT into_week = ((day - kMonday) % 7 + 7) % 7;
    int year, month, day_of_month;
    j2date(day + POSTGRES_EPOCH_JDATE, &year, &month, &day_of_month);
    const DateADT week_start = day - into_week;
    const DateADT month_start = day - (day_of_month - 1);
    return week_start > month_start ? week_start : month_start;
}

} // namespace

// Plain arithmetic: no Postgres call that can raise, no C++ that can throw.
ROLLOY_FUNCTION(rolloy_piece_start) {
    const DateADT day = PG_GETARG_DATEADT(0);
    if (DATE_NOT_FINITE(day)) PG_RETURN_DATEADT(day);
    PG_RETURN_DATEADT(piece_start(day));
}
