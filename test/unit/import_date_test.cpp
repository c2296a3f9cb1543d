#include "core/import/date_parse.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

std::string date(std::string_view text, DateOrder order = DateOrder::Auto) {
    ParsedDate d = parse_date(text, order);
    if (d.status == DateStatus::Null) return "null";
    if (d.status == DateStatus::Invalid) return std::string("invalid: ") + d.problem;
    return d.date.iso();
}

TEST(ImportDate, IsoAndYearFirst) {
    EXPECT_EQ(date("2026-11-27"), "2026-11-27");
    EXPECT_EQ(date(" 2026-11-27 "), "2026-11-27");
    EXPECT_EQ(date("2026/11/27"), "2026-11-27");
    EXPECT_EQ(date("2026.11.27"), "2026-11-27");
    EXPECT_EQ(date("2026-1-5"), "2026-01-05");
    EXPECT_EQ(date("2026-11-27 00:00:00"), "2026-11-27");
    EXPECT_EQ(date("2026-11-27T13:45:00Z"), "2026-11-27");
}

TEST(ImportDate, SlashedUsAndDayFirst) {
    EXPECT_EQ(date("11/27/2026"), "2026-11-27");
    EXPECT_EQ(date("11/27/26"), "2026-11-27");
    EXPECT_EQ(date("27/11/2026"), "2026-11-27"); // Auto: 27 cannot be a month
    EXPECT_EQ(date("03/04/2026"), "2026-03-04"); // Auto: month first
    EXPECT_EQ(date("03/04/2026", DateOrder::DayFirst), "2026-04-03");
    EXPECT_EQ(date("03/04/2026", DateOrder::MonthFirst), "2026-03-04");
    EXPECT_EQ(date("27.11.2026"), "2026-11-27"); // dotted: always day first
    EXPECT_EQ(date("11-27-2026"), "2026-11-27");
    EXPECT_EQ(date("11/27/2026 12:00 AM"), "2026-11-27");
}

TEST(ImportDate, SlashedOrderConflicts) {
    EXPECT_EQ(date("27/11/2026", DateOrder::MonthFirst),
              "invalid: is not a month-first date (MM/DD/YYYY) like the other dates of this file");
    EXPECT_EQ(date("11/27/2026", DateOrder::DayFirst),
              "invalid: is not a day-first date (DD/MM/YYYY) like the other dates of this file");
}

TEST(ImportDate, SlashEvidence) {
    EXPECT_EQ(parse_date("27/11/2026", DateOrder::Auto).evidence, SlashEvidence::DayFirst);
    EXPECT_EQ(parse_date("11/27/2026", DateOrder::Auto).evidence, SlashEvidence::MonthFirst);
    EXPECT_EQ(parse_date("03/04/2026", DateOrder::Auto).evidence, SlashEvidence::Ambiguous);
    EXPECT_EQ(parse_date("2026-11-27", DateOrder::Auto).evidence, SlashEvidence::None);
    EXPECT_EQ(parse_date("27.11.2026", DateOrder::Auto).evidence, SlashEvidence::None);
}

TEST(ImportDate, MonthNames) {
    EXPECT_EQ(date("Nov 27, 2026"), "2026-11-27");
    EXPECT_EQ(date("November 27, 2026"), "2026-11-27");
    EXPECT_EQ(date("Fri, Nov 27, 2026"), "2026-11-27");
    EXPECT_EQ(date("Friday, November 27, 2026"), "2026-11-27");
    EXPECT_EQ(date("27 Nov 2026"), "2026-11-27");
    EXPECT_EQ(date("Sept. 3, 2026"), "2026-09-03");
    EXPECT_EQ(date("nov 27 2026"), "2026-11-27");
    EXPECT_EQ(date("May 1, 2026"), "2026-05-01");
}

TEST(ImportDate, ImpossibleDates) {
    EXPECT_EQ(date("2026-02-30"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("2026-13-01"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("2026-00-10"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("2026-04-31"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("Feb 29, 2026"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("13/13/2026"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("1899-12-31"), "invalid: is not a real calendar date");
    EXPECT_EQ(date("2028-02-29"), "2028-02-29"); // leap year
    EXPECT_EQ(date("2000-02-29"), "2000-02-29");
    EXPECT_EQ(date("2100-02-29"), "invalid: is not a real calendar date");
}

TEST(ImportDate, NotDates) {
    EXPECT_EQ(date(""), "null");
    EXPECT_EQ(date("--"), "null");
    for (const char *s : {"yesterday", "20261127", "2026-11", "Nov 2026", "Foo 27, 2026", "2026 11 27",
                          "11/27", "11/27/202", "1/2/3/4", "/11/27/2026", "Nov 27, 26", "2026-11-27x"})
        EXPECT_EQ(date(s), "invalid: is not a date") << s;
}

TEST(ImportDate, Ordering) {
    EXPECT_TRUE((Date{2026, 11, 27}) < (Date{2026, 12, 1}));
    EXPECT_TRUE((Date{2026, 11, 27}) == (Date{2026, 11, 27}));
    EXPECT_EQ((Date{987, 1, 2}).iso(), "0987-01-02");
}

} // namespace
} // namespace rolloy::import
