// One image job of the worker, from claimed row to the record to write, without Postgres:
// build the provider call (or render the offline preview), then turn the outcome into what the
// row becomes (completed with its processed image, retry later, failed, or released).
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/outcome.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/retry_policy.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace rolloy::generation {

struct ImageJob {
    std::string image_id, project_id, owner_id;
    std::string provider, model, prompt;
    std::int64_t seed = 0;
    int attempt = 1, max_attempts = 5;
    std::optional<double> strength, guidance;
    std::optional<int> steps;
    std::string reference, reference_mime; // bytes of the reference photo
    std::string aspect_ratio = "1:1";      // of the project's format
    std::string driver_code;               // the project's emotional driver
    std::string resume_token;              // from an earlier attempt (fal queue URLs)
    std::int64_t ledger_id = 0;            // this attempt's api_usage_logs row (0: none opened)
};

struct JobRecord {
    enum class Kind { Completed, Retry, Failed, Released };
    Kind kind = Kind::Failed;

    // Completed: the stored image and its thumbnail.
    std::string image, thumbnail;
    std::string sha256;
    int width = 0, height = 0;
    // Completed, when an object store keeps images: the reference the image was uploaded to
    // before the row is written (empty: the row's transaction stores it), or why the upload
    // failed (the worker tries it again; the row waits meanwhile).
    std::string storage_ref, storage_error;

    // Retry / Failed: the provider's message with HTTP status, and when to try again.
    std::string error;
    std::int64_t retry_delay_ms = 0;
    std::string resume_token;
    // Failed: the request may have reached the provider and been billed, but no answer says so
    // (a Replicate create without an answer: no idempotency key, so it is never sent again). Its
    // ledger row is closed as 'unknown' at the list price, like a call a crash interrupted.
    bool outcome_unknown = false;

    // Usage of this attempt, for api_usage_logs.
    long http_status = 0;
    std::int64_t latency_ms = 0, tokens_in = 0, tokens_out = 0;
    bool billed_image = false; // the provider produced (and charges for) an image
    double megapixels = 0;     // of the produced image
};

const char *to_string(JobRecord::Kind kind);

// The provider call of a remote job (gemini, fal). Throws rolloy::Error(InvalidInput) for an
// unknown provider.
std::unique_ptr<providers::ProviderCall> make_call(const ImageJob &job,
                                                   const providers::ProviderConfig &config);

// The offline preview provider: renders from the reference, then processes like any result.
JobRecord run_preview(const ImageJob &job);

// What a finished remote call means for the row.
// The retry options' max_attempts is replaced by the job's own.
JobRecord record_for(const ImageJob &job, const providers::Outcome &outcome, providers::RetryOptions retry,
                     std::size_t max_image_bytes);

} // namespace rolloy::generation
