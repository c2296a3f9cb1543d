#include "core/common/error.hpp"
#include "core/providers/json.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

TEST(JsonDumpWithVerbatim, SplicesTheTextWhereThePlaceholderIs) {
    const std::string placeholder = json::verbatim_placeholder();
    json::Ptr body(json::object());
    json::set(body.get(), "before", json::string("a \"quoted\" word"));
    json::set(body.get(), "data", json::string(placeholder));
    json::set(body.get(), "after", json_integer(7));
    const std::string text = json::dump_with_verbatim(body.get(), placeholder, "QUJD+/=");
    EXPECT_EQ(text, R"({"before":"a \"quoted\" word","data":"QUJD+/=","after":7})");
}

TEST(JsonDumpWithVerbatim, EscapesWhatJsonNeedsEscaped) {
    const std::string placeholder = json::verbatim_placeholder();
    json::Ptr body(json::object());
    json::set(body.get(), "v", json::string(placeholder));
    const std::string odd = std::string("q\"b\\c\n") + '\x01' + "end";
    const std::string text = json::dump_with_verbatim(body.get(), placeholder, odd);
    const json::Ptr parsed = json::parse(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(json::get_string(parsed.get(), {"v"}), odd);
}

TEST(JsonDumpWithVerbatim, RefusesAMissingOrRepeatedPlaceholder) {
    const std::string placeholder = json::verbatim_placeholder();
    json::Ptr none(json::object());
    json::set(none.get(), "v", json::string("nothing here"));
    EXPECT_THROW(json::dump_with_verbatim(none.get(), placeholder, "x"), Error);
    json::Ptr twice(json::object());
    json::set(twice.get(), "a", json::string(placeholder));
    json::set(twice.get(), "b", json::string(placeholder));
    EXPECT_THROW(json::dump_with_verbatim(twice.get(), placeholder, "x"), Error);
}

TEST(JsonDumpWithVerbatim, PlaceholdersDifferPerCall) {
    EXPECT_NE(json::verbatim_placeholder(), json::verbatim_placeholder());
}

} // namespace
} // namespace rolloy::providers
