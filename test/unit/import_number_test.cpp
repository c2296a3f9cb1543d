#include "core/import/number_parse.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

// The exact decimal text of a parsed value, "null", or "invalid: <reason>".
std::string num(std::string_view text, DecimalMark mark = DecimalMark::Dot) {
    ParsedNumber n = parse_number(text, mark);
    if (n.status == NumberStatus::Null) return "null";
    if (n.status == NumberStatus::Invalid) return std::string("invalid: ") + n.problem;
    return n.value.to_string() + (n.percent ? "%" : "");
}

TEST(ImportNumber, PlainAndGrouped) {
    EXPECT_EQ(num("21997"), "21997");
    EXPECT_EQ(num("159.51"), "159.51");
    EXPECT_EQ(num("1,234"), "1234");
    EXPECT_EQ(num("1,234,567.89"), "1234567.89");
    EXPECT_EQ(num(" 12 "), "12");
    EXPECT_EQ(num("\u00A012\u00A0"), "12");
    EXPECT_EQ(num("+7"), "7");
    EXPECT_EQ(num(".5"), "0.5");
    EXPECT_EQ(num("5."), "5");
    EXPECT_EQ(num("1,234.0"), "1234");
}

TEST(ImportNumber, NullForms) {
    for (const char *s : {"", "  ", "-", "--", " -- ", "\u2014", "\u2013"})
        EXPECT_EQ(num(s), "null") << s;
}

TEST(ImportNumber, EuropeanForms) {
    EXPECT_EQ(num("1.234,56", DecimalMark::Comma), "1234.56");
    EXPECT_EQ(num("1.234,56", DecimalMark::Dot), "1234.56"); // both marks: the last is decimal
    EXPECT_EQ(num("1 234,56", DecimalMark::Comma), "1234.56");
    EXPECT_EQ(num("1\u00A0234,56", DecimalMark::Comma), "1234.56");
    EXPECT_EQ(num("1\u202F234,56", DecimalMark::Comma), "1234.56"); // narrow no-break space (French)
    EXPECT_EQ(num("12,5", DecimalMark::Comma), "12.5");
    EXPECT_EQ(num("1.234", DecimalMark::Comma), "1234"); // thousands in a comma file
    EXPECT_EQ(num("1.234.567", DecimalMark::Comma), "1234567");
    EXPECT_EQ(num("1,234", DecimalMark::Comma), "1.234"); // decimal in a comma file
    EXPECT_EQ(num("1.5", DecimalMark::Comma), "1.5");     // not a thousands group: decimal
    EXPECT_EQ(num("0,19", DecimalMark::Dot), "0.19");     // Russian-locale Google export
    EXPECT_EQ(num("9,38%", DecimalMark::Dot), "9.38%");
    EXPECT_EQ(num("1.234", DecimalMark::Dot), "1.234");
    EXPECT_EQ(num("1.234.567", DecimalMark::Dot), "1234567");
}

TEST(ImportNumber, CurrencyAndSigns) {
    EXPECT_EQ(num("$5.00"), "5");
    EXPECT_EQ(num("€5"), "5");
    EXPECT_EQ(num("5 €"), "5");
    EXPECT_EQ(num("5,00 €", DecimalMark::Comma), "5");
    EXPECT_EQ(num("USD 5.00"), "5");
    EXPECT_EQ(num("5.00 USD"), "5");
    EXPECT_EQ(num("US$1,234.50"), "1234.5");
    EXPECT_EQ(num("(5.00)"), "-5");
    EXPECT_EQ(num("($5.00)"), "-5");
    EXPECT_EQ(num("-$5.00"), "-5");
    EXPECT_EQ(num("$-5.00"), "-5");
    EXPECT_EQ(num("-5"), "-5");
    EXPECT_EQ(num("£0.99"), "0.99");

    ParsedNumber usd = parse_number("USD 5.00", DecimalMark::Dot);
    EXPECT_TRUE(usd.money);
    EXPECT_EQ(usd.currency, "USD");
    EXPECT_EQ(parse_number("€5", DecimalMark::Dot).currency, "EUR");
    EXPECT_EQ(parse_number("CA$5", DecimalMark::Dot).currency, "CAD");
    ParsedNumber dollar = parse_number("$5", DecimalMark::Dot);
    EXPECT_TRUE(dollar.money);
    EXPECT_EQ(dollar.currency, ""); // "$" alone names no currency
    EXPECT_FALSE(parse_number("5", DecimalMark::Dot).money);
}

TEST(ImportNumber, Percentages) {
    EXPECT_EQ(num("1.2%"), "1.2%");
    EXPECT_EQ(num("2.96 %"), "2.96%");
    EXPECT_EQ(num("-3%"), "-3%");
}

TEST(ImportNumber, Garbage) {
    EXPECT_EQ(num("12abc"), "invalid: is not a number");
    EXPECT_EQ(num("abc"), "invalid: is not a number");
    EXPECT_EQ(num("$"), "invalid: is not a number");
    EXPECT_EQ(num("%"), "invalid: is not a number");
    EXPECT_EQ(num("1.20253E+17"), "invalid: uses scientific notation (a spreadsheet reformatted it)");
    EXPECT_EQ(num("5e3"), "invalid: uses scientific notation (a spreadsheet reformatted it)");
    EXPECT_EQ(num("1,23,4"), "invalid: has misplaced separators");
    EXPECT_EQ(num("1.234.5,6,7"), "invalid: has misplaced separators");
    EXPECT_EQ(num("12 34"), "invalid: has misplaced separators");
    EXPECT_EQ(num("1.2.3,4", DecimalMark::Comma), "invalid: has misplaced separators");
    EXPECT_EQ(num("< 10%"), "invalid: is not a number");
    EXPECT_EQ(num("99999999999999"), "invalid: is too large");
    EXPECT_EQ(num(std::string(70, '1')), "invalid: is too long to be a number");
    EXPECT_EQ(num("NaN"), "invalid: is not a number");
}

TEST(ImportNumber, ExactDecimalsRoundHalfAwayAtTheMicro) {
    EXPECT_EQ(num("0.000001"), "0.000001");
    EXPECT_EQ(num("0.0000005"), "0.000001");
    EXPECT_EQ(num("0.00000049"), "0");
    EXPECT_EQ(num("-0.0000005"), "-0.000001");
    EXPECT_EQ(num("2.123456789"), "2.123457");
    EXPECT_EQ(num("9000000000000.5"), "9000000000000.5");
    Decimal d;
    d.micros = INT64_MIN;
    EXPECT_EQ(d.to_string(), "-9223372036854.775808");
}

TEST(ImportNumber, Multiply) {
    Decimal p;
    ASSERT_TRUE(multiply(Decimal{3500000}, Decimal{25000000}, p)); // 3.5 x 25
    EXPECT_EQ(p.to_string(), "87.5");
    ASSERT_TRUE(multiply(Decimal{2123457}, Decimal{70350000}, p)); // 2.123457 x 70.35
    EXPECT_EQ(p.to_string(), "149.3852");                          // 149.38519995 rounded at the micro
}

TEST(ImportNumber, Counts) {
    std::optional<std::int64_t> v;
    EXPECT_EQ(read_count("1,234", DecimalMark::Dot, v), nullptr);
    EXPECT_EQ(*v, 1234);
    EXPECT_EQ(read_count("1,234.0", DecimalMark::Dot, v), nullptr);
    EXPECT_EQ(*v, 1234);
    EXPECT_EQ(read_count("--", DecimalMark::Dot, v), nullptr);
    EXPECT_FALSE(v.has_value());
    EXPECT_EQ(read_count("", DecimalMark::Dot, v), nullptr);
    EXPECT_FALSE(v.has_value());
    EXPECT_STREQ(read_count("12.5", DecimalMark::Dot, v), "is not a whole number");
    EXPECT_STREQ(read_count("-3", DecimalMark::Dot, v), "is negative");
    EXPECT_STREQ(read_count("3%", DecimalMark::Dot, v), "is a percentage, not a count");
    EXPECT_STREQ(read_count("$3", DecimalMark::Dot, v), "is a money amount, not a count");
    EXPECT_STREQ(read_count("12abc", DecimalMark::Dot, v), "is not a number");
}

TEST(ImportNumber, AmountsQuantitiesRatios) {
    std::optional<Decimal> v;
    std::string_view currency;
    EXPECT_EQ(read_amount("USD 5.00", DecimalMark::Dot, v, currency), nullptr);
    EXPECT_EQ(v->to_string(), "5");
    EXPECT_EQ(currency, "USD");
    EXPECT_EQ(read_amount("(5.00)", DecimalMark::Dot, v, currency), nullptr);
    EXPECT_EQ(v->micros, -5000000); // the row check rejects negative spend
    EXPECT_STREQ(read_amount("5%", DecimalMark::Dot, v, currency), "is a percentage, not an amount");

    EXPECT_EQ(read_quantity("2.50", DecimalMark::Dot, v), nullptr);
    EXPECT_EQ(v->to_string(), "2.5");
    EXPECT_STREQ(read_quantity("-1", DecimalMark::Dot, v), "is negative");
    EXPECT_STREQ(read_quantity("$1", DecimalMark::Dot, v), "is a money amount, not a number of conversions");
    EXPECT_STREQ(read_quantity("1%", DecimalMark::Dot, v), "is a percentage, not a number of conversions");

    EXPECT_EQ(read_ratio("250%", DecimalMark::Dot, v), nullptr);
    EXPECT_EQ(v->to_string(), "2.5");
    EXPECT_EQ(read_ratio("4.06061", DecimalMark::Dot, v), nullptr);
    EXPECT_EQ(v->to_string(), "4.06061");
    EXPECT_STREQ(read_ratio("$2", DecimalMark::Dot, v), "is a money amount, not a ratio");
    EXPECT_STREQ(read_ratio("-2", DecimalMark::Dot, v), "is negative");
}

TEST(ImportNumber, DecimalMarkEvidence) {
    EXPECT_EQ(decimal_mark_evidence("0,85"), DecimalMark::Comma);
    EXPECT_EQ(decimal_mark_evidence("1.234,56"), DecimalMark::Comma);
    EXPECT_EQ(decimal_mark_evidence("3,00%"), DecimalMark::Comma);
    EXPECT_EQ(decimal_mark_evidence("31.45"), DecimalMark::Dot);
    EXPECT_EQ(decimal_mark_evidence("$1,234.56"), DecimalMark::Dot);
    EXPECT_EQ(decimal_mark_evidence("1.5"), DecimalMark::Dot);
    EXPECT_EQ(decimal_mark_evidence("1,234"), std::nullopt);
    EXPECT_EQ(decimal_mark_evidence("1.234"), std::nullopt);
    EXPECT_EQ(decimal_mark_evidence("1,234,567"), std::nullopt);
    EXPECT_EQ(decimal_mark_evidence("980"), std::nullopt);
    EXPECT_EQ(decimal_mark_evidence("--"), std::nullopt);
    EXPECT_EQ(decimal_mark_evidence("."), std::nullopt);
}

} // namespace
} // namespace rolloy::import
