#include "core/images/resample.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rolloy::images {
namespace {

constexpr int kFractionBits = 14; // weights of 1.0 = 16384: sums of 255 x weights stay far inside int32
constexpr std::int32_t kOne = 1 << kFractionBits;
constexpr double kTriangleSupport = 1.0;
constexpr int kMaxSide = 1 << 15;

// A triangle: bilinear when enlarging; when shrinking by `s`, widened to s source samples each
// side, so every source sample counts and none twice (antialiasing). Half the taps of a cubic,
// and at thumbnail size the difference is not visible (the tests compare with libvips' lanczos).
double triangle(double x) {
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

// The source samples and fixed-point weights of each output sample along one axis.
struct Taps {
    int stride = 0; // weight slots per output sample: the widest window
    std::vector<int> first;
    std::vector<int> count;
    std::vector<std::int32_t> weights; // output sample i: weights[i * stride + k], k < count[i]
};

Taps make_taps(int in_size, double start, double length, int out_size) {
    const double scale = length / out_size;           // source samples per output sample
    const double filter_scale = std::max(scale, 1.0); // widened when shrinking: antialiasing
    const double support = kTriangleSupport * filter_scale;
    Taps taps;
    taps.stride = int(std::ceil(support)) * 2 + 2;
    taps.first.resize(out_size);
    taps.count.resize(out_size);
    taps.weights.assign(std::size_t(out_size) * taps.stride, 0);
    std::vector<double> exact(taps.stride);
    for (int i = 0; i < out_size; ++i) {
        const double centre = start + (i + 0.5) * scale;
        int lo = std::max(0, int(std::floor(centre - support + 0.5)));
        int hi = std::min(in_size, int(std::floor(centre + support + 0.5)));
        hi = std::min(hi, lo + taps.stride);
        double sum = 0;
        for (int x = lo; x < hi; ++x)
            sum += exact[x - lo] = triangle((x + 0.5 - centre) / filter_scale);
        if (hi <= lo || sum <= 0) {
            // Cannot happen for a box inside the image; the nearest sample keeps it total.
            lo = std::clamp(int(centre), 0, in_size - 1);
            hi = lo + 1;
            exact[0] = sum = 1.0;
        }
        // Normalised (windows at the edges are cut off), rounded, and the rounding error given
        // to the largest weight so each output sample's weights sum to exactly 1.0.
        std::int32_t *out = &taps.weights[std::size_t(i) * taps.stride];
        std::int32_t total = 0;
        int largest = 0;
        for (int k = 0; k < hi - lo; ++k) {
            out[k] = std::int32_t(std::lround(exact[k] / sum * kOne));
            total += out[k];
            if (out[k] > out[largest]) largest = k;
        }
        out[largest] += kOne - total;
        taps.first[i] = lo;
        taps.count[i] = hi - lo;
    }
    return taps;
}

inline std::uint8_t to_byte(std::int32_t fixed) {
    const std::int32_t v = (fixed + (kOne >> 1)) >> kFractionBits;
    return std::uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Each output row is a weighted sum of whole input rows: one multiply-add per sample and tap in
// a loop the compiler vectorises. `in` starts at source row `first_row`.
void vertical(const std::uint8_t *in, int first_row, std::size_t row_bytes, const Taps &taps, int out_height,
              std::uint8_t *out) {
    std::vector<std::int32_t> acc(row_bytes);
    for (int y = 0; y < out_height; ++y) {
        std::fill(acc.begin(), acc.end(), 0);
        const std::int32_t *w = &taps.weights[std::size_t(y) * taps.stride];
        for (int k = 0, n = taps.count[y]; k < n; ++k) {
            const std::uint8_t *row = in + std::size_t(taps.first[y] - first_row + k) * row_bytes;
            const std::int32_t weight = w[k];
            std::int32_t *a = acc.data();
            for (std::size_t i = 0; i < row_bytes; ++i)
                a[i] += weight * row[i];
        }
        std::uint8_t *dest = out + std::size_t(y) * row_bytes;
        for (std::size_t i = 0; i < row_bytes; ++i)
            dest[i] = to_byte(acc[i]);
    }
}

template <int Bands>
void horizontal(const std::uint8_t *in, int width, int rows, const Taps &taps, int out_width,
                std::uint8_t *out) {
    for (int y = 0; y < rows; ++y) {
        const std::uint8_t *row = in + std::size_t(y) * width * Bands;
        std::uint8_t *dest = out + std::size_t(y) * out_width * Bands;
        for (int x = 0; x < out_width; ++x) {
            const std::int32_t *w = &taps.weights[std::size_t(x) * taps.stride];
            const std::uint8_t *p = row + std::size_t(taps.first[x]) * Bands;
            std::int32_t acc[Bands] = {};
            for (int k = 0, n = taps.count[x]; k < n; ++k, p += Bands)
                for (int b = 0; b < Bands; ++b)
                    acc[b] += w[k] * p[b];
            for (int b = 0; b < Bands; ++b)
                dest[x * Bands + b] = to_byte(acc[b]);
        }
    }
}

void horizontal(const std::uint8_t *in, int width, int rows, int bands, const Taps &taps, int out_width,
                std::uint8_t *out) {
    switch (bands) {
    case 1:
        return horizontal<1>(in, width, rows, taps, out_width, out);
    case 2:
        return horizontal<2>(in, width, rows, taps, out_width, out);
    case 3:
        return horizontal<3>(in, width, rows, taps, out_width, out);
    default:
        return horizontal<4>(in, width, rows, taps, out_width, out);
    }
}

void check_size(int value, const char *what) {
    if (value < 1 || value > kMaxSide)
        throw std::invalid_argument(std::string("resample: ") + what +
                                    " out of range: " + std::to_string(value));
}

} // namespace

SourceBox cover_box(int width, int height, int out_width, int out_height) {
    const double scale = std::max(double(out_width) / width, double(out_height) / height);
    SourceBox box;
    box.width = std::min(double(width), out_width / scale);
    box.height = std::min(double(height), out_height / scale);
    box.left = (width - box.width) / 2;
    box.top = (height - box.height) / 2;
    return box;
}

Pixels resample(const std::uint8_t *in, int width, int height, int bands, const SourceBox &box, int out_width,
                int out_height, PassOrder order) {
    check_size(width, "width");
    check_size(height, "height");
    check_size(out_width, "output width");
    check_size(out_height, "output height");
    if (bands < 1 || bands > 4) throw std::invalid_argument("resample: bands must be 1 to 4");
    constexpr double slack = 1e-6;
    if (!(box.width > 0 && box.height > 0 && box.left >= -slack && box.top >= -slack &&
          box.left + box.width <= width + slack && box.top + box.height <= height + slack))
        throw std::invalid_argument("resample: the source box is not inside the image");

    const Taps across = make_taps(width, box.left, box.width, out_width);
    const Taps down = make_taps(height, box.top, box.height, out_height);
    // The source rows the vertical taps read.
    int first_row = height, end_row = 0;
    for (int y = 0; y < out_height; ++y) {
        first_row = std::min(first_row, down.first[y]);
        end_row = std::max(end_row, down.first[y] + down.count[y]);
    }
    const int used_rows = end_row - first_row;
    if (order == PassOrder::Auto)
        order = used_rows < out_height ? PassOrder::HorizontalFirst : PassOrder::VerticalFirst;

    Pixels out;
    out.width = out_width;
    out.height = out_height;
    out.bands = bands;
    out.data.resize(std::size_t(out_height) * out_width * bands);
    if (order == PassOrder::VerticalFirst) {
        std::vector<std::uint8_t> rows(std::size_t(out_height) * width * bands);
        vertical(in, 0, std::size_t(width) * bands, down, out_height, rows.data());
        horizontal(rows.data(), width, out_height, bands, across, out_width, out.data.data());
    } else {
        std::vector<std::uint8_t> rows(std::size_t(used_rows) * out_width * bands);
        horizontal(in + std::size_t(first_row) * width * bands, width, used_rows, bands, across, out_width,
                   rows.data());
        vertical(rows.data(), first_row, std::size_t(out_width) * bands, down, out_height, out.data.data());
    }
    return out;
}

} // namespace rolloy::images
