// libvips as it must run inside a Postgres backend: lazily started, single-threaded, no
// operation cache, untrusted loaders blocked, no signals on its threads, safe from many threads.
#include "core/images/process_result.hpp"
#include "core/images/vips_runtime.hpp"

#include "images_test_images.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

using namespace rolloy::images;

TEST(ImagesRuntime, SettingsForABackend) {
    ensure_initialised();
    ensure_initialised(); // idempotent
    EXPECT_EQ(vips_thread_count(), 1);
    EXPECT_EQ(vips_cache_get_max(), 0);
    EXPECT_EQ(vips_cache_get_max_mem(), 0u);
    // An SVG would be opened by an untrusted loader: refused even through libvips' own guessing.
    const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    rolloy::images::detail::SignalBlockScope no_signals;
    VipsImage *image = vips_image_new_from_buffer(svg, sizeof svg - 1, "", nullptr);
    EXPECT_EQ(image, nullptr);
    if (image) g_object_unref(image);
    vips_error_clear();
}

TEST(ImagesRuntime, ConcurrentCallsAgree) {
    const std::string input = test_images::make_image(640, 480, ".jpg");
    const ProcessedImage expected = process_result(input);
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                const ProcessedImage got = process_result(input);
                if (got.image.sha256 != expected.image.sha256 ||
                    got.thumbnail.sha256 != expected.thumbnail.sha256)
                    ++mismatches;
            }
        });
    for (auto &thread : threads)
        thread.join();
    EXPECT_EQ(mismatches.load(), 0);
}

namespace {

// The blocked-signal mask (SigBlk) of one thread of this process, from /proc.
unsigned long long blocked_signals(const std::string &task) {
    std::ifstream status("/proc/self/task/" + task + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("SigBlk:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
    return 0;
}

} // namespace

TEST(ImagesRuntime, LibvipsThreadsNeverTakeSignals) {
    // Make libvips start whatever threads it uses, then inspect every thread but this one.
    process_result(test_images::make_image(800, 600, ".jpg"));
    const std::string self = std::to_string(gettid());
    const unsigned long long before = blocked_signals(self);
    DIR *tasks = opendir("/proc/self/task");
    ASSERT_NE(tasks, nullptr);
    int others = 0;
    while (dirent *entry = readdir(tasks)) {
        const std::string task = entry->d_name;
        if (task == "." || task == ".." || task == self) continue;
        ++others;
        const unsigned long long mask = blocked_signals(task);
        for (int signal : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGHUP, SIGQUIT})
            EXPECT_TRUE(mask & (1ull << (signal - 1))) << "thread " << task << " can take signal " << signal;
    }
    closedir(tasks);
    EXPECT_GT(others, 0) << "expected libvips worker threads";
    // The calling thread's own mask is restored after each call.
    EXPECT_EQ(blocked_signals(self), before);
    EXPECT_FALSE(before & (1ull << (SIGTERM - 1)));
}
