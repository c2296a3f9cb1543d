#include "core/generation/image_job.hpp"

#include "core/common/error.hpp"
#include "core/images/caption.hpp"
#include "core/images/preview.hpp"
#include "core/images/process_result.hpp"
#include "core/providers/registry.hpp"

#include <chrono>
#include <cmath>

namespace rolloy::generation {
namespace {

using providers::Outcome;
using providers::OutcomeKind;

// Turns image bytes (rendered or received) into a Completed record, or explains why not:
// a corrupt file may be a cut transfer (worth another attempt); anything else is not an image
// we accept (the provider's fault, and retrying would charge again for the same answer).
JobRecord completed_or_rejected(const ImageJob &job, const std::string &bytes, std::size_t max_bytes,
                                const providers::RetryPolicy *policy) {
    JobRecord r;
    try {
        images::Limits limits;
        limits.max_bytes = max_bytes;
        images::ProcessedImage p = images::process_result(bytes, limits);
        r.kind = JobRecord::Kind::Completed;
        r.image = std::move(p.image.bytes);
        r.thumbnail = std::move(p.thumbnail.bytes);
        r.sha256 = p.image.sha256;
        r.width = p.image.width;
        r.height = p.image.height;
        r.megapixels = double(p.image.width) * p.image.height / 1e6;
        return r;
    } catch (const Error &e) {
        r.error = std::string("the result is not a usable image: ") + e.what();
        bool transient = e.kind() == ErrorKind::DataCorrupted;
        if (transient && policy && job.attempt < policy->options().max_attempts) {
            r.kind = JobRecord::Kind::Retry;
            r.retry_delay_ms = policy->backoff_ms(job.attempt, 0.5);
        } else {
            r.kind = JobRecord::Kind::Failed;
        }
        return r;
    }
}

} // namespace

const char *to_string(JobRecord::Kind kind) {
    switch (kind) {
    case JobRecord::Kind::Completed:
        return "completed";
    case JobRecord::Kind::Retry:
        return "retry";
    case JobRecord::Kind::Failed:
        return "failed";
    case JobRecord::Kind::Released:
        return "released";
    }
    return "?";
}

std::unique_ptr<providers::ProviderCall> make_call(const ImageJob &job,
                                                   const providers::ProviderConfig &config) {
    const providers::ImageProvider *provider = providers::find_image_provider(job.provider);
    if (!provider) throw Error(ErrorKind::InvalidInput, "unknown image provider \"" + job.provider + "\"");
    providers::ImageRequest request;
    request.prompt = job.prompt;
    request.reference = job.reference;
    request.reference_mime = job.reference_mime;
    request.seed = job.seed;
    request.strength = job.strength;
    request.steps = job.steps;
    request.guidance = job.guidance;
    request.aspect_ratio = job.aspect_ratio;
    request.output_format = "jpeg";
    request.resume_token = job.resume_token;
    providers::ProviderConfig with_model_options = config;
    providers::apply_model_options(job.provider, with_model_options);
    return provider->make_call(with_model_options, std::move(request));
}

JobRecord run_preview(const ImageJob &job) {
    auto started = std::chrono::steady_clock::now();
    JobRecord r;
    try {
        images::PreviewSpec spec;
        spec.aspect_ratio = job.aspect_ratio;
        spec.driver_code = job.driver_code;
        spec.caption = images::caption_from_prompt(job.prompt);
        spec.seed = static_cast<std::uint64_t>(job.seed);
        std::string rendered = images::render_preview(job.reference, spec);
        r = completed_or_rejected(job, rendered, 64u << 20, nullptr);
        r.billed_image = r.kind == JobRecord::Kind::Completed;
    } catch (const Error &e) {
        // The reference itself is unusable: no attempt will do better.
        r.kind = JobRecord::Kind::Failed;
        r.error = std::string("preview: ") + e.what();
    }
    r.latency_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    return r;
}

JobRecord record_for(const ImageJob &job, const Outcome &outcome, providers::RetryOptions retry,
                     std::size_t max_image_bytes) {
    retry.max_attempts = job.max_attempts;
    providers::RetryPolicy policy(retry);
    JobRecord r;
    if (outcome.success()) {
        r = completed_or_rejected(job, outcome.image, max_image_bytes, &policy);
        r.billed_image = true; // the provider answered with an image: it is charged either way
    } else if (outcome.aborted()) {
        r.kind = JobRecord::Kind::Released;
        r.resume_token = outcome.resume_token;
        r.error = outcome.message;
    } else {
        providers::RetryDecision d = policy.decide(outcome, job.attempt);
        r.kind = d.retry ? JobRecord::Kind::Retry : JobRecord::Kind::Failed;
        r.retry_delay_ms = d.delay_ms;
        r.error = outcome.message;
        if (outcome.kind == OutcomeKind::Transient && !d.retry)
            r.error = "gave up after " + std::to_string(job.attempt) + " attempts: " + outcome.message;
        r.resume_token = outcome.resume_token;
        r.outcome_unknown = outcome.outcome_unknown();
    }
    r.http_status = outcome.http_status;
    r.latency_ms = outcome.latency_ms;
    r.tokens_in = outcome.tokens_in;
    r.tokens_out = outcome.tokens_out;
    if (r.megapixels == 0 && outcome.image_width > 0)
        r.megapixels = double(outcome.image_width) * outcome.image_height / 1e6;
    return r;
}

} // namespace rolloy::generation
