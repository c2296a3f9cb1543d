// GUCs of image and prompt generation (documented in docs/worker.md). Defined in _PG_init;
// read by the worker (reloaded on SIGHUP) and by SQL through rolloy_internal._setting().
#pragma once

#include <string>

namespace rolloy::pg::settings {

void define_generation_gucs();

// Worker
extern char *worker_database;  // rolloy.database (postmaster)
extern int lease_seconds;      // rolloy.lease_seconds
extern int poll_interval_ms;   // rolloy.poll_interval_ms
extern int preview_batch;      // rolloy.preview_batch
extern int retry_base_ms;      // rolloy.retry_base_ms
extern int retry_max_ms;       // rolloy.retry_max_ms
extern int request_timeout_ms; // rolloy.request_timeout_ms
extern int job_deadline_ms;    // rolloy.job_deadline_ms
extern int max_image_mb;       // rolloy.max_image_mb
extern int result_threads;     // rolloy.result_threads (0: one per CPU)
int effective_result_threads();
// rolloy.worker_lock_timeout_ms: the worker's lock_timeout
extern int worker_lock_timeout_ms;

// Providers: provider_settings.hpp (registered from the registry).

std::string str(const char *guc_value);

// A Gemini prompt call: its output allowance, and a generous bound on its input (brief and
// instructions). The budget check before the call and the price of a call whose outcome is
// unknown both assume this worst case.
constexpr int kPromptMaxOutputTokens = 1024;
constexpr int kPromptWorstCaseInputTokens = 2000;

} // namespace rolloy::pg::settings
