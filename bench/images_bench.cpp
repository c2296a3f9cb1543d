// Benchmarks of the images module: result processing (decode, re-encode, thumbnail) on a
// 1024 x 1024 photo-like JPEG, its parts, the preview renderer, checksums and the ZIP writer.
//
//   cmake -S . -B build && cmake --build build -j2 --target images_bench
//   build/images_bench                                  the benchmarks below
//   build/images_bench --write-samples DIR N            write N sample JPEGs (for the script)
//   ROLLOY_BENCH_IMAGES_DIR=DIR build/images_bench --benchmark_filter=Files
//                                                       time the module over DIR's files
// bench/images_vs_vipsthumbnail.sh compares the last one with the vipsthumbnail CLI.
#include "core/common/crc32.hpp"
#include "core/common/sha256.hpp"
#include "core/images/preview.hpp"
#include "core/images/process_result.hpp"
#include "core/images/thumbnail.hpp"
#include "core/images/validate.hpp"
#include "core/images/vips_runtime.hpp"
#include "core/images/vips_support.hpp"
#include "core/images/zip_writer.hpp"

#include <benchmark/benchmark.h>
#include <dirent.h>
#include <vips/vips.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace rolloy::images;

namespace {

// A photo-like test picture: smooth colour fields (gradients, Perlin noise) plus fine grain, so
// JPEG has real work to do. `seed` varies the noise.
std::string photo_like_jpeg(int width, int height, int seed = 1, int quality = 90) {
    ensure_initialised();
    detail::SignalBlockScope no_signals;
    using detail::ImageRef;
    auto ok = [](int rc) {
        if (rc) throw std::runtime_error(vips_error_buffer());
    };
    ImageRef xyz, x, y, xs, ys, perlin, ps, grain, rgb, noisy, pixels;
    ok(vips_xyz(xyz.out(), width, height, nullptr));
    ok(vips_extract_band(xyz.get(), x.out(), 0, nullptr));
    ok(vips_extract_band(xyz.get(), y.out(), 1, nullptr));
    ok(vips_linear1(x.get(), xs.out(), 200.0 / width, 30, nullptr));
    ok(vips_linear1(y.get(), ys.out(), 200.0 / height, 20, nullptr));
    ok(vips_perlin(perlin.out(), width, height, "cell_size", 96, "seed", seed, nullptr));
    ok(vips_linear1(perlin.get(), ps.out(), 100.0, 128.0, nullptr));
    VipsImage *bands[3] = {xs.get(), ys.get(), ps.get()};
    ok(vips_bandjoin(bands, rgb.out(), 3, nullptr));
    ok(vips_gaussnoise(grain.out(), width, height, "sigma", 12.0, "mean", 0.0, "seed", seed, nullptr));
    ok(vips_add(rgb.get(), grain.get(), noisy.out(), nullptr));
    ok(vips_cast_uchar(noisy.get(), pixels.out(), nullptr));
    void *buffer = nullptr;
    size_t length = 0;
    ok(vips_jpegsave_buffer(pixels.get(), &buffer, &length, "Q", quality, nullptr));
    std::string bytes(static_cast<const char *>(buffer), length);
    g_free(buffer);
    return bytes;
}

const std::string &sample_1024() {
    static const std::string bytes = photo_like_jpeg(1024, 1024);
    return bytes;
}

void set_threads(int threads) {
    ensure_initialised();
    vips_concurrency_set(threads);
}

void BM_ProcessResult(benchmark::State &state) {
    set_threads(int(state.range(0)));
    const std::string &input = sample_1024();
    for (auto _ : state)
        benchmark::DoNotOptimize(process_result(input));
    set_threads(1);
    state.SetLabel("1024x1024 JPEG, vips threads " + std::to_string(state.range(0)));
}
BENCHMARK(BM_ProcessResult)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_Validate(benchmark::State &state) {
    const std::string &input = sample_1024();
    for (auto _ : state)
        benchmark::DoNotOptimize(validate(input));
}
BENCHMARK(BM_Validate)->Unit(benchmark::kMillisecond);

void BM_MakeThumbnail(benchmark::State &state) {
    const std::string input = photo_like_jpeg(int(state.range(0)), int(state.range(0) * 3 / 4));
    for (auto _ : state)
        benchmark::DoNotOptimize(make_thumbnail(input));
    state.SetLabel(std::to_string(state.range(0)) + " px wide JPEG");
}
BENCHMARK(BM_MakeThumbnail)->Arg(1024)->Arg(4000)->Unit(benchmark::kMillisecond);

void BM_RenderPreview(benchmark::State &state) {
    const int width = int(state.range(0));
    const std::string input = photo_like_jpeg(width, width * 3 / 4);
    PreviewSpec spec;
    spec.aspect_ratio = "4:5";
    spec.driver_code = "JOY";
    spec.caption = state.range(1) ? "smiling · senior · woman · walking · rollator · park" : "";
    std::uint64_t seed = 0;
    render_preview(input, spec); // fontconfig and Pango start once per process
    for (auto _ : state) {
        spec.seed = ++seed;
        benchmark::DoNotOptimize(render_preview(input, spec));
    }
    state.SetLabel(std::to_string(width) + " px reference, " + (state.range(1) ? "with" : "no") + " caption");
}
BENCHMARK(BM_RenderPreview)->Args({1024, 1})->Args({1024, 0})->Args({4000, 1})->Unit(benchmark::kMillisecond);

void BM_Sha256(benchmark::State &state) {
    const std::string data(std::size_t(state.range(0)), 'x');
    for (auto _ : state)
        benchmark::DoNotOptimize(rolloy::sha256_hex(data));
    state.SetBytesProcessed(std::int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(1 << 20);

void BM_Crc32(benchmark::State &state) {
    const std::string data(std::size_t(state.range(0)), 'x');
    for (auto _ : state)
        benchmark::DoNotOptimize(rolloy::crc32(data));
    state.SetBytesProcessed(std::int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32)->Arg(1 << 20);

void BM_ZipWriter(benchmark::State &state) {
    const std::string image = sample_1024();
    for (auto _ : state) {
        ZipWriter zip;
        for (int i = 0; i < 50; ++i)
            zip.add("image_" + std::to_string(i) + ".jpg", image);
        benchmark::DoNotOptimize(zip.finish());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * 50 * std::int64_t(image.size()));
    state.SetLabel("50 x " + std::to_string(image.size() / 1024) + " KiB");
}
BENCHMARK(BM_ZipWriter)->Unit(benchmark::kMillisecond);

// --- the files of a directory (for bench/images_vs_vipsthumbnail.sh) ---

std::vector<std::string> read_directory(const std::string &dir) {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *entry = readdir(d))
            if (entry->d_name[0] != '.') names.push_back(dir + "/" + entry->d_name);
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    std::vector<std::string> files;
    for (const std::string &name : names) {
        std::stringstream bytes;
        bytes << std::ifstream(name, std::ios::binary).rdbuf();
        files.push_back(bytes.str());
    }
    return files;
}

void register_directory_benchmarks(const std::string &dir) {
    static std::vector<std::string> files = read_directory(dir);
    if (files.empty()) {
        std::cerr << "no files in " << dir << "\n";
        return;
    }
    // One iteration = every file once; files are already in memory (the module works on bytes).
    benchmark::RegisterBenchmark("BM_Files_MakeThumbnail",
                                 [](benchmark::State &state) {
                                     state.SetLabel(std::to_string(files.size()) + " files");
                                     for (auto _ : state)
                                         for (const std::string &file : files)
                                             benchmark::DoNotOptimize(make_thumbnail(file));
                                 })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
    benchmark::RegisterBenchmark("BM_Files_ProcessResult",
                                 [](benchmark::State &state) {
                                     state.SetLabel(std::to_string(files.size()) + " files");
                                     for (auto _ : state)
                                         for (const std::string &file : files)
                                             benchmark::DoNotOptimize(process_result(file));
                                 })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
}

int write_samples(const std::string &dir, int count) {
    for (int i = 0; i < count; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "/sample_%03d.jpg", i);
        std::ofstream(dir + name, std::ios::binary) << photo_like_jpeg(1024, 1024, i + 1);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc == 4 && std::strcmp(argv[1], "--write-samples") == 0)
        return write_samples(argv[2], std::atoi(argv[3]));
    if (const char *dir = std::getenv("ROLLOY_BENCH_IMAGES_DIR")) register_directory_benchmarks(dir);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
