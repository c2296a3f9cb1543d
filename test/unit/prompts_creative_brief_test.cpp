#include "core/prompts/creative_brief.hpp"

#include "core/common/error.hpp"

#include <gtest/gtest.h>

using namespace rolloy::prompts;

namespace {
CreativeBrief park_walk() {
    CreativeBrief b;
    b.scene_category = "Outdoor";
    b.scene = "City park";
    b.scene_description = "A green city park with wide paved paths.";
    b.action = "Walking";
    b.action_description = "Walks upright at an easy pace, both hands on the handles.";
    b.product_state = "expanded";
    b.driver_emotion = "Joy";
    b.driver_keywords = {"laughter", "sunshine"};
    b.format_name = "User-generated look";
    b.format_description = "Candid smartphone-style shot.";
    b.aspect_ratio = "4:5";
    return b;
}
}  // namespace

TEST(TemplatePrompt, UsesEveryPartOfTheBrief) {
    std::string p = compose_template_prompt(park_walk());
    for (const char *part : {"user-generated look", "walks upright at an easy pace", "a green city park",
                             "joy — laughter, sunshine", "unfolded and in use", "4:5 composition", "55 to 75"})
        EXPECT_NE(p.find(part), std::string::npos) << part << "\n" << p;
}

TEST(TemplatePrompt, IsDeterministicAndFollowsTheProductState) {
    CreativeBrief b = park_walk();
    EXPECT_EQ(compose_template_prompt(b), compose_template_prompt(b));
    b.product_state = "folded";
    EXPECT_NE(compose_template_prompt(b).find("folded flat and compact"), std::string::npos);
}

TEST(PromptRequest, CarriesTheBriefAndTheAudience) {
    PromptMessages m = build_prompt_request(park_walk());
    EXPECT_NE(m.system.find("55 to 75"), std::string::npos);
    EXPECT_NE(m.user.find("Walker state: expanded"), std::string::npos);
    EXPECT_NE(m.user.find("Keywords: laughter, sunshine"), std::string::npos);
    EXPECT_NE(m.user.find("Aspect ratio: 4:5"), std::string::npos);
}

TEST(CleanModelPrompt, StripsFencesLabelsQuotesAndWhitespace) {
    EXPECT_EQ(clean_model_prompt("```\nPrompt: \"A senior walks in a park.\"\n```\n"), "A senior walks in a park.");
    EXPECT_EQ(clean_model_prompt("  A senior\n\n walks   in a park.  "), "A senior walks in a park.");
}

TEST(CleanModelPrompt, CapsLengthOnAWordBoundary) {
    std::string long_text;
    for (int i = 0; i < 400; ++i) long_text += "word ";
    std::string cleaned = clean_model_prompt(long_text, 100);
    EXPECT_LE(cleaned.size(), 100u);
    EXPECT_EQ(cleaned.back(), 'd');
}

TEST(CleanModelPrompt, RefusesEmptyAnswers) {
    EXPECT_THROW(clean_model_prompt(""), rolloy::Error);
    EXPECT_THROW(clean_model_prompt("```\n```"), rolloy::Error);
}
