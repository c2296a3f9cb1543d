#include "core/images/colour_grade.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rolloy::images {
namespace {

// Rec. 709 luma weights: saturation mixes each channel with this grey.
constexpr double kLuma[3] = {0.2126, 0.7152, 0.0722};

// diag(gains) * (contrast around mid-grey) * (saturation), plus a lift of the blacks.
ColourGrade make_grade(std::string_view name, std::array<double, 3> gains, double saturation, double contrast,
                       std::array<double, 3> lift) {
    ColourGrade grade{name, {}, {}};
    for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col) {
            const double mixed = (row == col ? saturation : 0.0) + (1.0 - saturation) * kLuma[col];
            grade.matrix[row * 3 + col] = gains[row] * contrast * mixed;
        }
        grade.offset[row] = gains[row] * 128.0 * (1.0 - contrast) + lift[row];
    }
    return grade;
}

const std::vector<ColourGrade> &grades() {
    static const std::vector<ColourGrade> kGrades = {
        make_grade("warm", {1.08, 1.01, 0.86}, 1.10, 1.03, {6, 2, 0}),
        make_grade("cool", {0.92, 0.99, 1.08}, 0.88, 0.97, {0, 3, 8}),
        make_grade("vivid", {1.0, 1.0, 1.0}, 1.40, 1.12, {0, 0, 0}),
        // The classic sepia matrix: every channel is a warm-tinted weighting of the original.
        ColourGrade{"sepia", {0.393, 0.769, 0.189, 0.349, 0.686, 0.168, 0.272, 0.534, 0.131}, {8, 4, 0}},
        make_grade("soft", {1.0, 1.0, 1.0}, 0.82, 0.82, {14, 12, 12}),
        make_grade("crisp", {1.0, 1.0, 1.02}, 1.04, 1.18, {0, 0, 0}),
        make_grade("fresh", {0.95, 1.05, 1.02}, 1.10, 1.02, {4, 10, 8}),
    };
    return kGrades;
}

const ColourGrade &neutral() {
    static const ColourGrade kNeutral{"neutral", {1, 0, 0, 0, 1, 0, 0, 0, 1}, {0, 0, 0}};
    return kNeutral;
}

const std::vector<std::pair<std::string_view, std::string_view>> &driver_table() {
    static const std::vector<std::pair<std::string_view, std::string_view>> kTable = {
        {"JOY", "warm"},        {"HAPPY", "warm"},       {"FUN", "warm"},           {"LOVE", "warm"},
        {"BELONG", "warm"},     {"BELONGING", "warm"},   {"CONNECT", "warm"},       {"CONNECTION", "warm"},
        {"FAMILY", "warm"},     {"TOGETHER", "warm"},    {"WARMTH", "warm"},        {"CALM", "cool"},
        {"PEACE", "cool"},      {"SERENE", "cool"},      {"SERENITY", "cool"},      {"RELAX", "cool"},
        {"SAFE", "cool"},       {"SAFETY", "cool"},      {"TRUST", "cool"},         {"SECURE", "cool"},
        {"SECURITY", "cool"},   {"ENERGY", "vivid"},     {"ENER", "vivid"},         {"ACTIVE", "vivid"},
        {"ADVENTURE", "vivid"}, {"ADV", "vivid"},        {"FREEDOM", "vivid"},      {"FREE", "vivid"},
        {"EXCITE", "vivid"},    {"EXCITEMENT", "vivid"}, {"VITALITY", "vivid"},     {"NOSTALGIA", "sepia"},
        {"NOST", "sepia"},      {"MEMORY", "sepia"},     {"MEMORIES", "sepia"},     {"HERITAGE", "sepia"},
        {"TRADITION", "sepia"}, {"LEGACY", "sepia"},     {"CARE", "soft"},          {"COMFORT", "soft"},
        {"GENTLE", "soft"},     {"TENDER", "soft"},      {"EMPATHY", "soft"},       {"CONFIDENCE", "crisp"},
        {"CONF", "crisp"},      {"PRIDE", "crisp"},      {"INDEPENDENCE", "crisp"}, {"INDEP", "crisp"},
        {"DIGNITY", "crisp"},   {"STRENGTH", "crisp"},   {"EMPOWER", "crisp"},      {"EMPOWERMENT", "crisp"},
        {"HOPE", "fresh"},      {"HEALTH", "fresh"},     {"RENEW", "fresh"},        {"RENEWAL", "fresh"},
        {"GROWTH", "fresh"},    {"OPTIMISM", "fresh"},   {"FRESH", "fresh"},
    };
    return kTable;
}

const ColourGrade &grade_named(std::string_view name) {
    for (const ColourGrade &grade : grades())
        if (grade.name == name) return grade;
    return neutral();
}

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

} // namespace

const ColourGrade &grade_for_driver(std::string_view driver_code) {
    std::string code;
    for (char c : driver_code)
        if (c != ' ' && c != '\t') code.push_back((c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c);
    if (code.empty()) return neutral();
    for (const auto &[driver, grade] : driver_table())
        if (driver == code) return grade_named(grade);
    return grades()[fnv1a(code) % grades().size()];
}

} // namespace rolloy::images
