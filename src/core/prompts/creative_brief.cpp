#include "core/prompts/creative_brief.hpp"

#include "core/common/error.hpp"

#include <cctype>

namespace rolloy::prompts {
namespace {

const char *const kAudience = "an active, well-dressed senior aged 55 to 75";
const char *const kProduct = "a premium lightweight rollator walker (matte graphite frame, large soft wheels, padded seat)";

std::string product_clause(const std::string &state) {
    if (state == "folded") return "the rollator folded flat and compact";
    if (state == "both") return "the rollator shown folding, compact yet ready to unfold";
    return "the rollator unfolded and in use, both hands relaxed on the handles";
}

std::string join(const std::vector<std::string> &words, const char *sep) {
    std::string out;
    for (const std::string &w : words) {
        if (w.empty()) continue;
        if (!out.empty()) out += sep;
        out += w;
    }
    return out;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

std::string without_final_period(std::string s) {
    while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
    return s;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

PromptMessages build_prompt_request(const CreativeBrief &b) {
    PromptMessages m;
    m.system =
        "You write image-generation prompts for Flux and Gemini image models for a direct-to-consumer brand of "
        "premium rollator walkers. The audience is active seniors aged 55 to 75 who value independence, style "
        "and safety; never show frailty, hospitals or pity. The image is an edit of a product reference photo: "
        "keep the walker's exact design, colour and proportions. Write ONE prompt of 60 to 120 words in English, "
        "present tense, concrete and visual: subject and action, the walker's state, setting, light, camera and "
        "lens, composition for the given aspect ratio, mood. No lists, no quotes, no hashtags, no text overlays, "
        "no brand names. Answer with the prompt only.";
    m.user = "Scene: " + b.scene_category + " / " + b.scene + (b.scene_description.empty() ? "" : " — " + b.scene_description) +
             "\nAction: " + b.action + (b.action_description.empty() ? "" : " — " + b.action_description) +
             "\nWalker state: " + b.product_state + "\nEmotional driver: " + b.driver_emotion +
             (b.driver_description.empty() ? "" : " — " + b.driver_description) +
             "\nKeywords: " + join(b.driver_keywords, ", ") + "\nFormat: " + b.format_name +
             (b.format_description.empty() ? "" : " — " + b.format_description) + "\nAspect ratio: " + b.aspect_ratio;
    return m;
}

std::string compose_template_prompt(const CreativeBrief &b) {
    std::string action = b.action_description.empty() ? lower_first(b.action) : lower_first(without_final_period(b.action_description));
    std::string scene = b.scene_description.empty() ? lower_first(b.scene) : lower_first(without_final_period(b.scene_description));
    std::string prompt = std::string("Photorealistic ") + lower_first(b.format_name) + " image of " + kAudience + " who " +
                         action + ", with " + kProduct + ", " + product_clause(b.product_state) + ". Setting: " + scene +
                         ". Mood: " + lower_first(b.driver_emotion);
    std::string keywords = join(b.driver_keywords, ", ");
    if (!keywords.empty()) prompt += " — " + keywords;
    prompt += ". ";
    if (!b.format_description.empty()) prompt += without_final_period(b.format_description) + ". ";
    prompt += "Natural skin texture, genuine expression, true-to-life colours, the walker's design exactly as in the "
              "reference photo, sharp focus on person and walker, " +
              (b.aspect_ratio.empty() ? std::string("1:1") : b.aspect_ratio) +
              " composition, 35mm lens, soft natural light, no text, no logos.";
    return prompt;
}

std::string clean_model_prompt(const std::string &text, std::size_t max_chars) {
    std::string s;
    // Drop code-fence lines (``` or ```text).
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        size_t first = line.find_first_not_of(" \t\r");
        if (!(first != std::string::npos && line.compare(first, 3, "```") == 0)) s += line + "\n";
        start = end + 1;
    }
    // Fold whitespace.
    std::string folded;
    for (char c : s) {
        if (is_space(c)) {
            if (!folded.empty() && folded.back() != ' ') folded.push_back(' ');
        } else {
            folded.push_back(c);
        }
    }
    while (!folded.empty() && folded.back() == ' ') folded.pop_back();
    // A leading "Prompt:" label, then surrounding quotes.
    for (const char *label : {"Prompt:", "prompt:", "PROMPT:"}) {
        if (folded.rfind(label, 0) == 0) {
            folded.erase(0, std::string(label).size());
            while (!folded.empty() && folded.front() == ' ') folded.erase(0, 1);
        }
    }
    while (folded.size() >= 2 && (folded.front() == '"' || folded.front() == '\'' || folded.front() == '*') &&
           folded.back() == folded.front()) {
        folded = folded.substr(1, folded.size() - 2);
    }
    if (folded.size() > max_chars) {
        size_t cut = folded.rfind(' ', max_chars);
        folded = folded.substr(0, cut == std::string::npos || cut < max_chars / 2 ? max_chars : cut);
    }
    if (folded.size() < 10)
        throw Error(ErrorKind::ExternalService, "the model returned no usable prompt",
                    "Answer after cleaning: \"" + folded + "\"");
    return folded;
}

}  // namespace rolloy::prompts
