// Report dates as exports and spreadsheets write them: ISO "2026-11-27" (Meta, TikTok, Google),
// "2026/11/27", US "11/27/2026" or "11/27/26", day-first "27/11/2026" and "27.11.2026", and
// English month names "Nov 27, 2026", "November 27, 2026", "Fri, Nov 27, 2026", "27 Nov 2026".
// A time of day after the date ("2026-11-27 00:00:00") is ignored. Two-digit years are 20xx.
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::import {

struct Date {
    int year = 0, month = 0, day = 0;

    std::string iso() const; // "2026-11-27"
    friend bool operator==(const Date &a, const Date &b) noexcept {
        return a.year == b.year && a.month == b.month && a.day == b.day;
    }
    friend bool operator!=(const Date &a, const Date &b) noexcept { return !(a == b); }
    friend bool operator<(const Date &a, const Date &b) noexcept {
        if (a.year != b.year) return a.year < b.year;
        if (a.month != b.month) return a.month < b.month;
        return a.day < b.day;
    }
};

bool is_valid_date(int year, int month, int day) noexcept; // a real calendar day, 1900..2999

// How to read "a/b/yyyy": which of a and b is the month.
enum class DateOrder { Auto, MonthFirst, DayFirst };

// What one slashed value says about the order by itself.
enum class SlashEvidence {
    None,       // not an a/b/yyyy date, or one that is no date either way (13/13/2026)
    Ambiguous,  // both a and b <= 12
    DayFirst,   // a > 12, so a is the day
    MonthFirst, // b > 12, so a is the month
};

enum class DateStatus { Ok, Null, Invalid };

struct ParsedDate {
    DateStatus status = DateStatus::Null;
    Date date;
    SlashEvidence evidence = SlashEvidence::None;
    const char *problem = nullptr; // when Invalid, phrased to follow the quoted cell
};

// Auto reads a/b/yyyy month-first unless a > 12; callers that can look at the whole file should
// settle the order first (see ExportParser) and pass it.
ParsedDate parse_date(std::string_view text, DateOrder order) noexcept;

} // namespace rolloy::import
