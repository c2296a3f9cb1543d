// Test images for the images_* tests, generated with libvips at run time (no binary fixtures).
#pragma once

#include "core/images/vips_runtime.hpp"
#include "core/images/vips_support.hpp"

#include <vips/vips.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace rolloy::images::test_images {

// A w x h picture with structure in every direction (gradients plus Perlin noise), so crops,
// rotations and colour changes are visible. `bands`: 1 grey, 3 sRGB, 4 sRGB + alpha (alpha 0 on
// the left half). `suffix` is a libvips save suffix with options, e.g. ".jpg[Q=90]", ".png".
// `orientation` != 1 stores an EXIF orientation tag (JPEG only).
inline std::string make_image(int width, int height, const std::string &suffix = ".png", int bands = 3,
                              int orientation = 1) {
    ensure_initialised();
    // As the module does: threads libvips starts for this call must not take signals.
    detail::SignalBlockScope no_signals;
    VipsImage *xyz = nullptr, *x = nullptr, *y = nullptr, *noise = nullptr, *rgb = nullptr, *out = nullptr;
    auto fail = [](const char *what) {
        throw std::runtime_error(std::string(what) + ": " + vips_error_buffer());
    };
    if (vips_xyz(&xyz, width, height, nullptr)) fail("xyz");
    if (vips_extract_band(xyz, &x, 0, nullptr) || vips_extract_band(xyz, &y, 1, nullptr)) fail("band");
    VipsImage *xs = nullptr, *ys = nullptr, *ns = nullptr;
    if (vips_linear1(x, &xs, 255.0 / width, 0, nullptr) || vips_linear1(y, &ys, 255.0 / height, 0, nullptr))
        fail("linear");
    if (vips_perlin(&noise, width, height, "cell_size", 64, "seed", 7, nullptr)) fail("perlin");
    if (vips_linear1(noise, &ns, 127.0, 128.0, nullptr)) fail("linear");
    VipsImage *parts[3] = {xs, ys, ns};
    if (vips_bandjoin(parts, &rgb, 3, nullptr)) fail("bandjoin");
    VipsImage *current = nullptr;
    if (vips_cast_uchar(rgb, &current, nullptr)) fail("cast");
    if (bands == 1) {
        VipsImage *grey = nullptr;
        if (vips_colourspace(current, &grey, VIPS_INTERPRETATION_B_W, nullptr)) fail("grey");
        g_object_unref(current);
        current = grey;
    } else if (bands == 4) {
        VipsImage *alpha = nullptr, *alpha8 = nullptr, *rgba = nullptr;
        if (vips_more_const1(x, &alpha, width / 2, nullptr) || vips_cast_uchar(alpha, &alpha8, nullptr))
            fail("alpha");
        if (vips_bandjoin2(current, alpha8, &rgba, nullptr)) fail("rgba");
        g_object_unref(alpha);
        g_object_unref(alpha8);
        g_object_unref(current);
        current = rgba;
    }
    if (suffix.find("bitdepth=16") != std::string::npos) {
        // Saving 8-bit pixels as 16-bit overruns libvips' PNG writer: widen them first.
        VipsImage *wide = nullptr;
        const auto space = bands == 1 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16;
        if (vips_colourspace(current, &wide, space, nullptr)) fail("16 bit");
        g_object_unref(current);
        current = wide;
    }
    if (vips_copy(current, &out, nullptr)) fail("copy");
    if (orientation != 1) vips_image_set_int(out, VIPS_META_ORIENTATION, orientation);
    void *buffer = nullptr;
    size_t length = 0;
    if (vips_image_write_to_buffer(out, suffix.c_str(), &buffer, &length, nullptr)) fail("save");
    std::string bytes(static_cast<const char *>(buffer), length);
    g_free(buffer);
    for (VipsImage *image : {xyz, x, y, noise, rgb, current, out, xs, ys, ns})
        g_object_unref(image);
    return bytes;
}

// Pixel size of an encoded image, read back with libvips.
struct Size {
    int width;
    int height;
};
inline Size image_size(const std::string &bytes) {
    ensure_initialised();
    detail::SignalBlockScope no_signals;
    VipsImage *image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
    if (!image) throw std::runtime_error(std::string("decode: ") + vips_error_buffer());
    Size size{vips_image_get_width(image), vips_image_get_height(image)};
    g_object_unref(image);
    return size;
}

// The sRGB value of one pixel of an encoded image.
inline std::vector<double> pixel(const std::string &bytes, int x, int y) {
    ensure_initialised();
    detail::SignalBlockScope no_signals;
    VipsImage *image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
    if (!image) throw std::runtime_error(std::string("decode: ") + vips_error_buffer());
    double *values = nullptr;
    int n = 0;
    const int rc = vips_getpoint(image, &values, &n, x, y, nullptr);
    g_object_unref(image);
    if (rc) throw std::runtime_error(std::string("getpoint: ") + vips_error_buffer());
    std::vector<double> result(values, values + n);
    g_free(values);
    return result;
}

// Mean absolute difference per pixel and band of two same-sized encoded images (0-255).
inline double mean_abs_difference(const std::string &a, const std::string &b) {
    ensure_initialised();
    detail::SignalBlockScope no_signals;
    VipsImage *ia = vips_image_new_from_buffer(a.data(), a.size(), "", nullptr);
    VipsImage *ib = vips_image_new_from_buffer(b.data(), b.size(), "", nullptr);
    VipsImage *diff = nullptr, *absolute = nullptr;
    double mean = -1;
    if (ia && ib && !vips_subtract(ia, ib, &diff, nullptr) && !vips_abs(diff, &absolute, nullptr))
        vips_avg(absolute, &mean, nullptr);
    for (VipsImage *image : {ia, ib, diff, absolute})
        if (image) g_object_unref(image);
    if (mean < 0) throw std::runtime_error(std::string("difference: ") + vips_error_buffer());
    return mean;
}

// True if the JPEG has a progressive frame header (SOF2, 0xFFC2) and no baseline one (SOF0).
inline bool is_progressive_jpeg(const std::string &jpeg) {
    // Walk the marker segments up to the frame header rather than searching the entropy data.
    std::size_t i = 2;
    while (i + 4 <= jpeg.size() && static_cast<unsigned char>(jpeg[i]) == 0xFF) {
        const auto marker = static_cast<unsigned char>(jpeg[i + 1]);
        if (marker == 0xC2) return true;
        if (marker == 0xC0 || marker == 0xC1 || marker == 0xDA) return false;
        const std::size_t length = std::size_t(static_cast<unsigned char>(jpeg[i + 2])) << 8 |
                                   static_cast<unsigned char>(jpeg[i + 3]);
        i += 2 + length;
    }
    return false;
}

} // namespace rolloy::images::test_images
