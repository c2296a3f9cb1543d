// Starting libvips inside a Postgres process.
//
// The extension's shared library is loaded into the postmaster (shared_preload_libraries) and
// inherited by every forked backend; libvips starts worker threads and GLib state that do not
// survive fork(). So nothing here runs at library load: every public function of this module
// calls ensure_initialised() first, and libvips starts in the backend or worker that needs it.
#pragma once
#include "core/common/core_only.hpp"

namespace rolloy::images {

// Starts libvips once per process (thread-safe, cheap after the first call) and applies the
// settings below. Throws rolloy::Error(Internal) if libvips cannot start; a later call retries.
//
// Settings, chosen for a Postgres backend rather than a batch tool:
//  - concurrency 1: Postgres budgets CPU by processes (max_connections, background workers,
//    parallel query); vips threads inside one backend would be invisible to that budget. The
//    images are ~1 megapixel, one image takes tens of milliseconds on one thread, and the worker
//    overlaps image work with HTTP calls anyway. (bench/images_bench.cpp measures 1 vs 2.)
//  - operation cache off (max 0 operations, 0 bytes, 0 files): every call here sees new bytes,
//    so a hit is practically impossible, while a cache would keep decoded images (and pointers to
//    caller-owned input buffers) alive in a long-lived backend.
//  - untrusted loaders blocked (SVG, PDF, FITS, Matlab, ...): only the formats this module
//    accepts are ever opened, and each is opened by its own loader (see decoder.cpp).
//  - libvips warnings are dropped instead of written to the server log's stderr; failures are
//    reported as rolloy::Error.
void ensure_initialised();

// libvips' thread count in this process once initialised (for tests and the benchmark).
int vips_thread_count();

} // namespace rolloy::images
