#include "core/providers/cost.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

TEST(Cost, TextTokensAtInputAndOutputRates) {
    Outcome o;
    o.kind = OutcomeKind::Success;
    o.tokens_in = 1'000'000;
    o.tokens_out = 83; // thoughts included
    EXPECT_NEAR(cost_usd({0.30, 2.50, 0, 0}, o), 0.30 + 83 * 2.50 / 1e6, 1e-12);
}

TEST(Cost, NanoBananaImageIsAbout4Cents) {
    Outcome o;
    o.kind = OutcomeKind::Success;
    o.tokens_in = 267;
    o.tokens_out = 1290;
    o.image = "png";
    EXPECT_NEAR(cost_usd({0.30, 30.0, 0, 0}, o), 0.0388, 0.0001);
}

TEST(Cost, FalChargesStartedMegapixelsOfSuccessesOnly) {
    Outcome o;
    o.kind = OutcomeKind::Success;
    o.image = "jpeg";
    o.image_width = 1024;
    o.image_height = 768; // 0.79 MP -> 1
    const Price fal{0, 0, 0, 0.025};
    EXPECT_DOUBLE_EQ(cost_usd(fal, o), 0.025);
    o.image_width = 1536;
    o.image_height = 1024; // 1.57 MP -> 2
    EXPECT_DOUBLE_EQ(cost_usd(fal, o), 0.05);
    o.image_width = 0; // unknown size: one megapixel
    EXPECT_DOUBLE_EQ(cost_usd(fal, o), 0.025);
    o.kind = OutcomeKind::Permanent;
    EXPECT_DOUBLE_EQ(cost_usd(fal, o), 0.0);
}

} // namespace
} // namespace rolloy::providers
