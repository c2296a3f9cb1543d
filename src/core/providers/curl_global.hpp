// libcurl's process-wide initialisation, done lazily on first use and at most once.
// Never at library load: the extension is loaded into every backend through
// shared_preload_libraries, and most backends never make an HTTP call.
#pragma once
#include "core/common/core_only.hpp"

namespace rolloy::providers {

// Runs curl_global_init once per process (thread-safe). Throws rolloy::Error(ExternalService)
// if libcurl cannot initialise. curl_global_cleanup is deliberately never called: the process
// (backend or worker) exits soon after, and cleanup races with any other curl user.
void ensure_curl_initialized();

} // namespace rolloy::providers
