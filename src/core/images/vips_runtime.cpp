#include "core/images/vips_runtime.hpp"

#include "core/common/error.hpp"
#include "core/images/vips_support.hpp"

#include <mutex>

namespace rolloy::images {
namespace {

constexpr int kConcurrency = 1;

void drop_vips_log_message(const gchar *, GLogLevelFlags, const gchar *, gpointer) {}

void start_vips() {
    // The threads GLib and libvips create now inherit a mask with signals blocked.
    detail::SignalBlockScope no_signals;
    if (VIPS_INIT("rolloy") != 0) detail::throw_vips_error(ErrorKind::Internal, "libvips could not start");
    vips_concurrency_set(kConcurrency);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", GLogLevelFlags(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
                      drop_vips_log_message, nullptr);
}

std::once_flag started;

} // namespace

void ensure_initialised() {
    // call_once runs start_vips exactly once; if it throws, the flag stays unset and the next
    // call tries again.
    std::call_once(started, start_vips);
}

int vips_thread_count() {
    ensure_initialised();
    return vips_concurrency_get();
}

} // namespace rolloy::images
