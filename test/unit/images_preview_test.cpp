#include "core/common/error.hpp"
#include "core/images/colour_grade.hpp"
#include "core/images/preview.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace rolloy;
using namespace rolloy::images;

namespace {

const std::string &reference() {
    static const std::string bytes = test_images::make_image(1200, 900, ".jpg[Q=90]");
    return bytes;
}

PreviewSpec spec_with(std::uint64_t seed, const std::string &driver = "JOY",
                      const std::string &ratio = "1:1") {
    PreviewSpec spec;
    spec.aspect_ratio = ratio;
    spec.driver_code = driver;
    spec.caption = "smiling · senior · walking · rollator";
    spec.seed = seed;
    return spec;
}

} // namespace

TEST(ImagesPreview, ParsesAspectRatios) {
    EXPECT_EQ(parse_aspect_ratio("4:5").width, 4);
    EXPECT_EQ(parse_aspect_ratio("4:5").height, 5);
    EXPECT_EQ(parse_aspect_ratio(" 16x9 ").width, 16);
    EXPECT_EQ(parse_aspect_ratio("9/16").height, 16);
    for (const char *bad : {"", "1", "1:", ":1", "0:1", "a:b", "1:1:1", "101:100", "1:5", "-1:1", "1.5:1"})
        EXPECT_THROW(parse_aspect_ratio(bad), Error) << bad;
}

TEST(ImagesPreview, OutputSizeFollowsTheFormat) {
    struct Case {
        const char *ratio;
        int width, height;
    } cases[] = {{"1:1", 1024, 1024}, {"4:5", 819, 1024}, {"9:16", 576, 1024}, {"16:9", 1024, 576}};
    for (const Case &c : cases) {
        SCOPED_TRACE(c.ratio);
        const std::string jpeg = render_preview(reference(), spec_with(1, "CALM", c.ratio));
        const auto size = test_images::image_size(jpeg);
        EXPECT_EQ(size.width, c.width);
        EXPECT_EQ(size.height, c.height);
        EXPECT_TRUE(test_images::is_progressive_jpeg(jpeg));
    }
    PreviewSpec small = spec_with(1);
    small.long_side = 200;
    EXPECT_EQ(test_images::image_size(render_preview(reference(), small)).width, 200);
    small.long_side = 10;
    EXPECT_THROW(render_preview(reference(), small), Error);
}

TEST(ImagesPreview, SameInputsAndSeedGiveIdenticalBytes) {
    const std::string first = render_preview(reference(), spec_with(42));
    EXPECT_EQ(render_preview(reference(), spec_with(42)), first);
    std::string from_thread;
    std::thread([&] { from_thread = render_preview(reference(), spec_with(42)); }).join();
    EXPECT_EQ(from_thread, first);
}

TEST(ImagesPreview, DifferentSeedsGiveVisiblyDifferentImages) {
    std::vector<std::string> previews;
    for (std::uint64_t seed : {0ull, 1ull, 2ull, 3ull, 0xFFFFFFFFFFFFFFFFull}) {
        previews.push_back(render_preview(reference(), spec_with(seed)));
    }
    for (std::size_t i = 0; i < previews.size(); ++i)
        for (std::size_t j = i + 1; j < previews.size(); ++j)
            EXPECT_GT(test_images::mean_abs_difference(previews[i], previews[j]), 4.0) << i << " vs " << j;
}

TEST(ImagesPreview, DriversPickGrades) {
    EXPECT_EQ(grade_for_driver("JOY").name, "warm");
    EXPECT_EQ(grade_for_driver("joy").name, "warm");
    EXPECT_EQ(grade_for_driver("CALM").name, "cool");
    EXPECT_EQ(grade_for_driver("ENERGY").name, "vivid");
    EXPECT_EQ(grade_for_driver("NOST").name, "sepia");
    EXPECT_EQ(grade_for_driver("CARE").name, "soft");
    EXPECT_EQ(grade_for_driver("PRIDE").name, "crisp");
    EXPECT_EQ(grade_for_driver("HOPE").name, "fresh");
    EXPECT_EQ(grade_for_driver("").name, "neutral");
    // Unknown codes: a stable, non-neutral grade, spread over the table.
    std::set<std::string_view> seen;
    for (const char *code :
         {"ZEST", "AWE", "CURIOSITY", "SURPRISE", "WONDER", "PLAY", "RELIEF", "GRATITUDE"}) {
        EXPECT_NE(grade_for_driver(code).name, "neutral");
        EXPECT_EQ(grade_for_driver(code).name, grade_for_driver(code).name);
        seen.insert(grade_for_driver(code).name);
    }
    EXPECT_GE(seen.size(), 3u);
    // FNV-1a of "ZEST" is pinned so the fallback cannot change silently between releases.
    EXPECT_EQ(grade_for_driver("ZEST").name, grade_for_driver("zest").name);
}

TEST(ImagesPreview, GradesChangeTheLook) {
    const std::string warm = render_preview(reference(), spec_with(7, "JOY"));
    const std::string cool = render_preview(reference(), spec_with(7, "CALM"));
    const std::string sepia = render_preview(reference(), spec_with(7, "NOSTALGIA"));
    EXPECT_GT(test_images::mean_abs_difference(warm, cool), 4.0);
    // Warm has more red relative to blue than cool at the same spot (same seed, same crop).
    const auto w = test_images::pixel(warm, 512, 300), c = test_images::pixel(cool, 512, 300);
    EXPECT_GT(w[0] - w[2], c[0] - c[2]);
    // Sepia: red >= green >= blue everywhere.
    const auto s = test_images::pixel(sepia, 300, 300);
    EXPECT_GE(s[0] + 2, s[1]);
    EXPECT_GE(s[1] + 2, s[2]);
}

TEST(ImagesPreview, CaptionBandDarkensTheBottom) {
    PreviewSpec without = spec_with(5, "");
    without.caption.clear();
    const std::string plain = render_preview(reference(), without);
    const std::string captioned = render_preview(reference(), spec_with(5, ""));
    // Near the left edge of the band there is no text, only the darkened band.
    const auto a = test_images::pixel(plain, 4, 1020), b = test_images::pixel(captioned, 4, 1020);
    EXPECT_LT(b[0] + b[1] + b[2], 0.6 * (a[0] + a[1] + a[2]) + 30);
    // Above the band nothing changes.
    EXPECT_EQ(test_images::pixel(plain, 500, 500), test_images::pixel(captioned, 500, 500));
}

TEST(ImagesPreview, CaptionIsNeverMarkup) {
    PreviewSpec spec = spec_with(9);
    for (const char *caption :
         {"<b>bold</b> & <i>", "unclosed <span", "&amp; &bogus;", " ", "\x01\x02", "bad utf-8 \xFF\xFE",
          "a very long caption that goes on and on and on and on and "
          "on until it cannot possibly fit on one line of the band"}) {
        spec.caption = caption;
        EXPECT_NO_THROW(render_preview(reference(), spec)) << caption;
    }
}

TEST(ImagesPreview, RendersFromALargePhoto) {
    // A 12-megapixel photo gives the preview's own size; how fast is bench/images_bench.cpp's
    // job (a timed assertion here would fail on a loaded machine).
    const std::string photo = test_images::make_image(4000, 3000, ".jpg[Q=90]");
    const std::string jpeg = render_preview(photo, spec_with(2, "ENERGY", "9:16"));
    EXPECT_EQ(test_images::image_size(jpeg).height, 1024);
}

// Runs only inside the child process started by WorksWithoutFonts below.
TEST(ImagesPreviewNoFonts, RendersCaption) {
    if (!std::getenv("ROLLOY_TEST_NO_FONTS")) GTEST_SKIP() << "runs in a child process without fonts";
    const std::string jpeg = render_preview(reference(), spec_with(3));
    EXPECT_EQ(test_images::image_size(jpeg).width, 1024);
    std::cout << "rendered without fonts: " << jpeg.size() << " bytes" << std::endl;
}

TEST(ImagesPreview, WorksWithoutFonts) {
    // Fontconfig reads its configuration once per process, so run a child process of this test
    // binary with a configuration that lists no font directories.
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ASSERT_GT(n, 0);
    exe[n] = '\0';
    char dir_template[] = "/tmp/rolloy_nofonts_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template;
    std::ofstream(dir + "/fonts.conf")
        << "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
        << "<fontconfig><cachedir>" << dir << "/cache</cachedir></fontconfig>\n";
    const std::string command =
        "FONTCONFIG_FILE='" + dir + "/fonts.conf' ROLLOY_TEST_NO_FONTS=1 '" + std::string(exe) +
        "' --gtest_filter=ImagesPreviewNoFonts.RendersCaption > '" + dir + "/out.txt' 2>&1";
    const int status = std::system(command.c_str());
    std::stringstream output;
    output << std::ifstream(dir + "/out.txt").rdbuf();
    std::system(("rm -rf '" + dir + "'").c_str());
    EXPECT_EQ(status, 0) << output.str();
    EXPECT_NE(output.str().find("rendered without fonts"), std::string::npos) << output.str();
}
