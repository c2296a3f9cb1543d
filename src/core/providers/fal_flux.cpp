#include "core/providers/fal_flux.hpp"

#include "core/common/error.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/fal_api.hpp"
#include "core/providers/retry_after.hpp"
#include "core/providers/call_steps.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

namespace rolloy::providers::fal {
namespace {

class FluxCall : public ProviderCall {
  public:
    FluxCall(ProviderConfig config, ImageRequest request)
        : config_(std::move(config)), request_(std::move(request)), redactor_(config_.api_key),
          step_(config_) {}

    Action start() override {
        try {
            if (!request_.resume_token.empty()) {
                if (auto ticket = decode_ticket(request_.resume_token); ticket && trusted(*ticket)) {
                    ticket_ = std::move(*ticket);
                    return poll(0);
                }
            }
            state_ = State::Submit;
            HttpRequest req = submit_request(config_, build_submit_body(config_, request_));
            request_.reference.clear();
            request_.reference.shrink_to_fit();
            return Action::send(std::move(req));
        } catch (const Error &e) {
            return finish(Outcome::failure(OutcomeKind::Permanent, "invalid_request", e.what()));
        }
    }

    Action on_response(HttpResponse response) override {
        switch (state_) {
        case State::Submit:
            return on_submit(response);
        case State::Poll:
            return on_status(response);
        case State::Result:
            return on_result(response);
        case State::Download:
            return on_download(response);
        }
        return finish(Outcome::failure(OutcomeKind::Permanent, "internal", "fal call in an unknown state"));
    }

    std::string resume_token() const override {
        return state_ == State::Poll || state_ == State::Result ? encode_ticket(ticket_) : std::string();
    }

    std::optional<HttpRequest> cancel_request() const override {
        if (state_ != State::Poll || ticket_.cancel_url.empty() ||
            !same_origin(ticket_.cancel_url, config_.base_url))
            return std::nullopt;
        HttpRequest req = queue_request(config_, HttpMethod::Put, ticket_.cancel_url);
        req.limits.total_timeout_ms = std::min<std::int64_t>(config_.request_timeout_ms, 5'000);
        return req;
    }

  private:
    enum class State { Submit, Poll, Result, Download };

    // Queue URLs receive the key: only on the configured origin.
    bool trusted(const QueueTicket &t) const {
        return same_origin(t.status_url, config_.base_url) && same_origin(t.response_url, config_.base_url);
    }

    Action finish(Outcome out) {
        if (out.request_id.empty()) out.request_id = ticket_.request_id;
        out.message = redactor_.redact(out.message);
        return Action::finish(std::move(out));
    }

    Action poll(std::int64_t delay_ms) {
        state_ = State::Poll;
        return Action::send(queue_request(config_, HttpMethod::Get, ticket_.status_url), delay_ms);
    }

    // A transient failure inside a step: try the same request again after a backoff, or give up.
    Action retry_step(Outcome failure, HttpRequest again, bool resumable) {
        if (const auto delay = step_.next_delay(failure)) return Action::send(std::move(again), *delay);
        if (resumable && failure.kind == OutcomeKind::Transient)
            failure.resume_token = encode_ticket(ticket_);
        return finish(std::move(failure));
    }

    Action on_submit(HttpResponse &r) {
        if (!r.ok()) return finish(transport_failure(r, "fal submit"));
        if (r.status < 200 || r.status >= 300) return finish(error_outcome(r, "fal submit", redactor_));
        auto ticket = parse_ticket(r.body);
        if (!ticket)
            return finish(
                Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                 "fal submit returned HTTP " + std::to_string(r.status) +
                                     " without status_url/response_url: " + redactor_.excerpt(r.body, 200),
                                 r.status));
        if (ticket->request_id.empty())
            ticket->request_id = std::string(r.header("x-fal-request-id").value_or(""));
        ticket_ = std::move(*ticket);
        if (!trusted(ticket_))
            return finish(
                Outcome::failure(OutcomeKind::Permanent, "untrusted_url",
                                 "fal returned queue URLs outside " +
                                     url_origin(config_.base_url).value_or("the configured base URL") +
                                     "; the API key is not sent there",
                                 r.status));
        return poll(config_.poll_interval_ms);
    }

    Action on_status(HttpResponse &r) {
        HttpRequest again = queue_request(config_, HttpMethod::Get, ticket_.status_url);
        if (!r.ok()) return retry_step(transport_failure(r, "fal status"), std::move(again), true);
        if (r.status == 404) // fal no longer knows the request (expired or lost): submit anew
            return finish(Outcome::failure(OutcomeKind::Transient, "request_lost",
                                           "fal status returned HTTP 404: " + error_message(r, redactor_),
                                           404));
        if (r.status != 200 && r.status != 202)
            return retry_step(error_outcome(r, "fal status", redactor_), std::move(again), true);
        step_.reset();
        if (parse_status(r.body) != QueueState::Completed) return poll(config_.poll_interval_ms);
        state_ = State::Result;
        return Action::send(queue_request(config_, HttpMethod::Get, ticket_.response_url));
    }

    Action on_result(HttpResponse &r) {
        HttpRequest again = queue_request(config_, HttpMethod::Get, ticket_.response_url);
        if (!r.ok()) return retry_step(transport_failure(r, "fal result"), std::move(again), false);
        if (r.status < 200 || r.status >= 300)
            return retry_step(error_outcome(r, "fal result", redactor_), std::move(again), false);
        step_.reset();
        auto image = parse_result(r.body);
        if (!image)
            return finish(Outcome::failure(
                OutcomeKind::Transient, "malformed_response",
                "fal result has no images[0].url: " + redactor_.excerpt(r.body, 200), r.status));
        image_ = std::move(*image);
        if (image_.nsfw)
            return finish(Outcome::failure(
                OutcomeKind::Permanent, "content_flagged",
                "fal's safety checker flagged the generated image (has_nsfw_concepts)", r.status));
        if (is_data_uri(image_.url)) {
            auto data = parse_data_uri(image_.url);
            if (!data)
                return finish(Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                               "fal result image is a data URI that is not base64",
                                               r.status));
            return finish(success(std::move(data->bytes), data->mime, r.status));
        }
        state_ = State::Download;
        return Action::send(download_request());
    }

    Action on_download(HttpResponse &r) {
        if (!r.ok()) return retry_step(transport_failure(r, "fal image download"), download_request(), false);
        if (r.status < 200 || r.status >= 300)
            return retry_step(http_failure(r, "fal image download", redactor_.excerpt(r.body, 200)),
                              download_request(), false);
        std::string mime(r.header("content-type").value_or(""));
        if (mime.empty() || mime == "application/octet-stream") mime = image_.content_type;
        if (const auto semi = mime.find(';'); semi != std::string::npos) mime.erase(semi);
        return finish(success(std::move(r.body), std::move(mime), r.status));
    }

    HttpRequest download_request() const { // no key: the file lives on a CDN
        return file_download_request(config_, image_.url, "fal");
    }

    Outcome success(std::string bytes, std::string mime, long status) {
        Outcome out;
        out.kind = OutcomeKind::Success;
        out.http_status = status;
        out.image = std::move(bytes);
        out.image_mime = std::move(mime);
        out.image_width = image_.width;
        out.image_height = image_.height;
        return out;
    }

    ProviderConfig config_;
    ImageRequest request_;
    Redactor redactor_;
    State state_ = State::Submit;
    QueueTicket ticket_;
    ResultImage image_;
    StepRetry step_;
};

class FalFluxProvider : public ImageProvider {
  public:
    std::string_view name() const override { return "fal"; }
    std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                            ImageRequest request) const override {
        return std::make_unique<FluxCall>(config, std::move(request));
    }
};

} // namespace

const ImageProvider &image_provider() {
    static const FalFluxProvider provider;
    return provider;
}

} // namespace rolloy::providers::fal
