#include "core/providers/replicate_flux.hpp"

#include "core/common/error.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/replicate_prediction_call.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <ctime>

namespace rolloy::providers::replicate {
namespace detail {

Action PredictionCall::start() {
    try {
        if (!request_.resume_token.empty()) {
            if (auto ticket = decode_ticket(request_.resume_token)) return resume(std::move(*ticket));
            if (auto pending = decode_pending(request_.resume_token)) {
                pending_ = std::move(*pending); // an earlier attempt's create without an answer
                return reconcile();
            }
        }
        HttpRequest req = create_request(config_, build_create_body(config_, request_));
        // Named before it leaves: the runner reports this token before sending, the worker
        // books it, and whoever holds it later finds the prediction instead of creating anew.
        pending_ = pending_create(config_, request_,
                                  req.limits.total_timeout_ms > 0 ? req.limits.total_timeout_ms
                                                                  : config_.request_timeout_ms,
                                  grace_seconds());
        request_.reference.clear(); // it lives in the body now
        request_.reference.shrink_to_fit();
        state_ = State::Create;
        return Action::send(std::move(req));
    } catch (const Error &e) {
        return finish(Outcome::failure(OutcomeKind::Permanent, "invalid_request", e.what()));
    }
}

Action PredictionCall::on_response(HttpResponse response) {
    switch (state_) {
    case State::Create:
        return on_create(response);
    case State::Poll:
        return on_poll(response);
    case State::Download:
        return on_download(response);
    case State::Reconcile:
        return on_list(response);
    }
    return finish(Outcome::failure(OutcomeKind::Permanent, "internal", "Replicate call in an unknown state"));
}

// The prediction's ticket once its id is known; before that the pending create (a create
// stopped in flight, or one being reconciled, is found again by the next attempt).
std::string PredictionCall::resume_token() const {
    if (state_ == State::Poll || state_ == State::Download) return encode_ticket(ticket_);
    return pending_.model.empty() ? std::string() : encode_pending(pending_);
}

std::optional<HttpRequest> PredictionCall::cancel_request() const {
    if (state_ != State::Poll || ticket_.cancel_url.empty() ||
        !same_origin(ticket_.cancel_url, config_.base_url))
        return std::nullopt;
    HttpRequest req = api_request(config_, HttpMethod::Post, ticket_.cancel_url);
    req.limits.total_timeout_ms = std::min<std::int64_t>(config_.request_timeout_ms, 5'000);
    return req;
}

Action PredictionCall::finish(Outcome out) {
    if (out.request_id.empty()) out.request_id = ticket_.id;
    out.message = redactor_.redact(out.message);
    return Action::finish(std::move(out));
}

Action PredictionCall::fail(OutcomeKind kind, const char *code, std::string message, long status) {
    return finish(Outcome::failure(kind, code, std::move(message), status));
}

Action PredictionCall::resume(ResumeTicket ticket) {
    ticket_ = std::move(ticket);
    if (!same_origin(ticket_.get_url, config_.base_url))
        return fail(OutcomeKind::Permanent, "untrusted_url",
                    "the resume token names a Replicate prediction outside " + origin() +
                        "; the API key is not sent there, and no new prediction is created "
                        "(it could be billed twice)",
                    0);
    return poll(0);
}

Action PredictionCall::on_create(HttpResponse &r) {
    if (!r.ok()) {
        if (never_sent(r) || r.transport_error == TransportError::Aborted) {
            pending_ = PendingCreate(); // nothing left: nothing to find
            return finish(transport_failure(r, kCreate));
        }
        return lost_answer("got no answer (" + std::string(to_string(r.transport_error)) + ": " +
                           redactor_.redact(r.error) + ")");
    }
    if (r.status >= 500)
        return lost_answer("returned HTTP " + std::to_string(r.status) + ": " + error_message(r, redactor_));
    if (r.status < 200 || r.status >= 300) return finish(error_outcome(r, kCreate, redactor_));
    auto p = parse_prediction(r.body);
    if (!p)
        return lost_answer("returned HTTP " + std::to_string(r.status) +
                           " without a prediction id: " + redactor_.excerpt(r.body, 200));
    ticket_.id = p->id;
    ticket_.get_url = p->get_url;
    ticket_.cancel_url = p->cancel_url;
    ticket_.created_at = static_cast<std::int64_t>(std::time(nullptr));
    if (ticket_.get_url.empty() && plain_id(p->id))
        ticket_.get_url = join_url(config_.base_url, "/v1/predictions/" + p->id);
    if (!same_origin(ticket_.get_url, config_.base_url))
        return fail(OutcomeKind::Permanent, "untrusted_url",
                    "Replicate returned prediction URLs outside " + origin() +
                        "; the API key is not sent there (prediction " + redactor_.excerpt(p->id, 64) +
                        " may still run and be billed)",
                    r.status);
    state_ = State::Poll; // the prediction exists: from now on it is polled, never created again
    return on_prediction(*p, r.status);
}

Action PredictionCall::on_poll(HttpResponse &r) {
    if (!r.ok()) return retry_step(transport_failure(r, kPoll), poll_request());
    if (r.status == 404)
        return fail(OutcomeKind::Permanent, "prediction_lost",
                    std::string(kPoll) + " " + ticket_.id +
                        " returned HTTP 404: Replicate does not know it (another account's key?): " +
                        error_message(r, redactor_),
                    404);
    if (r.status < 200 || r.status >= 300)
        return retry_step(error_outcome(r, kPoll, redactor_), poll_request());
    auto p = parse_prediction(r.body);
    if (!p)
        return retry_step(Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                           std::string(kPoll) + " returned HTTP " + std::to_string(r.status) +
                                               " that is not a prediction: " + redactor_.excerpt(r.body, 200),
                                           r.status),
                          poll_request());
    return on_prediction(*p, r.status);
}

Action PredictionCall::on_prediction(const Prediction &p, long status) {
    const std::string what = "Replicate prediction " + ticket_.id;
    switch (p.status) {
    case Status::Starting:
    case Status::Processing:
        step_.reset();
        return poll(config_.poll_interval_ms);
    case Status::Succeeded:
        if (!p.outputs.empty()) return download(p.outputs.front(), status);
        if (p.output_null || p.data_removed)
            return expired(what + " succeeded but its output is gone", status);
        return fail(OutcomeKind::Permanent, "content_flagged",
                    what + " succeeded with no image: the safety checker refused every output", status);
    case Status::Failed: {
        const bool nsfw = p.error.find("NSFW") != std::string::npos;
        return fail(OutcomeKind::Permanent, nsfw ? "content_flagged" : "prediction_failed",
                    what +
                        " failed: " + redactor_.excerpt(p.error.empty() ? "(no error given)" : p.error, 500),
                    status);
    }
    case Status::Canceled:
        return fail(OutcomeKind::Permanent, "prediction_canceled",
                    what + " was canceled (on replicate.com, or by its deadline)", status);
    case Status::Aborted: // ended before it ran: nothing billed, a new create is safe
        return fail(OutcomeKind::Transient, "prediction_aborted", what + " was aborted before it started",
                    status);
    case Status::Unknown:
        break;
    }
    return retry_step(
        Outcome::failure(OutcomeKind::Transient, "malformed_response",
                         what + " has an unknown status \"" + redactor_.excerpt(p.status_text, 40) + "\"",
                         status),
        poll_request());
}

// A transient failure inside a step: the same request again after a backoff, or give up
// with the resume token (the prediction exists; the next attempt continues it).
Action PredictionCall::retry_step(Outcome failure, HttpRequest again) {
    if (const auto delay = step_.next_delay(failure)) return Action::send(std::move(again), *delay);
    if (failure.kind == OutcomeKind::Transient) failure.resume_token = resume_token();
    return finish(std::move(failure));
}

Action PredictionCall::poll(std::int64_t delay_ms) {
    state_ = State::Poll;
    return Action::send(poll_request(), delay_ms);
}
} // namespace detail

namespace {

class ReplicateFluxProvider : public ImageProvider {
  public:
    std::string_view name() const override { return "replicate"; }
    std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                            ImageRequest request) const override {
        return std::make_unique<detail::PredictionCall>(config, std::move(request));
    }
};

} // namespace

const ImageProvider &image_provider() {
    static const ReplicateFluxProvider provider;
    return provider;
}

} // namespace rolloy::providers::replicate
