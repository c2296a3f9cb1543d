#include "core/providers/registry.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

TEST(Registry, FindsProvidersByName) {
    ASSERT_NE(find_text_provider("gemini"), nullptr);
    EXPECT_EQ(find_text_provider("gemini")->name(), "gemini");
    ASSERT_NE(find_image_provider("gemini"), nullptr);
    ASSERT_NE(find_image_provider("fal"), nullptr);
    EXPECT_EQ(find_image_provider("fal")->name(), "fal");
    EXPECT_EQ(find_image_provider("nope"), nullptr);
    EXPECT_EQ(find_text_provider("fal"), nullptr);
}

TEST(Registry, ListsNames) {
    EXPECT_EQ(text_provider_names(), (std::vector<std::string_view>{"gemini"}));
    EXPECT_EQ(image_provider_names(), (std::vector<std::string_view>{"gemini", "fal"}));
}

} // namespace
} // namespace rolloy::providers
